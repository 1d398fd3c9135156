"""QR matrices decode back to the exact link, both as an image and as terminal blocks."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from vital_desktop.core.qr import QUIET_ZONE, qr_matrix, terminal_qr

LINK = (
    "https://link.tryvital.io/?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    "%3D&env=sandbox&region=us"
)


def _render(matrix: list[list[bool]], scale: int = 6, border: int = QUIET_ZONE) -> Image.Image:
    size = len(matrix) + 2 * border
    image = Image.new("L", (size, size), 255)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                image.putpixel((c + border, r + border), 0)
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("text", [LINK, "https://x.example/?a=1", LINK + "&x=" + "y" * 600])
def test_matrix_decodes_back(text: str) -> None:
    matrix = qr_matrix(text)
    size = len(matrix)
    assert size >= 21 and (size - 21) % 4 == 0  # a valid QR version, no quiet zone
    assert all(len(row) == size for row in matrix)
    # Finder pattern in the top-left corner proves there is no border inside.
    assert matrix[0][:7] == [True] * 7
    assert _decode(_render(matrix)) == [text]


def test_matrix_uses_error_correction_m() -> None:
    results = zxingcpp.read_barcodes(_render(qr_matrix(LINK)))
    assert results and results[0].ec_level == "M"


def test_version_grows_with_the_text() -> None:
    assert len(qr_matrix("a" * 500)) > len(qr_matrix("a"))


def _terminal_to_matrix(text: str) -> list[list[bool]]:
    """Turn the half-block drawing back into dark (True) / light (False) modules."""
    halves = {
        "\u2588": (False, False),
        "\u2580": (False, True),
        "\u2584": (True, False),
        " ": (True, True),
    }
    rows: list[list[bool]] = []
    for line in text.split("\n"):
        pairs = [halves[ch] for ch in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def test_terminal_qr_decodes_back() -> None:
    drawing = terminal_qr(LINK)
    lines = drawing.split("\n")
    matrix = qr_matrix(LINK)
    width = len(matrix) + 2 * QUIET_ZONE
    assert all(len(line) == width for line in lines)
    assert len(lines) == (width + 1) // 2
    modules = _terminal_to_matrix(drawing)[:width]
    # The quiet zone is drawn light on every side.
    assert not any(modules[0]) and not any(modules[-1])
    assert not any(row[0] or row[-1] for row in modules)
    inner = [row[QUIET_ZONE:-QUIET_ZONE] for row in modules[QUIET_ZONE:-QUIET_ZONE]]
    assert inner == matrix
    assert _decode(_render(modules, border=0)) == [LINK]


def test_terminal_qr_only_uses_block_glyphs() -> None:
    assert set(terminal_qr("hello")) <= {"\u2588", "\u2580", "\u2584", " ", "\n"}
