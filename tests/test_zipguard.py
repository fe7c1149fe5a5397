"""The ZIP guard judges an archive from its directory alone: table-driven."""

import io
import zipfile

import pytest

from lms.zipguard import ZipLimits, ZipRefused, check_zip


def archive(members, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as handle:
        for name, content in members:
            handle.writestr(name, content)
    return buffer.getvalue()


def test_ordinary_archive_passes():
    check_zip(archive([("a.xml", "<a/>" * 100), ("b.bin", bytes(range(256)) * 8)]))


@pytest.mark.parametrize("members, limits, fragment", [
    ([(f"m{n}.xml", "x") for n in range(12)], ZipLimits(max_members=10), "berisi 12 bagian; paling banyak 10"),
    ([("big.bin", b"\0" * (3 * 1024 * 1024))], ZipLimits(max_total_bytes=2 * 1024 * 1024),
     "terlalu besar setelah dibuka (3 MB); paling besar 2 MB"),
    ([("bomb.xml", "<row/>" * 400_000)], ZipLimits(), "memadat lebih dari 100 kali"),
])
def test_refusals_name_the_limit(members, limits, fragment):
    with pytest.raises(ZipRefused, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        check_zip(archive(members), limits, "Berkas XLSX")


def test_stored_padding_does_not_hide_a_bomb_member():
    random_bytes = bytes((n * 7919) % 251 for n in range(2 * 1024 * 1024))
    data = archive([("pad.bin", random_bytes), ("bomb.xml", "<row/>" * 400_000)])
    with pytest.raises(ZipRefused, match="bom ZIP"):
        check_zip(data)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a zip", b"PK\x05\x06" + b"\0" * 10])
def test_damaged_archives_are_refused(data):
    with pytest.raises(ZipRefused, match="rusak"):
        check_zip(data)


def test_zip64_end_record_is_refused():
    data = archive([("a.xml", "<a/>")])
    eocd = data.rfind(b"PK\x05\x06")
    forged = data[:eocd + 10] + b"\xff\xff" + data[eocd + 12:]
    with pytest.raises(ZipRefused, match="ZIP64"):
        check_zip(forged)


def test_unsupported_compression_is_refused_before_anything_is_read():
    data = archive([("xl/workbook.xml", "<workbook/>")], method=zipfile.ZIP_LZMA)
    with pytest.raises(ZipRefused, match="xl/workbook.xml memakai metode kompresi 14, yang tidak didukung"):
        check_zip(data)
    check_zip(archive([("a.xml", "<a/>")], method=zipfile.ZIP_STORED))


def test_an_encrypted_member_is_refused():
    data = bytearray(archive([("secret.xml", "<a/>")], method=zipfile.ZIP_STORED))
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the central directory's general-purpose flag: encrypted
    with pytest.raises(ZipRefused, match="secret.xml terkunci kata sandi"):
        check_zip(bytes(data))
