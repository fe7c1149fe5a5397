"""Refuse ZIP archives (XLSX included) whose declared contents would exhaust memory: pure."""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_ZIP64_LOCATOR = b"PK\x06\x07"
# What the app's readers open: stored or deflated members (XLSX uses no other), never encrypted.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ENCRYPTED = 0x1
# Small members (a few KB of XML) may compress far better than bulk data; ratios count above this.
_RATIO_FLOOR = 1024 * 1024


class ZipRefused(ValueError):
    """The archive is damaged or larger than the limits; the message is Indonesian."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 200
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100


def check_zip(data: bytes, limits: ZipLimits = ZipLimits(), label: str = "Berkas") -> None:
    """Raise ZipRefused unless data is a ZIP whose declared members fit within limits.

    Reads only the end record and the central directory: nothing is decompressed.
    """
    _check_count(_declared_member_count(data, label), limits, label)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
        raise ZipRefused(f"{label} rusak (arsip ZIP tidak dapat dibaca).") from exc
    _check_members(members, limits, label)


def check_zip_file(path: Path, limits: ZipLimits = ZipLimits(), label: str = "Berkas") -> None:
    """Raise ZipRefused unless the ZIP file at path fits within limits (as check_zip, without reading it all)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        tail_start = max(0, size - _EOCD_SIZE - _MAX_COMMENT - 20)
        handle.seek(tail_start)
        tail = handle.read()
    _check_count(_declared_member_count(tail, label), limits, label)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
        raise ZipRefused(f"{label} rusak (arsip ZIP tidak dapat dibaca).") from exc
    _check_members(members, limits, label)


def _check_count(count: int, limits: ZipLimits, label: str) -> None:
    if count > limits.max_members:
        raise ZipRefused(f"{label} berisi {count} bagian; paling banyak {limits.max_members}.")


def _check_members(members: list[zipfile.ZipInfo], limits: ZipLimits, label: str) -> None:
    total = sum(member.file_size for member in members)
    if total > limits.max_total_bytes:
        raise ZipRefused(f"{label} terlalu besar setelah dibuka ({_megabytes(total)}); paling "
                         f"besar {_megabytes(limits.max_total_bytes)}.")
    packed = sum(member.compress_size for member in members)
    for member in members:
        _check_method(member, label)
        _check_ratio(member.file_size, member.compress_size, limits.max_ratio, label)
    _check_ratio(total, packed, limits.max_ratio, label)


def _declared_member_count(data: bytes, label: str) -> int:
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT))
    if start < 0 or len(data) < start + _EOCD_SIZE:
        raise ZipRefused(f"{label} rusak (arsip ZIP tidak lengkap).")
    count = struct.unpack("<H", data[start + 10:start + 12])[0]
    if count == 0xFFFF or data.rfind(_ZIP64_LOCATOR, max(0, start - 20), start) >= 0:
        raise ZipRefused(f"{label} memakai format ZIP64; terlalu besar untuk diunggah.")
    return count


def _check_method(member: zipfile.ZipInfo, label: str) -> None:
    if member.flag_bits & _ENCRYPTED:
        raise ZipRefused(f"{label} ditolak: bagian {member.filename} terkunci kata sandi.")
    if member.compress_type not in _METHODS:
        raise ZipRefused(f"{label} ditolak: bagian {member.filename} memakai metode kompresi "
                         f"{member.compress_type}, yang tidak didukung (hanya stored dan deflate).")


def _check_ratio(size: int, packed: int, max_ratio: int, label: str) -> None:
    if size > _RATIO_FLOOR and size > max_ratio * max(packed, 1):
        raise ZipRefused(f"{label} ditolak: isinya memadat lebih dari {max_ratio} kali "
                         "(ciri bom ZIP).")


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.0f} MB"
