import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.certificates.layout import DEFAULT_LAYOUT, Layout, load_layout
from lms.certificates.pdf import CertificateData, TranscriptRow, render_certificate, render_many
from lms.pdftext import fit_font_size, fit_lines, printable, wrap_text

pypdf = pytest.importorskip("pypdf", reason="pypdf (pip install pypdf) reads the PDFs' text back")

URL = "https://lms.diskominfo.contohkab.go.id/verifikasi/7K3M-Q9TZ-0B4D-XW2R-HN8P"
LONG_NAME = "Raden Ayu Siti Khadijah Kusumawardhani Setyaningrum Prawiranegara, S.H."
LONG_AGENCY = ("Sekretariat Dewan Perwakilan Rakyat Daerah Kabupaten Contoh Bagian Hubungan "
               "Masyarakat, Protokol dan Dokumentasi Pimpinan serta Kerja Sama Antar "
               "Lembaga Daerah")
TRANSCRIPT = (
    TranscriptRow("Kebijakan Komunikasi Publik dan Narasi Tunggal", 4, "Kepala Bidang IKP"),
    TranscriptRow("Enam Prinsip Media Sosial Instansi Pemerintah", 6, "Dr. Rina Kusumawati, M.Si."),
    TranscriptRow("Menulis Caption dan Berinteraksi dengan Warganet", 8, "Andi Pratama, S.I.Kom."),
    TranscriptRow("Media Monitoring dan Isu Strategis", 6, "Bagus Wicaksono, S.T."),
)


def record(**changes: Any) -> CertificateData:
    data = CertificateData(
        number="007/BIMTEK-MEDSOS/DISKOMINFO/VII/2026", code="7K3M-Q9TZ-0B4D-XW2R-HN8P",
        verify_url=URL,
        holder_name="Siti Nurhaliza, S.Kom., M.Si.", nip="198503142010012001",
        pangkat="Penata Muda Tk. I, III/b", jabatan="Pranata Hubungan Masyarakat Ahli Pertama",
        agency="Dinas Pendidikan dan Kebudayaan Kabupaten Contoh",
        training_title="Bimbingan Teknis Pengelolaan Media Sosial Instansi Pemerintah",
        start_date=date(2026, 7, 1), end_date=date(2026, 7, 3), venue="Aula Lantai 2 Diskominfo",
        city="Kabupaten Contoh", jp=24, score="87,5", predikat="Baik", issue_city="Contoh",
        issue_date=date(2026, 8, 17), signatory_name="Drs. Bambang Setiawan, M.M.",
        signatory_pangkat="Pembina Utama Muda, IV/c", signatory_nip="196405201989031020",
        signatory_title="Kepala Dinas Komunikasi dan Informatika Kabupaten Contoh",
        institution_name="Dinas Komunikasi dan Informatika Kabupaten Contoh",
        institution_address="Jalan Merdeka No. 17, Contoh 12345", transcript=TRANSCRIPT)
    return replace(data, **changes)


def png(size: tuple[int, int], colour: tuple[int, int, int, int]) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 4, size[1] - 4), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def layout() -> Layout:
    return load_layout(DEFAULT_LAYOUT)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def text_boxes(pdf: bytes, index: int) -> list[tuple[str, float, float]]:
    """Return (text, left x, right x) of every line drawn on page index."""
    boxes: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        text = text.strip()
        if text and font:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            width = stringWidth(text, str(font["/BaseFont"])[1:], size * tm[0] * cm[0])
            boxes.append((text, x, x + width))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[index].extract_text(visitor_text=visit)
    return boxes


def inside_frame(pdf: bytes, layout: Layout, index: int) -> list[tuple[str, float, float]]:
    """Return the lines of page index that cross the inner frame's sides (none, we hope)."""
    inner = layout.margin + layout.border.gap_mm * 72 / 25.4
    width = layout.page_size[0]
    boxes = text_boxes(pdf, index)
    assert len(boxes) > 5
    return [box for box in boxes if box[1] < inner or box[2] > width - inner + 0.5]


def test_frame_check_notices_overflow(layout: Layout) -> None:
    from reportlab.pdfgen.canvas import Canvas
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=layout.page_size)
    for y in range(100, 400, 50):
        canvas.drawString(300, y, "baris yang wajar")
    canvas.drawString(500, 500, LONG_AGENCY)
    canvas.save()
    assert [text for text, _, _ in inside_frame(buffer.getvalue(), layout, 0)] == [LONG_AGENCY]


def test_same_record_gives_identical_bytes(layout: Layout) -> None:
    logo, signature = png((300, 360), (20, 60, 140, 255)), png((400, 120), (20, 30, 90, 255))
    first = render_certificate(record(), layout, logo=logo, signature=signature)
    second = render_certificate(record(), layout, logo=logo, signature=signature)
    assert first.startswith(b"%PDF-") and first == second
    assert render_certificate(record(code="0000-0000-0000-0000-0000"), layout) != first


def test_certificate_page_shows_every_field(layout: Layout) -> None:
    front, back = pages_text(render_certificate(record(), layout))
    text = flat(front)
    for expected in ("SERTIFIKAT", "Nomor: 007/BIMTEK-MEDSOS/DISKOMINFO/VII/2026",
                     "diberikan kepada", "Siti Nurhaliza, S.Kom., M.Si.", "19850314 201001 2 001",
                     "Penata Muda Tk. I, III/b", "Pranata Hubungan Masyarakat Ahli Pertama",
                     "Dinas Pendidikan dan Kebudayaan Kabupaten Contoh", "telah mengikuti",
                     "Bimbingan Teknis Pengelolaan Media Sosial Instansi Pemerintah",
                     "1–3 Juli 2026", "Aula Lantai 2 Diskominfo, Kabupaten Contoh",
                     "24 (dua puluh empat) Jam Pelajaran", "dengan predikat Baik",
                     "Contoh, 17 Agustus 2026",
                     "Kepala Dinas Komunikasi dan Informatika Kabupaten Contoh",
                     "Drs. Bambang Setiawan, M.M.", "Pembina Utama Muda, IV/c",
                     "NIP. 19640520 198903 1 020", "7K3M-Q9TZ-0B4D-XW2R-HN8P",
                     "DINAS KOMUNIKASI DAN INFORMATIKA KABUPATEN CONTOH", "Jalan Merdeka No. 17",
                     "Pindai kode QR"):
        assert expected in text, expected
    assert URL in front.replace("\n", "")  # the URL may wrap after a slash or hyphen
    for page in (front, back):
        assert "tanda tangan elektronik" not in flat(page).lower()


def test_dates_across_months(layout: Layout) -> None:
    front, _ = pages_text(render_certificate(record(start_date=date(2026, 6, 30),
                                                    end_date=date(2026, 7, 2)), layout))
    assert "30 Juni–2 Juli 2026" in flat(front)


def test_transcript_page_lists_topics_total_and_score(layout: Layout) -> None:
    _, back = pages_text(render_certificate(record(), layout))
    text = flat(back)
    assert "DAFTAR MATERI" in text
    assert "Bimbingan Teknis Pengelolaan Media Sosial Instansi Pemerintah" in text
    for number, row in enumerate(TRANSCRIPT, start=1):
        assert f"{number}. {row.topic} {row.trainer} {row.jp}" in text
    assert "JUMLAH 24" in text
    assert "Nilai post-test: 87,5 (Baik)" in text
    assert "Drs. Bambang Setiawan, M.M." in text and "NIP. 19640520 198903 1 020" in text
    assert "Siti Nurhaliza, S.Kom., M.Si." in text
    assert "007/BIMTEK-MEDSOS/DISKOMINFO/VII/2026" in text


def test_transcript_without_trainers_or_score(layout: Layout) -> None:
    rows = tuple(TranscriptRow(row.topic, row.jp) for row in TRANSCRIPT)
    data = record(transcript=rows, score=None, predikat=None)
    front, back = pages_text(render_certificate(data, layout))
    assert "Narasumber" not in back and "Nilai post-test" not in back
    assert "predikat" not in front
    assert "selama 24 (dua puluh empat) Jam Pelajaran" in flat(front)


def test_empty_nip_pangkat_and_jabatan_lines_are_left_out(layout: Layout) -> None:
    front, back = pages_text(render_certificate(record(nip="", pangkat="", jabatan=""), layout))
    text = flat(front)
    assert "Pangkat/Golongan" not in text and "Jabatan" not in text
    assert text.count("NIP") == 1  # the signatory's only
    assert "Instansi : Dinas Pendidikan dan Kebudayaan Kabupaten Contoh" in text
    assert flat(back).count("NIP") == 1


def test_long_name_and_agency_stay_inside_the_frame(layout: Layout) -> None:
    assert len(LONG_NAME) >= 70 and len(LONG_AGENCY) >= 150
    data = record(holder_name=LONG_NAME, agency=LONG_AGENCY, jabatan=LONG_AGENCY[:90],
                  training_title="Bimbingan Teknis " + "Media Sosial Instansi Pemerintah " * 4,
                  signatory_title="Plt. Kepala Dinas Komunikasi, Informatika, Statistik dan "
                                  "Persandian Kabupaten Contoh Provinsi Contoh Raya")
    pdf = render_certificate(data, layout, logo=png((300, 360), (20, 60, 140, 255)))
    assert inside_frame(pdf, layout, 0) == []
    assert inside_frame(pdf, layout, 1) == []
    front = flat(pages_text(pdf)[0])
    assert LONG_NAME in front
    assert LONG_AGENCY in front  # wrapped over lines, every word still there


def test_name_shrinks_before_it_wraps(layout: Layout) -> None:
    width = 700.0
    size = fit_font_size(LONG_NAME, layout.fonts.serif_bold, layout.sizes.name, 16, width)
    assert 16 <= size < layout.sizes.name
    assert stringWidth(LONG_NAME, layout.fonts.serif_bold, size) <= width
    assert fit_font_size("Siti", layout.fonts.serif_bold, 26, 16, width) == 26


def test_apostrophes_and_diacritics_print_as_written(layout: Layout) -> None:
    name = "José Ñúñez Müller O'Neil d’Arc"
    front, _ = pages_text(render_certificate(record(holder_name=name), layout))
    assert name in flat(front)


def test_letters_the_standard_fonts_lack_fall_back_to_their_base_letter() -> None:
    assert printable("Nguyễn Thị Łucja", "Times-Roman") == "Nguyen Thi Lucja"
    assert printable("  Siti\n  Aminah\t", "Times-Roman") == "Siti Aminah"
    assert printable("O’Neil é ñ ü", "Times-Roman") == "O’Neil é ñ ü"


def test_overlong_word_is_broken_to_fit() -> None:
    lines = wrap_text("buka " + URL + " sekarang", "Helvetica", 8, 120)
    assert "".join(lines).replace(" ", "") == ("buka" + URL + "sekarang")
    assert all(stringWidth(line, "Helvetica", 8) <= 120 for line in lines)


@pytest.mark.parametrize("cached", [False, True])  # measured afresh, or remembered in a bulk run
@pytest.mark.parametrize("width", [3, 40, 77.7, 120])
def test_an_overlong_word_breaks_where_the_line_is_full(width: float, cached: bool) -> None:
    from contextlib import nullcontext

    from lms.pdftext import fitting_cache

    word = "Wiiilllmmm" * 12  # no slash or hyphen to break at: every line but the last is full
    with fitting_cache() if cached else nullcontext():
        wrap_text(word, "Helvetica", 8, width * 1.5)  # the word's starts measured at another width
        lines = wrap_text(word, "Helvetica", 8, width)
    assert "".join(lines) == word and len(lines) > 1
    for line, following in zip(lines, lines[1:]):
        assert stringWidth(line, "Helvetica", 8) <= width or len(line) == 1
        assert stringWidth(line + following[0], "Helvetica", 8) > width


def test_fit_lines_wraps_at_the_minimum_size() -> None:
    size, lines = fit_lines(LONG_AGENCY, "Times-Roman", 12, 9, 300)
    assert size == 9 and len(lines) > 1
    assert all(stringWidth(line, "Times-Roman", 9) <= 300 for line in lines)
    size, lines = fit_lines("Bimbingan Teknis Media Sosial", "Times-Bold", 16, 12, 200, max_lines=2)
    assert size == 16 and len(lines) == 2


def test_transcript_total_must_match_the_certificate(layout: Layout) -> None:
    with pytest.raises(ValueError, match="jumlah JP transkrip"):
        render_certificate(record(jp=20), layout)


def test_bad_logo_is_refused(layout: Layout) -> None:
    with pytest.raises(ValueError, match="logo"):
        render_certificate(record(), layout, logo=b"GIF89a not a logo")


def test_long_transcript_continues_on_another_page(layout: Layout) -> None:
    rows = tuple(TranscriptRow(f"Materi nomor {n} tentang komunikasi publik", 1, "Narasumber")
                 for n in range(1, 41))
    pdf = render_certificate(record(transcript=rows, jp=40), layout)
    pages = [flat(text) for text in pages_text(pdf)]
    assert len(pages) >= 3
    continued = " ".join(pages[1:])
    assert all(f"{n}. Materi nomor {n} " in continued for n in range(1, 41))
    assert continued.count("JUMLAH 40") == 1 and "JUMLAH" in pages[-1]
    assert all(inside_frame(pdf, layout, index) == [] for index in range(len(pages)))


def test_certificate_without_transcript_has_one_page(layout: Layout) -> None:
    pdf = render_certificate(record(transcript=()), layout)
    assert len(pages_text(pdf)) == 1


def test_render_many_merges_certificates_and_reuses_the_logo(layout: Layout) -> None:
    logo, signature = png((300, 360), (20, 60, 140, 255)), png((400, 120), (20, 30, 90, 255))
    records = [record(holder_name=f"Peserta {n}", code=f"AAAA-BBBB-CCCC-DDDD-000{n}")
               for n in range(3)]
    pdf = render_many(records, layout, logo=logo, signature=signature)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 6
    fronts = [flat(reader.pages[2 * n].extract_text()) for n in range(3)]
    assert all(f"Peserta {n}" in front for n, front in enumerate(fronts))
    images = {obj.idnum for page in reader.pages
              for obj in page["/Resources"].get("/XObject", {}).values()}
    assert len(images) == 2  # one logo and one signature, shared by every page


def test_render_many_keeps_fronts_on_odd_pages(layout: Layout) -> None:
    records = [record(transcript=()), record(holder_name="Peserta Kedua")]
    pages = pages_text(render_many(records, layout))
    assert len(pages) == 4
    assert "Peserta Kedua" in flat(pages[2]) and flat(pages[1]) == ""


def test_render_many_needs_records(layout: Layout) -> None:
    with pytest.raises(ValueError, match="tidak ada sertifikat"):
        render_many([], layout)


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf").is_file(),
                    reason="needs Debian's fonts-dejavu-core")
def test_embedded_truetype_fonts_keep_every_letter(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    files = {"DejaVu Serif": "DejaVuSerif.ttf", "DejaVu Serif Bold": "DejaVuSerif-Bold.ttf",
             "DejaVu Serif Italic": "DejaVuSerif-Italic.ttf"}
    for name in files.values():
        shutil.copy(Path("/usr/share/fonts/truetype/dejavu") / name, tmp_path / "fonts" / name)
    (tmp_path / "layout.toml").write_text(
        "[fonts]\nserif = \"DejaVu Serif\"\nserif_bold = \"DejaVu Serif Bold\"\n"
        "serif_italic = \"DejaVu Serif Italic\"\n\n[fonts.files]\n"
        + "".join(f"\"{name}\" = \"{file}\"\n" for name, file in files.items()), encoding="utf-8")
    layout = load_layout(tmp_path / "layout.toml")
    front, _ = pages_text(render_certificate(record(holder_name="Nguyễn Thị Łucja"), layout))
    assert "Nguyễn Thị Łucja" in front


def test_portrait_layout_and_background_image(tmp_path: Path) -> None:
    Image.new("RGB", (60, 85), (250, 246, 235)).save(tmp_path / "latar.png")
    (tmp_path / "layout.toml").write_text(
        '[page]\norientation = "portrait"\n\n[background]\nimage = "latar.png"\n', encoding="utf-8")
    layout = load_layout(tmp_path / "layout.toml")
    logo = png((300, 360), (20, 60, 140, 128))
    pdf = render_certificate(record(holder_name=LONG_NAME, agency=LONG_AGENCY), layout, logo=logo)
    assert inside_frame(pdf, layout, 0) == [] and inside_frame(pdf, layout, 1) == []
    assert LONG_NAME in flat(pages_text(pdf)[0])


def test_qr_on_the_certificate_decodes_to_the_verification_url(layout: Layout,
                                                               tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (pip install zxing-cpp) reads QRs")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) rasterises the PDF")
    (tmp_path / "cert.pdf").write_bytes(render_certificate(record(), layout))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "cert.pdf"), str(tmp_path / "page")], check=True)
    with Image.open(tmp_path / "page.png") as image:
        assert [result.text for result in zxingcpp.read_barcodes(image)] == [URL]


# ---------------------------------------------------------------- fitting once per run


def test_a_bulk_run_fits_the_transcript_once_and_prints_the_same_bytes(layout, monkeypatch):
    from lms.certificates.pdf import transcript, transcript_cache

    people = [record(holder_name=f"Peserta Nomor {n:03d}", code=f"7K3M-Q9TZ-0B4D-XW2R-{n:04d}") for n in range(6)]
    alone = [render_certificate(data, layout) for data in people]  # each in its own render: no sharing
    fits = []
    original = transcript._fit_table

    def counted(*args, **kwargs):
        fits.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(transcript, "_fit_table", counted)
    with transcript_cache():
        shared = [render_certificate(data, layout) for data in people]
    assert shared == alone  # byte-identical with a warm cache and with none
    assert len(fits) == 1  # one fit for six certificates of the same training


def test_the_cache_never_shares_a_fit_between_different_transcripts(layout, monkeypatch):
    from lms.certificates.pdf import transcript, transcript_cache

    longer = (*TRANSCRIPT, *(TranscriptRow(f"Praktik lapangan hari ke-{n}", 2, "Tim Fasilitator") for n in range(14)))
    fits = []
    original = transcript._fit_table
    monkeypatch.setattr(transcript, "_fit_table", lambda *a, **k: fits.append(1) or original(*a, **k))
    with transcript_cache():
        short_pdf = render_certificate(record(), layout)
        long_pdf = render_certificate(record(transcript=longer, jp=24 + 28), layout)
    assert len(fits) >= 2
    short_back, long_back = " ".join(pages_text(short_pdf)[1:]), " ".join(pages_text(long_pdf)[1:])
    assert "Praktik lapangan hari ke-13" in long_back and "Praktik lapangan" not in short_back
    assert long_pdf == render_certificate(record(transcript=longer, jp=24 + 28), layout)


def test_fitted_text_is_the_same_inside_and_outside_a_fitting_cache():
    from lms.pdftext import fitting_cache

    text = "Bimbingan Teknis Pengelolaan Media Sosial Instansi Pemerintah bagi Admin OPD"
    plain = (fit_lines(text, "Times-Bold", 24, 14, 300, 2), wrap_text(text, "Times-Roman", 10, 120))
    with fitting_cache():
        first = (fit_lines(text, "Times-Bold", 24, 14, 300, 2), wrap_text(text, "Times-Roman", 10, 120))
        first[1].append("diubah pemanggil")  # a caller changing its list must not change the cache
        again = (fit_lines(text, "Times-Bold", 24, 14, 300, 2), wrap_text(text, "Times-Roman", 10, 120))
        other = wrap_text(text, "Times-Roman", 10, 200)
    assert again == plain and first[0] == plain[0]
    assert other != plain[1] and other == wrap_text(text, "Times-Roman", 10, 200)


# ---------------------------------------------------------------- drawing once per run


def test_a_bulk_run_draws_the_same_table_and_letterhead_once(layout, monkeypatch):
    from lms.certificates.pdf import page as page_module
    from lms.certificates.pdf import transcript, transcript_cache

    logo = png((300, 360), (20, 60, 140, 255))
    people = [record(holder_name=f"Peserta Nomor {n:03d}", code=f"7K3M-Q9TZ-0B4D-XW2R-{n:04d}") for n in range(4)]
    alone = [render_certificate(data, layout, logo=logo) for data in people]
    tables, lines = [], []
    draw_table, draw_line = transcript._draw_table_rows, page_module._draw_centred
    monkeypatch.setattr(transcript, "_draw_table_rows", lambda *a: tables.append(1) or draw_table(*a))
    monkeypatch.setattr(page_module, "_draw_centred",
                        lambda page, line, *a: lines.append(line.parts[0][0]) or draw_line(page, line, *a))
    with transcript_cache():
        shared = [render_certificate(data, layout, logo=logo) for data in people]
    assert shared == alone  # the copied operators are the drawn ones, byte for byte
    assert len(tables) == 1
    assert lines.count("DINAS KOMUNIKASI DAN INFORMATIKA KABUPATEN CONTOH") == 1
    assert lines.count("SERTIFIKAT") == 1 and lines.count("diberikan kepada") == 1
    # What differs per person is drawn for each of them.
    assert [line for line in lines if line.startswith("Peserta Nomor")] == [data.holder_name for data in people]


def test_a_copied_fragment_is_drawn_again_when_the_document_names_its_font_differently(layout):
    from reportlab.pdfgen.canvas import Canvas

    from lms.certificates.pdf.page import Page, drawing_cache, drawn

    def draw(page: Page) -> float:
        return page.text(100, 100, "Sama di setiap halaman", "Times-Bold", 12, "#1F1F1F")

    def canvas(first_font: str | None) -> Canvas:
        made = Canvas(io.BytesIO(), invariant=1)
        if first_font:
            made.setFont(first_font, 10)  # the document's first font becomes /F1
        return made

    plain = canvas(None)
    expected_width = draw(Page(plain, layout))
    with drawing_cache():
        first = canvas("Times-Roman")  # Times-Bold is /F3 in this document (Helvetica is /F1)
        drawn(Page(first, layout), ("heading",), lambda: draw(Page(first, layout)))
        second = canvas(None)  # and /F2 in this one: the copy would name the wrong font
        page = Page(second, layout)
        start = len(second._code)
        assert drawn(page, ("heading",), lambda: draw(page)) == expected_width
        third = canvas("Times-Roman")
        copied = Page(third, layout)
        copy_start = len(third._code)
        assert drawn(copied, ("heading",), lambda: pytest.fail("an identical document copies")) == expected_width
    assert second._code[start:] == plain._code[-len(second._code[start:]):]
    assert any(code.startswith("BT /F2 12 Tf") for code in second._code[start:])
    assert any(code.startswith("BT /F3 12 Tf") for code in third._code[copy_start:])
    assert third._code[copy_start:] == first._code[-len(third._code[copy_start:]):]


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf").is_file(),
                    reason="needs Debian's fonts-dejavu-core")
def test_embedded_fonts_are_drawn_on_every_certificate_of_a_bulk_run(tmp_path: Path) -> None:
    from lms.certificates.pdf import transcript_cache

    (tmp_path / "fonts").mkdir()
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", tmp_path / "fonts" / "DejaVuSerif.ttf")
    (tmp_path / "layout.toml").write_text('[fonts]\nserif = "DejaVu Serif"\n\n[fonts.files]\n'
                                          '"DejaVu Serif" = "DejaVuSerif.ttf"\n', encoding="utf-8")
    ttf = load_layout(tmp_path / "layout.toml")
    people = [record(holder_name=name, agency="Dinas Łódź Ğ") for name in ("Nguyễn Thị", "Łucja Ŵ")]
    alone = [render_certificate(data, ttf) for data in people]
    with transcript_cache():
        shared = [render_certificate(data, ttf) for data in people]
    assert shared == alone
    assert all("Dinas Łódź Ğ" in flat(pages_text(pdf)[0]) for pdf in shared)


@pytest.mark.parametrize("mode, objects", [("RGB", 1), ("RGBA", 2)])  # opaque; with a soft mask, an image of its own
def test_a_cached_image_is_drawn_as_drawimage_draws_it_and_compressed_once(mode, objects, monkeypatch):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfdoc import PDFImageXObject
    from reportlab.pdfgen.canvas import Canvas

    from lms.certificates.pdf.images import CachedImage, draw_image

    def document(draw) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        for page in range(2):
            draw(canvas, 40, 50, 120, 90)
            draw(canvas, 300, 50 + page, 60, 45)  # the same image again: one object in the file
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    with Image.open(io.BytesIO(png((90, 70), (20, 60, 140, 128)))) as opened:
        pixels = opened.convert(mode)
    expected = document(lambda canvas, *box: canvas.drawImage(ImageReader(pixels), *box, mask="auto"))
    loads = []
    load = PDFImageXObject.loadImageFromSRC
    monkeypatch.setattr(PDFImageXObject, "loadImageFromSRC", lambda self, image: loads.append(1) or load(self, image))
    cached = CachedImage(pixels)
    documents = [document(lambda canvas, *box: draw_image(canvas, cached, *box)) for _ in range(3)]
    assert documents == [expected] * 3
    assert len(loads) == objects  # the pixels were hashed and compressed for the first document only
    assert (b"/SMask" in expected) == (mode == "RGBA")
