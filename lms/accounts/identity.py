"""NIP, phone and name rules: pure functions, no Flask, no database."""

from __future__ import annotations

import re
from datetime import date

NIP_LENGTH = 18
_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


class IdentityError(ValueError):
    """A value is malformed; the message says how, in Indonesian."""


def normalize_nip(raw: str) -> str:
    """Return the 18-digit NIP in raw (spaces and dots allowed), or raise IdentityError."""
    text = raw.strip()
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise IdentityError(
            f"NIP tertulis sebagai angka ilmiah ({text}): Excel telah mengubahnya. "
            "Format kolom NIP sebagai Teks, lalu ketik ulang NIP-nya.")
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit():
        raise IdentityError("NIP hanya boleh berisi angka.")
    if len(digits) != NIP_LENGTH:
        raise IdentityError(f"NIP harus 18 digit (tertulis {len(digits)} digit).")
    _check_nip_parts(digits)
    return digits


def _check_nip_parts(nip: str) -> None:
    try:
        date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise IdentityError("8 digit pertama NIP bukan tanggal lahir yang sah.") from None
    if not 1 <= int(nip[12:14]) <= 12:
        raise IdentityError("Digit ke-13 dan 14 NIP (bulan pengangkatan) tidak sah.")
    if nip[14] not in "12":
        raise IdentityError("Digit ke-15 NIP (jenis kelamin) harus 1 atau 2.")
    if nip[15:] == "000":
        raise IdentityError(
            "Tiga digit terakhir NIP adalah 000: Excel kemungkinan membulatkan angka panjang. "
            "Format kolom NIP sebagai Teks, lalu ketik ulang NIP-nya.")


def format_nip(nip: str) -> str:
    """Group an NIP 8-6-1-3 as printed on official documents."""
    if len(nip) != NIP_LENGTH:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


MASK_KEEP = 2


def mask_nip(nip: str) -> str:
    """Hide an NIP for public pages, birth date and serial included: 19**************05."""
    # The only NIP mask in the app: every page that shows a masked NIP calls this.
    if len(nip) <= 2 * MASK_KEEP:
        return "*" * len(nip)
    return nip[:MASK_KEEP] + "*" * (len(nip) - 2 * MASK_KEEP) + nip[-MASK_KEEP:]


def normalize_phone(raw: str) -> str:
    """Return an Indonesian phone number as 08…/0… digits, or raise IdentityError."""
    text = raw.strip()
    if not text:
        return ""
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise IdentityError(
            f"Nomor HP tertulis sebagai angka ilmiah ({text}). "
            "Format kolom no_hp sebagai Teks, lalu ketik ulang nomornya.")
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not digits.isdigit():
        raise IdentityError("Nomor HP hanya boleh berisi angka, spasi, tanda hubung, atau +62.")
    if digits.startswith("8") and 9 <= len(digits) <= 12:
        raise IdentityError(
            f"Nomor HP {digits} kehilangan angka 0 di depan (Excel menganggapnya angka). "
            "Format kolom no_hp sebagai Teks, lalu ketik ulang nomornya.")
    if not digits.startswith("0") or not 9 <= len(digits) <= 14:
        raise IdentityError("Nomor HP harus diawali 0 atau +62 dan terdiri atas 9–14 digit.")
    return digits


def normalize_email(raw: str) -> str:
    """Return a lower-cased e-mail address, or raise IdentityError when it is not one."""
    text = raw.strip().lower()
    if not text:
        return ""
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", text):
        raise IdentityError(f"Alamat surel tidak sah: {raw.strip()}")
    return text


def name_key(name: str) -> str:
    """Return the matching key of an OPD name: case- and space-insensitive."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    """Collapse runs of spaces in a name as typed."""
    return " ".join(name.split())
