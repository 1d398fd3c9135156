"""Paint terminal output the way a terminal would, then decode any QR code in the picture.

Only what the QR drawing uses is emulated: SGR colour codes (basic, bright, 256-colour and
24-bit, default and reset) and the half-block glyphs. A theme is the terminal's default
foreground/background plus its own idea of the sixteen basic colours, which is exactly
what differs between a light and a dark theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp
from PIL import Image

RGB = tuple[int, int, int]
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_UPPER, _LOWER, _FULL = "\u2580", "\u2584", "\u2588"


@dataclass(frozen=True)
class Theme:
    """A terminal colour scheme."""

    name: str
    foreground: RGB
    background: RGB
    basic: tuple[RGB, ...]  # the 16 basic colours, which themes remap


_XTERM_BASIC = (
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
    (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
    (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
)  # fmt: skip
LIGHT = Theme("light", (20, 20, 20), (255, 255, 255), _XTERM_BASIC)
# A dark theme that, like many, draws "black" as a dark grey and "white" as a light grey.
DARK = Theme(
    "dark",
    (220, 220, 220),
    (18, 18, 18),
    ((40, 40, 40), *_XTERM_BASIC[1:7], (190, 190, 190), *_XTERM_BASIC[8:]),
)


def _cube(index: int, theme: Theme) -> RGB:
    if index < 16:
        return theme.basic[index]
    if index < 232:
        index -= 16
        steps = (0, 95, 135, 175, 215, 255)
        return steps[index // 36], steps[index // 6 % 6], steps[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


def _apply_sgr(params: str, fg: RGB, bg: RGB, theme: Theme) -> tuple[RGB, RGB]:
    codes = [int(p) for p in params.split(";") if p] or [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            fg, bg = theme.foreground, theme.background
        elif code in (38, 48):
            if codes[i + 1] == 5:
                colour, i = _cube(codes[i + 2], theme), i + 2
            else:
                colour, i = (codes[i + 2], codes[i + 3], codes[i + 4]), i + 4
            fg, bg = (colour, bg) if code == 38 else (fg, colour)
        elif 30 <= code <= 37:
            fg = theme.basic[code - 30]
        elif 90 <= code <= 97:
            fg = theme.basic[code - 90 + 8]
        elif 40 <= code <= 47:
            bg = theme.basic[code - 40]
        elif 100 <= code <= 107:
            bg = theme.basic[code - 100 + 8]
        elif code == 39:
            fg = theme.foreground
        elif code == 49:
            bg = theme.background
        i += 1
    return fg, bg


def render(text: str, theme: Theme, scale: int = 4, margin: int = 2) -> Image.Image:
    """The picture a terminal with ``theme`` shows for ``text`` (one cell = 1x2 modules).

    Colour state carries over line ends, as in a real terminal; cells past a line's end
    and a margin around everything show the theme's background.
    """
    fg, bg = theme.foreground, theme.background
    rows: list[list[tuple[RGB, RGB]]] = []
    for line in text.split("\n"):
        cells: list[tuple[RGB, RGB]] = []
        # split() with one group alternates: text, SGR parameters, text, ...
        for index, piece in enumerate(_SGR.split(line)):
            if index % 2:
                fg, bg = _apply_sgr(piece, fg, bg, theme)
                continue
            for glyph in piece:
                top = fg if glyph in (_UPPER, _FULL) else bg
                bottom = fg if glyph in (_LOWER, _FULL) else bg
                cells.append((top, bottom))
        rows.append(cells)
    width = max(len(r) for r in rows) + 2 * margin
    height = 2 * (len(rows) + 2 * margin)
    image = Image.new("RGB", (width * scale, height * scale), theme.background)
    for y, cells in enumerate(rows):
        for x, (top, bottom) in enumerate(cells):
            for half, colour in ((0, top), (1, bottom)):
                left = (x + margin) * scale
                upper = (2 * (y + margin) + half) * scale
                image.paste(colour, (left, upper, left + scale, upper + scale))
    return image


def decode(image: Image.Image) -> list[str]:
    """QR codes a decoder finds *without* trying the inverted image: phones may not."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
        )
    ]
