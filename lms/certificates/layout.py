"""Certificate layouts: a TOML file of page, colours, fonts, border and wording, checked strictly.

The format is documented in certificates/README.md. Every key has a default, so a layout file
only needs what it changes; an unknown key is an error because it is almost always a typo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from reportlab.lib.pagesizes import A4, LETTER, landscape, portrait
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import standardFonts
from reportlab.pdfbase.ttfonts import TTFont

from lms.contentfiles import ContentError, key_line, parse_toml, unknown_keys

DEFAULT_LAYOUT = Path(__file__).resolve().parents[2] / "certificates" / "default.toml"
PAGE_SIZES = {"A4": A4, "F4": (215 * mm, 330 * mm), "Letter": LETTER}
FONTS_DIR = "fonts"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
FORBIDDEN_WORDING = "tanda tangan elektronik"  # a QR code is not a TTE; never claim it is
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")

Check = Callable[[Any], str | None]  # returns an Indonesian message when the value is wrong


@dataclass(frozen=True)
class Colors:
    primary: str = "#1B2A4A"
    accent: str = "#A8843A"
    text: str = "#1F1F1F"
    muted: str = "#5A5A5A"
    table_header: str = "#F4EEDF"


@dataclass(frozen=True)
class Fonts:
    serif: str = "Times-Roman"
    serif_bold: str = "Times-Bold"
    serif_italic: str = "Times-Italic"
    sans: str = "Helvetica"
    # (font name, TTF file) pairs to register before drawing; empty with the standard PDF fonts.
    files: tuple[tuple[str, Path], ...] = ()


@dataclass(frozen=True)
class Sizes:
    title: float = 36
    name: float = 26
    heading: float = 16
    body: float = 12
    small: float = 8


@dataclass(frozen=True)
class Border:
    style: str = "double"
    outer_width: float = 2.4
    inner_width: float = 0.8
    gap_mm: float = 2.2
    corner_ornaments: bool = True


@dataclass(frozen=True)
class Texts:
    title: str = "SERTIFIKAT"
    number: str = "Nomor"
    given_to: str = "diberikan kepada"
    nip: str = "NIP"
    pangkat: str = "Pangkat/Golongan"
    jabatan: str = "Jabatan"
    agency: str = "Instansi"
    attended: str = "telah mengikuti"
    held_on: str = "yang diselenggarakan pada tanggal"
    held_at: str = "bertempat di"
    duration: str = "selama"
    predikat: str = "dengan predikat"
    code_label: str = "Kode verifikasi"
    verify_note: str = "Pindai kode QR atau buka {url} untuk memeriksa keaslian sertifikat."
    transcript_title: str = "DAFTAR MATERI"
    continued: str = "(lanjutan)"
    holder: str = "Nama"
    column_no: str = "No"
    column_topic: str = "Materi"
    column_trainer: str = "Narasumber"
    column_jp: str = "JP"
    total: str = "JUMLAH"
    score: str = "Nilai post-test"


@dataclass(frozen=True)
class Signature:
    """The electronic signature's field in the signatory block: shown as a stamp, or invisible."""

    visible: bool = False


@dataclass(frozen=True)
class PredikatBand:
    min: float
    label: str


DEFAULT_BANDS = (PredikatBand(90, "Sangat Baik"), PredikatBand(75, "Baik"),
                 PredikatBand(65, "Cukup"), PredikatBand(55, "Kurang"),
                 PredikatBand(0, "Sangat Kurang"))


@dataclass(frozen=True)
class Layout:
    source: Path
    page_size: tuple[float, float]  # points, width first
    margin: float  # points from the paper edge to the outer frame
    padding: float  # points from the inner frame to the content
    colors: Colors = Colors()
    fonts: Fonts = Fonts()
    sizes: Sizes = Sizes()
    border: Border = Border()
    background: Path | None = None
    text: Texts = Texts()
    signature: Signature = Signature()
    predikat: tuple[PredikatBand, ...] = field(default=DEFAULT_BANDS)

    def predikat_for(self, score: float) -> str | None:
        """Return the predikat label of the highest band score reaches, or None below them all."""
        return next((band.label for band in self.predikat if score >= band.min), None)


class LayoutError(ValueError):
    """A layout file is wrong; errors lists each problem with its file and line."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def _number(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"harus angka antara {low:g} dan {high:g}"
    return check


def _choice(*options: str) -> Check:
    message = f"harus salah satu dari: {', '.join(options)}"
    return lambda value: None if value in options else message


def _color(value: Any) -> str | None:
    if isinstance(value, str) and _COLOR.match(value):
        return None
    return "harus warna heksadesimal #RRGGBB"


def _wording(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "harus teks yang tidak kosong"
    if len(value) > 300:
        return "terlalu panjang (paling banyak 300 karakter)"
    if FORBIDDEN_WORDING in value.lower():
        return "kode QR bukan tanda tangan elektronik tersertifikasi; jangan menyebutnya demikian"
    return None


def _font_name(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "harus nama huruf"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "harus true atau false"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "harus teks"


PAGE_CHECKS: dict[str, Check] = {
    "size": _choice(*PAGE_SIZES), "orientation": _choice("landscape", "portrait"),
    "margin_mm": _number(0, 40), "padding_mm": _number(0, 60),
}
PAGE_DEFAULTS = {"size": "A4", "orientation": "landscape", "margin_mm": 9.0, "padding_mm": 8.0}
SECTION_CHECKS: dict[str, tuple[type, dict[str, Check]]] = {
    "colors": (Colors, {f.name: _color for f in fields(Colors)}),
    "fonts": (Fonts, {f.name: _font_name for f in fields(Fonts) if f.name != "files"}),
    "sizes": (Sizes, {"title": _number(12, 80), "name": _number(12, 60), "heading": _number(8, 40),
                      "body": _number(7, 20), "small": _number(5, 12)}),
    "border": (Border, {"style": _choice("double", "single", "none"), "outer_width": _number(0, 8),
                        "inner_width": _number(0, 4), "gap_mm": _number(0, 10),
                        "corner_ornaments": _flag}),
    "text": (Texts, {f.name: _wording for f in fields(Texts)}),
    "signature": (Signature, {"visible": _flag}),
}
TOP_KEYS = {"page", "background", "predikat", "fonts", *SECTION_CHECKS}


@dataclass
class _Reader:
    """One layout file being read: its text for line numbers, and the errors found so far."""

    path: Path
    text: str
    errors: list[ContentError] = field(default_factory=list)

    def table_line(self, name: str, occurrence: int = 0) -> int:
        """Return the line of the [name] header (or its nth [[name]]), else of `name = `."""
        header = re.compile(rf"^\s*\[\[?\s*\"?{re.escape(name)}\"?\s*\]\]?\s*(#.*)?$")
        lines = [n for n, line in enumerate(self.text.splitlines(), start=1) if header.match(line)]
        return lines[occurrence] if occurrence < len(lines) else key_line(self.text, name)

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(str(self.path), line, message))

    def table(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """Return data[name] (a table, maybe empty), reporting anything else."""
        value = data.get(name, {})
        if isinstance(value, dict):
            return value
        self.error(self.table_line(name), f"[{name}] harus berupa tabel")
        return {}

    def values(self, section: dict[str, Any], name: str, checks: dict[str, Check],
               defaults: dict[str, Any], extra: tuple[str, ...] = (),
               start: int = 0) -> dict[str, Any]:
        """Return the section's values over the defaults, reporting unknown and wrong keys."""
        start = start or self.table_line(name)
        self.errors += unknown_keys(section, [*checks, *extra], self.text, str(self.path), start)
        values = dict(defaults)
        for key, check in checks.items():
            if key in section:
                message = check(section[key])
                if message:
                    self.error(key_line(self.text, key, start), f"[{name}] {key} {message}")
                else:
                    values[key] = section[key]
        return values


def load_layout(path: str | Path) -> Layout:
    """Read and check a layout file; raise LayoutError listing every problem with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        error = ContentError(str(path), 0, f"berkas tata letak tidak terbaca: {exc}")
        raise LayoutError([error]) from None
    data, errors = parse_toml(text, str(path))
    if data is None:
        raise LayoutError(errors)
    reader = _Reader(path, text)
    layout = _build(reader, data)
    if reader.errors:
        raise LayoutError(sorted(reader.errors, key=lambda error: error.line))
    return layout


def _build(reader: _Reader, data: dict[str, Any]) -> Layout:
    for key in data:
        if key not in TOP_KEYS:  # a table: report its [header] line, which key_line cannot find
            reader.error(reader.table_line(key), f"tabel [{key}] tidak dikenal (salah ketik?); "
                                                 f"yang dikenal: {', '.join(sorted(TOP_KEYS))}")
    page = reader.values(reader.table(data, "page"), "page", PAGE_CHECKS, PAGE_DEFAULTS)
    sections = {name: _section(reader, data, name) for name in SECTION_CHECKS}
    files = _font_files(reader, reader.table(data, "fonts"))
    fonts = Fonts(**sections.pop("fonts"), files=files)
    _check_font_names(reader, fonts)
    orient = landscape if page["orientation"] == "landscape" else portrait
    return Layout(source=reader.path, page_size=orient(PAGE_SIZES[page["size"]]),
                  margin=float(page["margin_mm"]) * mm, padding=float(page["padding_mm"]) * mm,
                  fonts=fonts, background=_background(reader, reader.table(data, "background")),
                  predikat=_bands(reader, data.get("predikat")), **sections)


def _section(reader: _Reader, data: dict[str, Any], name: str) -> Any:
    cls, checks = SECTION_CHECKS[name]
    defaults = {f.name: f.default for f in fields(cls) if f.name in checks}
    extra = ("files",) if name == "fonts" else ()
    values = reader.values(reader.table(data, name), name, checks, defaults, extra)
    return values if name == "fonts" else cls(**values)


def _font_files(reader: _Reader, section: dict[str, Any]) -> tuple[tuple[str, Path], ...]:
    files = section.get("files", {})
    line = key_line(reader.text, "files", reader.table_line("fonts"))
    if not isinstance(files, dict):
        reader.error(line, "[fonts] files harus tabel: nama huruf = \"berkas.ttf\"")
        return ()
    found = []
    for name, filename in files.items():
        font_path = _font_file(reader, name, filename, key_line(reader.text, name, line))
        if font_path is not None:
            found.append((name, font_path))
    return tuple(found)


def _font_file(reader: _Reader, name: str, filename: Any, line: int) -> Path | None:
    folder = reader.path.parent / FONTS_DIR
    if (not isinstance(filename, str) or Path(filename).name != filename
            or not filename.lower().endswith(".ttf")):
        reader.error(line, f"huruf \"{name}\": tulis nama berkas .ttf saja (di dalam {folder})")
        return None
    font_path = folder / filename
    if not font_path.is_file():
        reader.error(line, f"huruf \"{name}\": berkas {font_path} tidak ada")
        return None
    try:
        TTFont(name, str(font_path))
    except Exception as exc:  # ReportLab raises several types for a broken or unsupported font
        reader.error(line, f"huruf \"{name}\": {filename} bukan berkas TrueType yang dapat "
                           f"dipakai ({exc})")
        return None
    return font_path


def _check_font_names(reader: _Reader, fonts: Fonts) -> None:
    known = set(standardFonts) | {name for name, _ in fonts.files}
    start = reader.table_line("fonts")
    for key in ("serif", "serif_bold", "serif_italic", "sans"):
        name = getattr(fonts, key)
        if name not in known:
            reader.error(key_line(reader.text, key, start),
                         f"[fonts] {key}: huruf \"{name}\" tidak dikenal; pakai huruf PDF standar "
                         f"(mis. Times-Roman, Helvetica) atau daftarkan berkasnya di [fonts.files]")


def _background(reader: _Reader, section: dict[str, Any]) -> Path | None:
    values = reader.values(section, "background", {"image": _text}, {"image": ""})
    relative = values["image"].strip()
    if not relative:
        return None
    line = key_line(reader.text, "image", reader.table_line("background"))
    image = (reader.path.parent / relative).resolve()
    if Path(relative).is_absolute() or not image.is_relative_to(reader.path.parent.resolve()):
        reader.error(line, "[background] image harus berada di dalam folder tata letak")
    elif not relative.lower().endswith(IMAGE_SUFFIXES) or not image.is_file():
        reader.error(line, f"[background] image: berkas PNG/JPEG {relative} tidak ada")
    elif not _is_image(image):
        reader.error(line, f"[background] image: {relative} bukan gambar PNG/JPEG yang sah")
    else:
        return image
    return None


def _is_image(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.verify()
            return image.format in ("PNG", "JPEG")
    except (OSError, UnidentifiedImageError, SyntaxError):
        return False


def _bands(reader: _Reader, raw: Any) -> tuple[PredikatBand, ...]:
    if raw is None:
        return DEFAULT_BANDS
    line = reader.table_line("predikat")
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        reader.error(line, "predikat harus ditulis sebagai [[predikat]] dengan min dan label")
        return DEFAULT_BANDS
    bands = [_band(reader, item, index) for index, item in enumerate(raw)]
    if None in bands:
        return DEFAULT_BANDS
    checked = [band for band in bands if band is not None]
    if any(a.min <= b.min for a, b in zip(checked, checked[1:])):
        reader.error(line, "[[predikat]] harus urut dari nilai min tertinggi ke terendah, "
                           "tanpa nilai ganda")
    return tuple(checked)


def _band(reader: _Reader, item: dict[str, Any], index: int) -> PredikatBand | None:
    start = reader.table_line("predikat", index)
    before = len(reader.errors)
    checks = {"min": _number(0, 100), "label": _wording}
    values = reader.values(item, "predikat", checks, {}, start=start)
    for key in ("min", "label"):
        if key not in item:
            reader.error(start, f"[[predikat]] ke-{index + 1} tidak memiliki {key}")
    if len(reader.errors) > before:
        return None
    return PredikatBand(float(values["min"]), values["label"])
