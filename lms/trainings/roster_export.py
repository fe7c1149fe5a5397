"""A training's participant list as an export table (CSV/XLSX): the organiser's contact sheet."""

from __future__ import annotations

from collections.abc import Sequence

from lms.accounts.models import User
from lms.exports import Column, Table

COLUMNS = (Column("No", "integer"), Column("Nama"), Column("NIP", "nip"), Column("Pangkat/Golongan"),
           Column("Jabatan"), Column("OPD"), Column("No. HP/WA", "phone"), Column("Surel"))


def participants_table(people: Sequence[User]) -> Table:
    """Return the participants, in the page's order, with NIP and phone kept as text."""
    return Table("Daftar Peserta", COLUMNS, [
        (n, u.full_name, u.nip or "", u.pangkat_golongan, u.jabatan, u.agency.name if u.agency else "", u.phone,
         u.email or "") for n, u in enumerate(people, start=1)])
