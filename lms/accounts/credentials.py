"""Downloads of freshly issued one-time passwords: the slips to cut (PDF) or a CSV, never cached."""

from __future__ import annotations

from werkzeug.wrappers import Response

from lms.accounts import services
from lms.accounts.models import User
from lms.accounts.slips import Slip, render_slips
from lms.csvsafe import write_csv
from lms.dates import compact_stamp
from lms.db_types import utcnow
from lms.web import send_bytes, venue_base_url


def credential_download(issued: list[tuple[User, str]], output: str) -> Response:
    """Answer with the slips of freshly issued one-time passwords (PDF or CSV), never cached."""
    slips = [Slip(u.full_name, u.login_name, u.agency.name if u.agency else "", pw) for u, pw in issued]
    stamp = compact_stamp(utcnow())
    if output == "csv":
        body = write_csv(["nama", "masuk_dengan", "opd", "kata_sandi_sekali_pakai"],
                         [(s.name, s.login, s.agency, s.password) for s in slips])
        return send_bytes(body, "text/csv; charset=utf-8", f"kata-sandi-{stamp}.csv", private=True)
    pdf = render_slips(slips, services.current_institution().name, venue_base_url())
    return send_bytes(pdf, "application/pdf", f"slip-kata-sandi-{stamp}.pdf", private=True)
