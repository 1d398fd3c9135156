"""QR codes for the painted widget, the terminal and PNG files, without Qt or Pillow.

``segno`` is pure Python: drawing a code never imports an imaging library, so the command
line stays light and the desktop does not ship Pillow for one picture. It is imported only
when a code is drawn: the capacity check (``qr_fits``) is used when a reply is parsed, and
``vital-link --help`` must not pay for an encoder.
"""

from __future__ import annotations

from os import PathLike, fspath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import segno

QUIET_ZONE = 4  # modules, as the QR standard asks
# What a version 40 code at error correction M holds in byte mode: a longer link cannot be
# drawn as a QR code at all.
MAX_QR_BYTES = 2331
# Pixels per module in a PNG: a version 10 link code is then about 460 px wide, sharp on
# paper and on a screen without being a huge file.
PNG_SCALE = 8

# ANSI SGR: black (256-colour index 16) on white (231). Themes remap the sixteen basic
# colours (a "white" that is grey, a "black" that is navy); the 6x6x6 cube entries are
# left alone, so dark modules stay dark and light ones light on any terminal theme.
ANSI_DARK_ON_LIGHT = "\x1b[38;5;16;48;5;231m"
ANSI_RESET = "\x1b[0m"
# The glyphs a terminal drawing uses; a stream that cannot encode them gets no drawing.
BLOCK_GLYPHS = "\u2580\u2584\u2588"


def qr_fits(text: str) -> bool:
    """True when ``text`` can be drawn as one QR code (error correction M)."""
    return len(text.encode("utf-8")) <= MAX_QR_BYTES


_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")


def _make(text: str, mask: int) -> segno.QRCode:
    import segno

    # make_qr, not make: a short text must never become a Micro QR, which phones cannot read.
    # boost_error=False keeps level M exactly, so the version (size) depends only on the text.
    return segno.make_qr(text, error="m", boost_error=False, mask=mask)


def _symbol(text: str) -> tuple[int, int, list[int]]:
    """(size, mask, rows): the code for ``text`` with the mask of lowest penalty, chosen by
    ``qr_mask`` (a few ms) rather than by segno (~25 ms for a link: see that module)."""
    from vital_desktop.core.qr_mask import best_symbol, rows_of

    drawn = _make(text, mask=0)
    version = (len(drawn.matrix) - 17) // 4  # a QR code is 4 x version + 17 modules wide
    mask, rows = best_symbol(rows_of(drawn.matrix), version)
    return len(rows), mask, rows


def qr_matrix(text: str) -> list[list[bool]]:
    """The dark/light modules of a QR code for ``text``, without the quiet zone.

    Error correction M survives a scratched screen or glare; the version grows to fit.
    """
    size, _, rows = _symbol(text)
    return [
        list(map(bool, format(row, f"0{size}b")[::-1].encode().translate(_ZERO_ONE)))
        for row in rows
    ]


def write_qr_png(text: str, path: str | PathLike[str]) -> None:
    """Write the code as a PNG: dark modules black on white, with the quiet zone.

    The mask is the one ``qr_matrix`` chooses, so the file, the terminal and the window
    draw the same code. Raises ``OSError`` when the file cannot be written.
    """
    _, mask, _ = _symbol(text)
    _make(text, mask).save(
        fspath(path),
        kind="png",
        scale=PNG_SCALE,
        border=QUIET_ZONE,
        dark="#000000",
        light="#ffffff",
    )


def _modules_with_quiet_zone(text: str) -> list[list[bool]]:
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET_ZONE
    blank = [False] * size
    rows = [blank] * QUIET_ZONE
    rows += [[False] * QUIET_ZONE + row + [False] * QUIET_ZONE for row in matrix]
    rows += [blank] * QUIET_ZONE
    # Two module rows share one text row: pad to an even count with a light row.
    if len(rows) % 2:
        rows.append(blank)
    return rows


def terminal_qr(text: str, *, ansi: bool = False) -> str:
    """The code drawn with half-block characters, two module rows per text row.

    With ``ansi`` every line sets black-on-white itself, draws the *dark* modules with
    blocks and resets at its end: it reads the same on light and dark terminal themes.
    Without it (NO_COLOR, output not a terminal) no colour can be chosen, so the *light*
    modules are drawn as blocks in the terminal's own text colour: correct on the dark
    themes most terminals use, a light-on-dark (inverted) code on a light theme, which
    many but not all phone scanners read; ``--qr-png`` is the dependable alternative.
    The quiet zone is kept either way.
    """
    rows = _modules_with_quiet_zone(text)
    # (top, bottom) -> glyph; the block is drawn in the foreground colour.
    if ansi:
        glyphs = {
            (True, True): "\u2588",
            (True, False): "\u2580",
            (False, True): "\u2584",
            (False, False): " ",
        }
    else:
        glyphs = {
            (False, False): "\u2588",
            (False, True): "\u2580",
            (True, False): "\u2584",
            (True, True): " ",
        }
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        line = "".join(glyphs[pair] for pair in zip(top, bottom, strict=True))
        # Reset before the newline, so the white background never bleeds into the rest of
        # the line or into whatever is printed next.
        lines.append(f"{ANSI_DARK_ON_LIGHT}{line}{ANSI_RESET}" if ansi else line)
    return "\n".join(lines)
