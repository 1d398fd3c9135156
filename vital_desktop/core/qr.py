"""QR module matrices for the painted widget and the terminal, without Qt."""

from __future__ import annotations

import qrcode
import qrcode.constants

QUIET_ZONE = 4  # modules, as the QR standard asks
# What a version 40 code at error correction M holds in byte mode: a longer link cannot be
# drawn as a QR code at all.
MAX_QR_BYTES = 2331


def qr_fits(text: str) -> bool:
    """True when ``text`` can be drawn as one QR code (error correction M)."""
    return len(text.encode("utf-8")) <= MAX_QR_BYTES


def qr_matrix(text: str) -> list[list[bool]]:
    """The dark/light modules of a QR code for ``text``, without the quiet zone.

    Error correction M survives a scratched screen or glare; the version grows to fit.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def terminal_qr(text: str) -> str:
    """The code drawn with half-block characters, dark on a light terminal and vice versa.

    Two module rows share one text row; the quiet zone is kept.
    """
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET_ZONE

    def dark(row: int, col: int) -> bool:
        r, c = row - QUIET_ZONE, col - QUIET_ZONE
        return 0 <= r < len(matrix) and 0 <= c < len(matrix) and matrix[r][c]

    # Light modules are drawn as blocks so the code reads on a dark terminal background.
    glyphs = {
        (False, False): "\u2588",
        (False, True): "\u2580",
        (True, False): "\u2584",
        (True, True): " ",
    }
    lines = []
    for row in range(0, size, 2):
        lines.append("".join(glyphs[(dark(row, col), dark(row + 1, col))] for col in range(size)))
    return "\n".join(lines)
