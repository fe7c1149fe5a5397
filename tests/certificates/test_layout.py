import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4

from lms.certificates.layout import (
    DEFAULT_LAYOUT,
    Border,
    Colors,
    Fonts,
    Layout,
    LayoutError,
    PredikatBand,
    Sizes,
    Texts,
    load_layout,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def write(folder: Path, text: str, name: str = "layout.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    return [str(error) for error in caught.value.errors]


def test_default_layout_is_a4_landscape_with_the_built_in_values() -> None:
    layout = load_layout(DEFAULT_LAYOUT)
    assert layout.page_size == (A4[1], A4[0])
    assert layout.text.title == "SERTIFIKAT" and layout.text.given_to == "diberikan kepada"
    assert layout.fonts.serif == "Times-Roman" and layout.fonts.files == ()
    assert layout.border.style == "double" and layout.background is None
    assert [band.label for band in layout.predikat] == ["Sangat Baik", "Baik", "Cukup", "Kurang",
                                                        "Sangat Kurang"]


def test_default_file_documents_exactly_the_built_in_defaults(tmp_path: Path) -> None:
    from_file = load_layout(DEFAULT_LAYOUT)
    built_in = load_layout(write(tmp_path, ""))
    assert replace(from_file, source=built_in.source) == built_in
    assert (built_in.colors, built_in.fonts, built_in.sizes, built_in.border, built_in.text) == (
        Colors(), Fonts(), Sizes(), Border(), Texts())


def test_layout_is_frozen() -> None:
    layout = load_layout(DEFAULT_LAYOUT)
    with pytest.raises(AttributeError):
        layout.margin = 0  # type: ignore[misc]


@pytest.mark.parametrize("score, label", [
    (100, "Sangat Baik"), (90, "Sangat Baik"), (89.99, "Baik"), (75, "Baik"), (74.5, "Cukup"),
    (65, "Cukup"), (60, "Kurang"), (54.9, "Sangat Kurang"), (0, "Sangat Kurang"),
])
def test_default_predikat_bands(score: float, label: str) -> None:
    assert load_layout(DEFAULT_LAYOUT).predikat_for(score) == label


def test_custom_settings(tmp_path: Path) -> None:
    path = write(tmp_path, """
[page]
size = "F4"
orientation = "portrait"
margin_mm = 5

[colors]
primary = "#003366"

[border]
style = "single"
corner_ornaments = false

[text]
title = "PIAGAM PENGHARGAAN"

[[predikat]]
min = 80
label = "Lulus dengan Pujian"

[[predikat]]
min = 60.5
label = "Lulus"
""")
    layout = load_layout(path)
    assert layout.page_size[0] < layout.page_size[1]
    assert round(layout.page_size[1] / 72 * 25.4) == 330
    assert round(layout.margin / 72 * 25.4, 3) == 5
    assert layout.colors.primary == "#003366" and layout.colors.accent == Colors().accent
    assert layout.border == Border(style="single", corner_ornaments=False)
    assert layout.text.title == "PIAGAM PENGHARGAAN" and layout.text.number == "Nomor"
    assert layout.predikat == (PredikatBand(80, "Lulus dengan Pujian"), PredikatBand(60.5, "Lulus"))
    assert layout.predikat_for(70) == "Lulus" and layout.predikat_for(60) is None


@pytest.mark.parametrize("text, expected", [
    ('[colours]\nprimary = "#000000"\n', 'layout.toml:1: tabel [colours] tidak dikenal'),
    ('\n[colors]\nprimary = "#000000"\nsecondary = "#111111"\n',
     'layout.toml:4: kunci "secondary" tidak dikenal'),
    ('[colors]\nprimary = "navy"\n', 'layout.toml:2: [colors] primary harus warna heksadesimal'),
    ('[page]\nsize = "A3"\n', 'layout.toml:2: [page] size harus salah satu dari: A4, F4, Letter'),
    ('[page]\norientation = "landscap"\n', 'layout.toml:2: [page] orientation harus salah satu'),
    ('[page]\nmargin_mm = "9"\n', 'layout.toml:2: [page] margin_mm harus angka antara 0 dan 40'),
    ('[sizes]\nname = 200\n', 'layout.toml:2: [sizes] name harus angka antara 12 dan 60'),
    ('[border]\ncorner_ornaments = "ya"\n', 'layout.toml:2: [border] corner_ornaments harus true'),
    ('[text]\ntitle = ""\n', 'layout.toml:2: [text] title harus teks yang tidak kosong'),
    ('[text]\ncode_label = "Tanda Tangan Elektronik"\n',
     'layout.toml:2: [text] code_label kode QR bukan tanda tangan elektronik'),
    ('page = 3\n', 'layout.toml:1: [page] harus berupa tabel'),
    ('[page]\nsize = "A4"\nsize = "F4"\n', 'layout.toml:3: TOML tidak valid'),
    ('[text\n', 'layout.toml:1: TOML tidak valid'),
    ('[fonts]\nserif = "Garamond"\n',
     'layout.toml:2: [fonts] serif: huruf "Garamond" tidak dikenal'),
    ('[fonts]\nfiles = "a.ttf"\n', 'layout.toml:2: [fonts] files harus tabel'),
    ('[fonts.files]\nGaramond = "../Garamond.ttf"\n',
     'layout.toml:2: huruf "Garamond": tulis nama berkas .ttf saja'),
    ('[fonts.files]\nGaramond = "Garamond.otf"\n',
     'layout.toml:2: huruf "Garamond": tulis nama berkas .ttf saja'),
    ('[fonts.files]\nGaramond = "Garamond.ttf"\n',
     'layout.toml:2: huruf "Garamond": berkas fonts/Garamond.ttf tidak ada'),
    ('[background]\nimage = "../rahasia.png"\n',
     'layout.toml:2: [background] image harus berada di dalam folder tata letak'),
    ('[background]\nimage = "/etc/passwd"\n',
     'layout.toml:2: [background] image harus berada di dalam folder tata letak'),
    ('[background]\nimage = "latar.png"\n',
     'layout.toml:2: [background] image: berkas PNG/JPEG latar.png tidak ada'),
    ('[background]\npicture = "latar.png"\n', 'layout.toml:2: kunci "picture" tidak dikenal'),
    ('predikat = "Baik"\n', 'layout.toml:1: predikat harus ditulis sebagai [[predikat]]'),
    ('[[predikat]]\nmin = 50\nlabel = "Lulus"\n\n[[predikat]]\nmin = 75\nlabel = "Baik"\n',
     'layout.toml:1: [[predikat]] harus urut dari nilai min tertinggi'),
    ('[[predikat]]\nmin = 75\nlabel = "Baik"\n\n[[predikat]]\nmin = 50\nlable = "Cukup"\n',
     'layout.toml:7: kunci "lable" tidak dikenal'),
    ('[[predikat]]\nmin = 75\nlabel = "Baik"\n\n[[predikat]]\nmin = 50\n',
     'layout.toml:5: [[predikat]] ke-2 tidak memiliki label'),
    ('[[predikat]]\nmin = 75\nlabel = "Baik"\n\n[[predikat]]\nmin = 150\nlabel = "Super"\n',
     'layout.toml:6: [predikat] min harus angka antara 0 dan 100'),
])
def test_bad_layouts_are_reported_with_their_line(tmp_path: Path, text: str,
                                                  expected: str) -> None:
    messages = [message.replace(f"{tmp_path}/", "") for message in errors_of(write(tmp_path, text))]
    assert any(message.startswith(expected) for message in messages), messages


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[colors]\nprimary = "navy"\naccent = "gold"\n\n'
                           '[sizes]\ntitle = "besar"\n')
    messages = errors_of(path)
    assert [message.split(": ", 1)[0] for message in messages] == [
        f"{path}:2", f"{path}:3", f"{path}:6"]
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    assert str(caught.value) == "\n".join(messages)
    assert isinstance(caught.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "tidak-ada.toml"
    assert errors_of(path)[0].startswith(f"{path}: berkas tata letak tidak terbaca")


def test_background_image_relative_to_the_layout(tmp_path: Path) -> None:
    (tmp_path / "gambar").mkdir()
    Image.new("RGB", (40, 30), (250, 245, 230)).save(tmp_path / "gambar" / "latar.png")
    layout = load_layout(write(tmp_path, "[background]\nimage = \"gambar/latar.png\"\n"))
    assert layout.background == (tmp_path / "gambar" / "latar.png").resolve()


def test_background_that_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "latar.png").write_text("bukan gambar")
    path = write(tmp_path, '[background]\nimage = "latar.png"\n')
    assert "bukan gambar PNG/JPEG yang sah" in errors_of(path)[0]


def test_broken_font_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Rusak.ttf").write_bytes(b"bukan huruf")
    message = errors_of(write(tmp_path, "[fonts.files]\nRusak = \"Rusak.ttf\"\n"))[0]
    assert "bukan berkas TrueType yang dapat dipakai" in message


@pytest.mark.skipif(not (DEJAVU / "DejaVuSerif.ttf").is_file(),
                    reason="needs Debian's fonts-dejavu-core")
def test_truetype_fonts_from_the_fonts_folder(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    for name in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"):
        shutil.copy(DEJAVU / name, tmp_path / "fonts" / name)
    path = write(tmp_path, """
[fonts]
serif = "DejaVu Serif"
serif_bold = "DejaVu Serif Bold"
serif_italic = "DejaVu Serif Italic"

[fonts.files]
"DejaVu Serif" = "DejaVuSerif.ttf"
"DejaVu Serif Bold" = "DejaVuSerif-Bold.ttf"
"DejaVu Serif Italic" = "DejaVuSerif-Italic.ttf"
""")
    layout: Layout = load_layout(path)
    assert dict(layout.fonts.files) == {
        "DejaVu Serif": tmp_path / "fonts" / "DejaVuSerif.ttf",
        "DejaVu Serif Bold": tmp_path / "fonts" / "DejaVuSerif-Bold.ttf",
        "DejaVu Serif Italic": tmp_path / "fonts" / "DejaVuSerif-Italic.ttf",
    }
    assert layout.fonts.serif == "DejaVu Serif" and layout.fonts.sans == "Helvetica"
