"""Certificate PDFs and exports go out as stored: never re-compressed, whatever the browser accepts."""

from lms.certificates import services
from lms.extensions import db
from tests.certificates.conftest import NOW


def test_pdf_downloads_are_not_compressed(client, auth, make_user, finished):
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    auth.login_as(make_user(role="admin", email="penyelenggara@contoh.go.id"))
    one = client.get(f"/certificates/{certificates[0].id}.pdf", headers={"Accept-Encoding": "br, gzip"})
    assert one.status_code == 200 and one.mimetype == "application/pdf"
    assert "Content-Encoding" not in one.headers and one.data == services.pdf_bytes(certificates[0])
    merged = client.get(f"/trainings/{finished.slug}/certificates/export?format=pdf",
                        headers={"Accept-Encoding": "gzip"})
    assert merged.status_code == 200 and "Content-Encoding" not in merged.headers
    assert merged.data.startswith(b"%PDF-")
    page = client.get(f"/trainings/{finished.slug}/certificates", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"  # the HTML page beside them is
