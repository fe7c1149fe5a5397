"""Downloads of freshly issued one-time passwords: the slips to cut (PDF), a CSV or XLSX, never cached."""

from __future__ import annotations

from werkzeug.wrappers import Response

from lms.accounts import services
from lms.accounts.models import User
from lms.accounts.slips import Slip, render_slips
from lms.dates import compact_stamp
from lms.db_types import utcnow
from lms.exports import Column, Table, format_arg, send_export
from lms.web import send_bytes, venue_base_url


def credential_download(issued: list[tuple[User, str]], output: str) -> Response:
    """Answer with the slips of freshly issued one-time passwords (PDF, CSV or XLSX), never cached."""
    slips = [Slip(u.full_name, u.login_name, u.agency.name if u.agency else "", pw) for u, pw in issued]
    stamp = compact_stamp(utcnow())
    if fmt := format_arg(output):
        # masuk_dengan is an NIP (kept as text, grouped in the CSV: the login form reads both) or an e-mail.
        table = Table("Kata Sandi", (Column("nama"), Column("masuk_dengan", "nip"), Column("opd"),
                                     Column("kata_sandi_sekali_pakai")),
                      [(s.name, s.login, s.agency, s.password) for s in slips])
        return send_export(table, fmt, f"kata-sandi-{stamp}", private=True)
    pdf = render_slips(slips, services.current_institution().name, venue_base_url())
    return send_bytes(pdf, "application/pdf", f"slip-kata-sandi-{stamp}.pdf", private=True)
