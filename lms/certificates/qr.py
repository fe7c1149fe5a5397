"""QR codes for verification links, drawn as vector rectangles straight onto a PDF canvas.

The symbol is ReportLab's (byte mode, error correction level M, mask pattern 0): its function
patterns and the order of its data modules come from ReportLab's encoder, built once per version,
and only the codewords are computed per text, with table-driven Reed-Solomon arithmetic. The
matrix is the one ReportLab's QRCode would make for the same text and mask, in a small fraction of
its time (tests compare the two).
"""

from __future__ import annotations

import re
from functools import cache

from reportlab.graphics.barcode.qrencoder import (
    EXP_TABLE,
    LOG_TABLE,
    QRCode,
    QRErrorCorrectLevel,
    QRRSBlock,
)
from reportlab.pdfgen.canvas import Canvas

# Scoring all 8 masks costs 9 matrix builds; any single mask gives a valid QR code. The checkerboard
# (pattern 0) avoids the large same-coloured blocks that make a mask score badly.
MASK_PATTERN = 0
QUIET_ZONE = 4  # modules of light margin the standard requires around the symbol
MAX_BYTES = 1000  # far above any verification URL; level M holds 2331 bytes at version 40
LEVEL = QRErrorCorrectLevel.M
BYTE_MODE = 0b0100
PADDING = (0xEC, 0x11)  # the pad codewords, alternating, after the data
_DARK_RUN = re.compile(rb"\x01+")  # in a row of modules as bytes (True is 1)


def qr_matrix(text: str) -> list[list[bool]]:
    """Return the QR modules (True = dark) for text at error correction level M."""
    data = text.encode("utf-8")
    if not data:
        raise ValueError("teks kode QR kosong")
    if len(data) > MAX_BYTES:
        raise ValueError(f"teks kode QR terlalu panjang ({len(data)} bita, paling banyak "
                         f"{MAX_BYTES})")
    version = _version(len(data))
    template, positions = _symbol(version)
    matrix = [list(row) for row in template]
    bits = "".join(map("{:08b}".format, _codewords(data, version)))
    for column, row in (positions[index] for index, bit in enumerate(bits) if bit == "1"):
        matrix[row][column] = not matrix[row][column]  # a dark data bit flips the masked module
    return matrix


def _length_bits(version: int) -> int:
    return 8 if version < 10 else 16


@cache
def _blocks(version: int) -> tuple[tuple[int, int], ...]:
    """Return (data codewords, error correction codewords) of each Reed-Solomon block."""
    return tuple((block.dataCount, block.totalCount - block.dataCount)
                 for block in QRRSBlock.getRSBlocks(version, LEVEL))


def _version(length: int) -> int:
    """Return the smallest version whose data codewords hold length bytes in byte mode."""
    for version in range(1, 40):
        if 4 + _length_bits(version) + 8 * length <= 8 * sum(data for data, _ in _blocks(version)):
            return version
    raise ValueError(f"teks kode QR terlalu panjang ({length} bita)")


@cache
def _symbol(version: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int], ...]]:
    """Return the symbol with every data module light (masked), and the data modules' order.

    ReportLab draws the finder, timing and alignment patterns and the format and version
    information; with no data its data modules are the mask alone, and flipping the module of
    each dark data bit gives the symbol of any text of this version.
    """
    code = QRCode(version, LEVEL)
    code.dataCache = []
    code.makeImpl(False, MASK_PATTERN)
    return (tuple(tuple(row) for row in code.modules),
            tuple((column, row) for column, row in code.dataPosIterator()))


def _codewords(data: bytes, version: int) -> list[int]:
    """Return the data and error correction codewords of data, interleaved as they are placed."""
    blocks = _blocks(version)
    capacity = sum(count for count, _ in blocks)
    length_bits = _length_bits(version)
    bits = 4 + length_bits + 8 * len(data)
    value = int.from_bytes(data, "big") | ((BYTE_MODE << length_bits | len(data)) << 8 * len(data))
    if bits + 4 <= 8 * capacity:  # the terminator, when there is room for it
        value, bits = value << 4, bits + 4
    value, bits = value << (-bits % 8), bits + (-bits % 8)
    stream = list(value.to_bytes(bits // 8, "big"))
    stream += [PADDING[index % 2] for index in range(capacity - len(stream))]
    data_blocks, ec_blocks, offset = [], [], 0
    for count, ec_count in blocks:
        data_blocks.append(stream[offset:offset + count])
        ec_blocks.append(_remainder(data_blocks[-1], ec_count))
        offset += count
    return [block[index] for group in (data_blocks, ec_blocks)
            for index in range(max(len(block) for block in group))
            for block in group if index < len(block)]


@cache
def _generator_multiples(ec_count: int) -> tuple[int, ...]:
    """Return, for each byte value f, the generator polynomial times f as one integer.

    The leading 1 is left out; the other coefficients are the integer's bytes, highest first.
    """
    poly = [1]
    for power in range(ec_count):  # multiply by (x - a^power)
        root = EXP_TABLE[power]
        poly = [high ^ _multiply(low, root) for high, low in zip([*poly, 0], [0, *poly])]
    return tuple(int.from_bytes(bytes(_multiply(coefficient, factor) for coefficient in poly[1:]), "big")
                 for factor in range(256))


def _multiply(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP_TABLE[(LOG_TABLE[a] + LOG_TABLE[b]) % 255]


def _remainder(block: list[int], ec_count: int) -> list[int]:
    """Return the Reed-Solomon error correction codewords of block (polynomial division).

    The remainder is held as one integer of ec_count bytes: each step shifts it by a codeword
    and adds (XOR) the generator's multiple that cancels the byte shifted out.
    """
    multiples = _generator_multiples(ec_count)
    shift, mask = 8 * (ec_count - 1), (1 << 8 * ec_count) - 1
    remainder = 0
    for codeword in block:
        remainder = (remainder << 8 & mask) ^ multiples[codeword ^ remainder >> shift]
    return list(remainder.to_bytes(ec_count, "big"))


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw matrix in a size × size square (quiet zone included) with its lower left at (x, y)."""
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    canvas.saveState()
    # A light background keeps the quiet zone light even over a background image.
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # Work in module units, row 0 at the top: every rectangle is then whole numbers, exact (no
    # hairline seams between rows) and short to write, which matters when issuing in bulk.
    top = y + size - QUIET_ZONE * module
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, top)
    rectangles = [f"{start} {row_index} {length} 1 re"
                  for row_index, row in enumerate(matrix) for start, length in dark_runs(row)]
    # One path filled once (non-zero winding): far fewer operators than a rectangle per module.
    canvas.addLiteral("\n".join(rectangles) + "\nf")
    canvas.restoreState()


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """Return (start, length) of each horizontal run of dark modules in row."""
    return [(run.start(), run.end() - run.start()) for run in _DARK_RUN.finditer(bytes(row))]
