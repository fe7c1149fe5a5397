"""Render Markdown (or HTML) from files and users into safe HTML: the one sanitiser of the app."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import markdown as md
import nh3
from markupsafe import Markup, escape

TextFormat = Literal["markdown", "html", "plain"]

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "blockquote", "ul", "ol", "li", "code", "pre", "kbd", "a", "img", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "div", "span", "dl", "dt", "dd", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},  # src: only a course asset, see _filter_attributes
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "div": {"class"},
    "p": {"class"},
    "code": {"class"},
    "span": {"class"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
# Classes the Markdown extensions emit; any other class is dropped.
_ALLOWED_CLASS = re.compile(r"^(admonition|note|tip|warning|danger|important|catatan|tips|perhatian|"
                            r"admonition-title|language-[a-z0-9+-]+|codehilite)$")
URL_SCHEMES = {"http", "https", "mailto"}
# An image shows only a file of the course's own assets/ folder, addressed relative to the lesson
# (assets/diagram.svg): never another site (tracking, mixed content, no such thing offline), never a
# data: or javascript: address, never a path climbing out of the folder.
_ASSET_SRC = re.compile(r"^assets/(?!(?:[^/]*/)*\.)[A-Za-z0-9_./-]+$")
_IMG = re.compile(r"<img((?:\s+[a-z-]+(?:=\"[^\"]*\")?)*)\s*/?>")
_IMG_ATTRIBUTE = re.compile(r"([a-z-]+)=\"([^\"]*)\"")
# Focusable, so a keyboard can scroll it; labelled, so a screen reader says what it is.
TABLE_BOX = '<div class="table-scroll" role="region" tabindex="0" aria-label="Tabel (geser ke samping)">'
EXTENSIONS = ["tables", "fenced_code", "admonition", "sane_lists", "toc"]


def _slugify(value: str, separator: str) -> str:
    text = re.sub(r"[^\w\s-]", "", value.lower(), flags=re.UNICODE).strip()
    return re.sub(r"[\s_-]+", separator, text)


def _filter_attributes(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if _ASSET_SRC.match(value) else None
    if attribute != "class":
        return value
    kept = [name for name in value.split() if _ALLOWED_CLASS.match(name)]
    return " ".join(kept) or None


def _lazy_images(html: str) -> str:
    """Drop every image without an asset address or without alt text; load the rest lazily.

    Runs on the sanitiser's output, whose attributes are always double-quoted and escaped.
    """
    def replace(match: re.Match[str]) -> str:
        attributes = dict(_IMG_ATTRIBUTE.findall(match.group(1)))
        if "src" not in attributes or not attributes.get("alt", "").strip():
            return ""
        return f"<img{match.group(1)} loading=\"lazy\" decoding=\"async\">"

    return _IMG.sub(replace, html)


def _scrolling_tables(html: str) -> str:
    """Wrap each table in a box that scrolls sideways, so a wide table never widens the page.

    Added after sanitising (the sanitiser drops any class or role an author writes): only
    these wrappers carry them.
    """
    return html.replace("<table>", TABLE_BOX + "<table>").replace("</table>", "</table></div>")


def sanitize(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes of html."""
    return _lazy_images(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                  url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                                  attribute_filter=_filter_attributes, strip_comments=True))


@lru_cache(maxsize=1024)
def render(text: str, text_format: TextFormat = "markdown") -> Markup:
    """Return text (Markdown, HTML or plain) as sanitised HTML; cached by content."""
    if text_format == "plain":
        paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
        return Markup("".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in paragraphs))
    if text_format == "html":
        return Markup(_scrolling_tables(sanitize(text)))
    converter = md.Markdown(extensions=EXTENSIONS,
                            extension_configs={"toc": {"permalink": False, "slugify": _slugify}})
    return Markup(_scrolling_tables(sanitize(converter.convert(text))))


def headings(text: str) -> list[tuple[int, str, str]]:
    """Return (level, id, title) of every heading of a Markdown text, in order.

    The ids are the ones render() gives the headings (the same slugify and de-duplication), so a
    link or a quiz question's `section` can name one.
    """
    converter = md.Markdown(extensions=EXTENSIONS,
                            extension_configs={"toc": {"permalink": False, "slugify": _slugify}})
    converter.convert(text)
    found: list[tuple[int, str, str]] = []

    def walk(tokens: list[dict[str, object]]) -> None:
        for token in tokens:
            found.append((int(str(token["level"])), str(token["id"]), str(token["name"])))
            walk(token["children"])  # type: ignore[arg-type]

    walk(converter.toc_tokens)  # type: ignore[attr-defined]
    return found


def render_inline(text: str, text_format: TextFormat = "markdown") -> Markup:
    """Render a short text (an answer, a label) without its wrapping paragraph."""
    html = str(render(text, text_format)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
