"""Choosing a QR code's data mask in a few milliseconds instead of twenty-five.

A QR encoder tries the eight data masks of ISO/IEC 18004 (7.8.2) and keeps the one with
the lowest penalty (7.8.3): long runs, 2x2 blocks, finder-like 1:1:3:1:1 patterns and an
uneven share of dark modules make a code harder to scan. ``segno`` does this one module at
a time in Python: for a link of ~480 characters (version 17, 85x85) that is ~25 ms of the
~30 ms an encode takes, all of it holding the GIL while the window waits to paint.

Here the code is encoded once by ``segno`` with mask 0 (its public ``mask`` argument), the
data modules are unmasked, and each of the eight candidates is rebuilt and scored with whole
rows and columns as Python integers (one bit a module), so every rule is a handful of
shifts, ANDs and ``int.bit_count`` per line. The symbol for the chosen mask, format bits
included, is exactly what ``segno.make_qr(text, mask=chosen)`` draws; the tests check that
for every mask across the versions, and check the scores against a module-by-module
reference written from the standard.

The penalties are those of the standard, counted on the finished symbol (format and version
information included, as ZXing does); segno counts before its format bits are written, so
for some texts the two pick different masks. Both are valid codes: any of the eight masks
decodes, the penalty only prefers the easiest to scan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from itertools import pairwise

# ISO/IEC 18004 7.8.2, with i the row and j the column (as segno's mask functions).
MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
# Every mask's row pattern repeats with the row number modulo 12 (2, 3, 4 and 6 divide it).
_ROW_PERIOD = 12
# 7.9.1: error correction level M is 00; the 15 format bits are BCH(15, 5), XOR 0x5412.
_LEVEL_M_BITS = 0b00
_FORMAT_GENERATOR = 0b10100110111
_FORMAT_XOR = 0b101010000010010


def format_bits(mask: int, level_bits: int = _LEVEL_M_BITS) -> int:
    """The 15 format-information bits for a level and mask (ISO/IEC 18004 7.9.1)."""
    data = (level_bits << 3) | mask
    remainder = data << 10
    for bit in range(14, 9, -1):
        if remainder >> bit & 1:
            remainder ^= _FORMAT_GENERATOR << (bit - 10)
    return ((data << 10) | remainder) ^ _FORMAT_XOR


def format_positions(size: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(row, column) of format bit 0..14, first copy (around the top-left finder) and
    second copy (split between the top-right and bottom-left finders)."""
    first = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)]
    first += [(8, 14 - i) for i in range(9, 15)]
    second = [(8, size - 1 - i) for i in range(8)]
    second += [(size - 15 + i, 8) for i in range(8, 15)]
    return first, second


def alignment_centres(version: int) -> list[int]:
    """Row/column centres of the alignment patterns (ISO/IEC 18004 Annex E)."""
    if version == 1:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    size = version * 4 + 17
    return [6, *sorted(size - 7 - k * step for k in range(count - 1))]


@cache
def _data_region(version: int) -> tuple[int, ...]:
    """Per row, the modules a mask applies to (bit j set for column j)."""
    size = version * 4 + 17
    taken = [[False] * size for _ in range(size)]

    def block(top: int, left: int, height: int, width: int) -> None:
        for i in range(max(top, 0), min(top + height, size)):
            for j in range(max(left, 0), min(left + width, size)):
                taken[i][j] = True

    for top, left in ((0, 0), (0, size - 8), (size - 8, 0)):
        block(top, left, 8, 8)  # finder pattern and its separator
    block(6, 0, 1, size)  # timing patterns
    block(0, 6, size, 1)
    block(8, 0, 1, 9)  # format information (and the dark module below)
    block(0, 8, 9, 1)
    block(8, size - 8, 1, 8)
    block(size - 8, 8, 8, 1)
    centres = alignment_centres(version)
    last = len(centres) - 1
    for a, row in enumerate(centres):
        for b, column in enumerate(centres):
            if (a, b) in ((0, 0), (0, last), (last, 0)):
                continue  # where a finder pattern is
            block(row - 2, column - 2, 5, 5)
    if version >= 7:
        block(0, size - 11, 6, 3)  # version information
        block(size - 11, 0, 3, 6)
    full = (1 << size) - 1
    return tuple(full & ~_bits(row) for row in taken)


def _bits(modules: Sequence[bool | int]) -> int:
    """A row of modules as an integer, bit j for column j."""
    return int("".join("1" if m else "0" for m in reversed(modules)) or "0", 2)


@cache
def _mask_rows(size: int) -> tuple[tuple[int, ...], ...]:
    """Per mask, the pattern of rows 0..11 (bit j set where the mask inverts column j)."""
    return tuple(
        tuple(_bits([fn(i, j) for j in range(size)]) for i in range(_ROW_PERIOD)) for fn in MASKS
    )


def _transpose(rows: Sequence[int], size: int) -> list[int]:
    """Columns as integers (bit i for row i) from rows as integers (bit j for column j)."""
    text = [format(row, f"0{size}b") for row in rows]  # column size-1 first
    return [int("".join(reversed(column)), 2) for column in zip(*text, strict=True)][::-1]


def _line_penalty(line: int, full: int) -> tuple[int, int]:
    """(N1, N3) of one row or column: runs of five or more, finder-like patterns."""
    n1 = 0
    for x in (line, full & ~line):
        run5 = x & x >> 1 & x >> 2 & x >> 3 & x >> 4  # five alike starting here
        n1 += 3 * (run5 & ~(run5 << 1)).bit_count() + (run5 & x >> 5).bit_count()
    light = ~line  # beyond the last column counts as light
    # dark, light, dark, dark, dark, light, dark (symmetric, so either direction)
    pattern = line & light >> 1 & line >> 2 & line >> 3 & line >> 4 & light >> 5 & line >> 6
    if not pattern:
        return n1, 0
    before = (light << 4) | 0b1111  # bit k is column k - 4; before the first is light
    light_before = before & before >> 1 & before >> 2 & before >> 3
    light_after = light >> 7 & light >> 8 & light >> 9 & light >> 10
    return n1, 40 * (pattern & (light_before | light_after)).bit_count()


def penalty(rows: Sequence[int], size: int) -> int:
    """The ISO/IEC 18004 7.8.3.1 penalty of a finished symbol given as row integers."""
    full = (1 << size) - 1
    score = 0
    for line in (*rows, *_transpose(rows, size)):
        n1, n3 = _line_penalty(line, full)
        score += n1 + n3
    for upper, lower in pairwise(rows):  # N2: 2x2 blocks alike
        dark = upper & lower
        light = full & ~upper & ~lower
        score += 3 * ((dark & dark >> 1).bit_count() + (light & light >> 1).bit_count())
    dark_share = sum(row.bit_count() for row in rows) * 100 / (size * size)
    return score + 10 * int(abs(dark_share - 50) / 5)


def candidates(rows_mask0: Sequence[int], version: int) -> list[list[int]]:
    """The finished symbol, as row integers, for each of the eight masks, from the symbol
    drawn with mask 0."""
    size = version * 4 + 17
    region = _data_region(version)
    patterns = _mask_rows(size)
    unmasked = [
        row ^ (patterns[0][i % _ROW_PERIOD] & region[i]) for i, row in enumerate(rows_mask0)
    ]
    first, second = format_positions(size)
    symbols = []
    for mask in range(8):
        rows = [
            row ^ (patterns[mask][i % _ROW_PERIOD] & region[i]) for i, row in enumerate(unmasked)
        ]
        bits = format_bits(mask)
        for k, (i, j) in enumerate(first + second):
            value = bits >> (k % 15) & 1
            rows[i] = (rows[i] & ~(1 << j)) | (value << j)
        symbols.append(rows)
    return symbols


def best_symbol(rows_mask0: Sequence[int], version: int) -> tuple[int, list[int]]:
    """(mask, rows) of the candidate with the lowest penalty; the lowest mask on a tie."""
    size = version * 4 + 17
    scored = [
        (penalty(rows, size), mask, rows)
        for mask, rows in enumerate(candidates(rows_mask0, version))
    ]
    _, mask, rows = min(scored, key=lambda entry: (entry[0], entry[1]))
    return mask, rows


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def rows_of(matrix: Sequence[bytes | bytearray]) -> list[int]:
    """segno's matrix (rows of 0/1 bytes) as row integers."""
    return [int(bytes(row[::-1]).translate(_DIGITS), 2) for row in matrix]
