"""The bundle file: a ZIP of JSON Lines and binary members with a manifest of their SHA-256.

Writing streams every member to disk; reading checks the archive (size, ZIP bomb, paths,
every member's hash) before a single row is looked at. The messages are Indonesian.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from lms.errors import LmsError
from lms.zipguard import ZipLimits, ZipRefused, check_zip_file

FORMAT = "lms-training-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# Members are rows (JSON, compressible) and already-compressed images and PDFs (stored as they are).
_PACKED_SUFFIXES = (".jsonl", ".json")


class BundleRefused(LmsError):
    """The bundle cannot be read or does not belong here; nothing was changed."""


@dataclass(frozen=True)
class Member:
    sha256: str
    size: int


class BundleWriter:
    """Write members one by one, hashing each on the way; the manifest goes in last."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w")
        self.members: dict[str, Member] = {}

    def add_lines(self, name: str, rows: Iterable[dict[str, Any]]) -> int:
        """Write rows as JSON Lines; return how many."""
        count = 0
        digest = hashlib.sha256()
        size = 0
        with self._zip.open(self._info(name), "w") as handle:
            for row in rows:
                line = (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
                handle.write(line)
                digest.update(line)
                size += len(line)
                count += 1
        self.members[name] = Member(digest.hexdigest(), size)
        return count

    def add_bytes(self, name: str, data: bytes) -> None:
        with self._zip.open(self._info(name), "w") as handle:
            handle.write(data)
        self.members[name] = Member(hashlib.sha256(data).hexdigest(), len(data))

    def finish(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "members": {name: {"sha256": m.sha256, "size": m.size}
                                            for name, m in sorted(self.members.items())}}
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        self._zip.writestr(self._info(MANIFEST), body)
        self._zip.close()

    @staticmethod
    def _info(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if name.endswith(_PACKED_SUFFIXES) else zipfile.ZIP_STORED
        return info


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int
    max_members: int = 60000
    max_ratio: int = 200

    @property
    def unpacked_bytes(self) -> int:
        return self.max_bytes * 4


class BundleReader:
    """A checked bundle: its manifest, its rows and its files."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._zip = zipfile.ZipFile(path)

    def close(self) -> None:
        self._zip.close()

    def has(self, name: str) -> bool:
        return name in self.manifest["members"]

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        """Yield the rows of a JSON Lines member (none when the bundle has no such member)."""
        if not self.has(name):
            return
        with self._zip.open(name) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise BundleRefused(f"Bagian {name} baris {number} bukan JSON yang sah.") from exc
                if not isinstance(row, dict):
                    raise BundleRefused(f"Bagian {name} baris {number} bukan objek JSON.")
                yield row

    def read(self, name: str) -> bytes:
        if not self.has(name):
            raise BundleRefused(f"Bagian {name} tidak ada di bundel.")
        return self._zip.read(name)


def open_bundle(path: Path, limits: ReadLimits, label: str = "Bundel") -> BundleReader:
    """Check the bundle file at path and return its reader, or raise BundleRefused naming the problem."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise BundleRefused(f"{label} berukuran {_mb(size)}; batas unggah {_mb(limits.max_bytes)}.")
    try:
        check_zip_file(path, ZipLimits(limits.max_members, limits.unpacked_bytes, limits.max_ratio), label)
    except ZipRefused as exc:
        raise BundleRefused(str(exc)) from exc
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        for name in names:
            _check_name(name, label)
        if MANIFEST not in names:
            raise BundleRefused(f"{label} bukan bundel pelatihan: {MANIFEST} tidak ada.")
        manifest = _manifest(archive, label)
        _check_members(archive, set(names), manifest, label)
    return BundleReader(path, manifest)


def _check_name(name: str, label: str) -> None:
    pure = PurePosixPath(name)
    if "\\" in name or pure.is_absolute() or ".." in pure.parts or (name[1:2] == ":"):
        raise BundleRefused(f"{label} ditolak: bagian {name!r} menunjuk ke luar arsip (jalur tidak aman).")


def _manifest(archive: zipfile.ZipFile, label: str) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise BundleRefused(f"{label} rusak: {MANIFEST} tidak dapat dibaca.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleRefused(f"{label} bukan bundel pelatihan (format di {MANIFEST} tidak dikenal).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BundleRefused(f"{label} memakai format bundel versi {version}; aplikasi ini membaca sampai "
                            f"versi {FORMAT_VERSION}. Perbarui aplikasi ini terlebih dahulu.")
    if not isinstance(manifest.get("members"), dict):
        raise BundleRefused(f"{label} rusak: daftar bagian di {MANIFEST} tidak ada.")
    return manifest


def _check_members(archive: zipfile.ZipFile, names: set[str], manifest: dict[str, Any], label: str) -> None:
    listed = manifest["members"]
    for name in sorted(listed):
        if name not in names:
            raise BundleRefused(f"{label} tidak lengkap: bagian {name} hilang.")
    for name in sorted(names - set(listed) - {MANIFEST}):
        raise BundleRefused(f"{label} ditolak: bagian {name} tidak tercantum di {MANIFEST}.")
    for name, expected in sorted(listed.items()):
        if not isinstance(expected, dict) or _digest(archive, name, label) != expected.get("sha256"):
            raise BundleRefused(f"{label} rusak: isi bagian {name} tidak cocok dengan SHA-256 di {MANIFEST}.")


def _digest(archive: zipfile.ZipFile, name: str, label: str) -> str:
    digest = hashlib.sha256()
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        raise BundleRefused(f"{label} rusak: bagian {name} tidak dapat dibuka ({exc}).") from exc
    return digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f} MB".replace(".", ",")
