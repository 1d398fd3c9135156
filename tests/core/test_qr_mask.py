"""The fast mask choice: the same symbols segno draws, scored as the standard says."""

from __future__ import annotations

import random
import re

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from vital_desktop.core.qr import qr_matrix
from vital_desktop.core.qr_mask import (
    best_symbol,
    candidates,
    format_bits,
    penalty,
    rows_of,
)

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789/:?=&-_."
# Lengths that land on versions from 1 to 40 (byte mode, level M), the link's own among them.
LENGTHS = (1, 14, 26, 42, 62, 84, 122, 152, 180, 213, 251, 287, 331, 362, 412, 480, 560, 640,
           700, 919, 1000, 1250, 1528, 1700, 2000, 2331)  # fmt: skip


def _text(length: int, seed: int = 0) -> str:
    chooser = random.Random(f"{length}-{seed}")
    return "".join(chooser.choice(ALPHABET) for _ in range(length))


def _segno(text: str, mask: int) -> segno.QRCode:
    return segno.make_qr(text, error="m", boost_error=False, mask=mask)


def _reference_penalty(m: list[list[int]]) -> int:
    """ISO/IEC 18004 7.8.3.1, one module at a time, written from the standard's table."""
    n = len(m)
    lines = [list(row) for row in m] + [[m[i][j] for i in range(n)] for j in range(n)]
    score = 0
    for line in lines:
        text = "".join(map(str, line))
        # N1: five or more alike in a line score 3 + (length - 5).
        score += sum(len(run) - 2 for run in re.findall(r"0{5,}|1{5,}", text))
        # N3: 1:1:3:1:1 with four light modules on either side (outside counts as light).
        padded = "0000" + text + "0000"
        for start in range(len(padded) - 6):
            if padded[start : start + 7] != "1011101":
                continue
            if padded[start - 4 : start] == "0000" or padded[start + 7 : start + 11] == "0000":
                score += 40
    # N2: every 2x2 block of one colour scores 3.
    for i in range(n - 1):
        for j in range(n - 1):
            if m[i][j] == m[i][j + 1] == m[i + 1][j] == m[i + 1][j + 1]:
                score += 3
    # N4: 10 for every full 5 % the dark share is away from 50 %.
    dark = sum(map(sum, m))
    return score + 10 * int(abs(dark * 100 / (n * n) - 50) / 5)


@pytest.mark.parametrize("length", LENGTHS)
def test_every_candidate_is_exactly_the_symbol_segno_draws_with_that_mask(length: int) -> None:
    text = _text(length)
    drawn = _segno(text, 0)
    version = drawn.version
    assert isinstance(version, int)
    built = candidates(rows_of(drawn.matrix), version)
    for mask in range(8):
        assert built[mask] == rows_of(_segno(text, mask).matrix), (version, mask)


def test_format_bits_are_the_standards_table_for_level_m() -> None:
    # ISO/IEC 18004 Table C.1, error correction level M, masks 0-7.
    table = [0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0]
    assert [format_bits(mask) for mask in range(8)] == table


@pytest.mark.parametrize("seed", range(12))
def test_the_penalty_agrees_with_the_module_by_module_reference(seed: int) -> None:
    chooser = random.Random(seed)
    size = chooser.choice((21, 25, 45, 85))
    # Random modules, with some long runs and blocks mixed in so every rule is exercised.
    m = [[chooser.random() < 0.5 for _ in range(size)] for _ in range(size)]
    for _ in range(size):
        i, j = chooser.randrange(size), chooser.randrange(size - 11)
        pattern = chooser.choice(["00001011101", "10111010000", "11111111", "0000000"])
        for k, bit in enumerate(pattern):
            m[i][j + k] = bit == "1"
    ints = [[int(b) for b in row] for row in m]
    rows = [sum(bit << j for j, bit in enumerate(row)) for row in ints]
    assert penalty(rows, size) == _reference_penalty(ints)


@pytest.mark.parametrize("length", (26, 331, 480, 1000))
def test_the_chosen_mask_has_the_lowest_reference_penalty(length: int) -> None:
    text = _text(length, seed=3)
    drawn = _segno(text, 0)
    assert isinstance(drawn.version, int)
    mask, rows = best_symbol(rows_of(drawn.matrix), drawn.version)
    scores = [_reference_penalty([list(r) for r in _segno(text, k).matrix]) for k in range(8)]
    assert scores[mask] == min(scores)
    assert mask == scores.index(min(scores))  # the lowest mask on a tie
    assert rows == rows_of(_segno(text, mask).matrix)


@pytest.mark.parametrize("length", (1, 62, 480, 2331))
def test_the_window_code_decodes_to_the_text(length: int) -> None:
    from PIL import Image

    text = "https://link.example/" + _text(max(0, length - 21))
    matrix = qr_matrix(text)
    border, scale = 4, 4
    side = len(matrix) + 2 * border
    picture = Image.new("L", (side, side), 255)
    for i, row in enumerate(matrix):
        for j, dark in enumerate(row):
            if dark:
                picture.putpixel((j + border, i + border), 0)
    picture = picture.resize((side * scale, side * scale), Image.Resampling.NEAREST)
    found = zxingcpp.read_barcodes(picture, try_invert=False)
    assert [code.text for code in found] == [text]


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.text(min_size=1, max_size=300))
def test_any_text_gets_segnos_own_symbol_for_the_mask_chosen(text: str) -> None:
    """Whatever the text (digits only, kanji, emoji, control characters: other QR modes
    and versions), the code drawn is segno's symbol for the chosen mask, and no other mask
    scores lower."""
    drawn = _segno(text, 0)
    assert isinstance(drawn.version, int)
    mask, rows = best_symbol(rows_of(drawn.matrix), drawn.version)
    assert rows == rows_of(_segno(text, mask).matrix)
    size = len(rows)
    scores = [penalty(c, size) for c in candidates(rows_of(drawn.matrix), drawn.version)]
    assert scores[mask] == min(scores)
