"""Downloads go through send_file: RFC 5987 names for non-ASCII, no-store for private files."""

from lms.web import send_bytes


def test_ascii_name_attachment_and_inline(app):
    with app.test_request_context("/"):
        response = send_bytes(b"a,b\n", "text/csv; charset=utf-8", "presensi-bimtek.csv")
        assert response.headers["Content-Disposition"] == "attachment; filename=presensi-bimtek.csv"
        assert response.mimetype == "text/csv" and "no-store" not in response.headers.get("Cache-Control", "")
        inline = send_bytes(b"%PDF", "application/pdf", "sertifikat.pdf", attachment=False)
        assert inline.headers["Content-Disposition"] == "inline; filename=sertifikat.pdf"


def test_non_ascii_name_is_sent_as_rfc_5987_with_an_ascii_fallback(app):
    with app.test_request_context("/"):
        response = send_bytes(b"%PDF", "application/pdf", "daftar-hadir-sesi-pembukaan–ruang-ö.pdf", private=True)
        disposition = response.headers["Content-Disposition"]
        disposition.encode("latin-1")  # a header must be Latin-1
        assert "filename*=UTF-8''daftar-hadir-sesi-pembukaan%E2%80%93ruang-%C3%B6.pdf" in disposition
        assert disposition.startswith("attachment; filename=daftar-hadir-sesi-pembukaanruang-o.pdf")
        assert response.headers["Cache-Control"] == "no-store"
        response.direct_passthrough = False
        assert response.get_data() == b"%PDF"
