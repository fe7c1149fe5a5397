"""The one sanitiser: what renders and what never reaches the browser."""

import pytest

from lms.markdown import render, render_inline

DANGEROUS = """## Judul

<script>alert('x')</script>
<img src="a.png" onerror="alert(1)">
[klik](javascript:alert(1))
<a href="JaVaScRiPt:alert(2)">b</a>
<div onclick="alert(3)" style="position:fixed" class="admonition evil">c</div>
<iframe src="https://contoh.go.id"></iframe>
<svg onload="alert(4)"></svg>
"""


@pytest.mark.parametrize("text_format", ["markdown", "html"])
def test_dangerous_markup_is_inert(text_format):
    html = str(render(DANGEROUS, text_format))
    lowered = html.lower()
    for needle in ("<script", "onerror", "onclick", 'href="javascript', "<iframe", "<svg", "onload", "style="):
        assert needle not in lowered, needle
    assert 'class="admonition"' in html  # the unknown class is dropped, the known one kept


def test_markdown_features():
    html = str(render("## Satu Dua\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nkode\n```\n\n"
                      "!!! note \"Catatan\"\n    Isi.\n\n!!! tip \"Tips\"\n    Saran.\n\n[tautan](https://contoh.go.id)\n"))
    assert '<h2 id="satu-dua">Satu Dua</h2>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>kode" in html
    assert '<div class="admonition note">' in html and '<p class="admonition-title">Catatan</p>' in html
    assert '<div class="admonition tip">' in html
    assert 'href="https://contoh.go.id" rel="noopener noreferrer"' in html


def test_plain_text_is_escaped_with_paragraphs():
    html = str(render("Baris <b>satu</b>\nbaris dua\n\nParagraf dua", "plain"))
    assert html == "<p>Baris &lt;b&gt;satu&lt;/b&gt;<br>baris dua</p><p>Paragraf dua</p>"


def test_inline_render_drops_the_single_paragraph():
    assert str(render_inline("**Benar**")) == "<strong>Benar</strong>"
