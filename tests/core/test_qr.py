"""QR codes decode back to the exact link: as a matrix, a PNG and terminal drawings.

Terminal drawings are painted the way a light and a dark terminal theme would show them and
decoded without the decoder's "try inverted" rescue, since a phone camera may have none.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import zxingcpp
from cli.terminal_image import DARK, LIGHT, decode, render
from PIL import Image

from vital_desktop.core.qr import (
    ANSI_RESET,
    MAX_QR_BYTES,
    PNG_SCALE,
    QUIET_ZONE,
    qr_fits,
    qr_matrix,
    terminal_qr,
    write_qr_png,
)

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


def test_short_text_is_a_full_qr_code_not_micro_qr() -> None:
    # A Micro QR (11 to 17 modules) would be smaller, and no phone camera reads it.
    assert len(qr_matrix("1")) == 21


def test_version_grows_with_the_text() -> None:
    assert len(qr_matrix("a" * 500)) > len(qr_matrix("a"))


def test_capacity_limit_matches_qr_fits() -> None:
    assert qr_fits("a" * MAX_QR_BYTES) and not qr_fits("a" * (MAX_QR_BYTES + 1))
    assert len(qr_matrix("a" * MAX_QR_BYTES)) == 177  # version 40, the largest
    with pytest.raises(ValueError):  # segno's DataOverflowError is a ValueError
        qr_matrix("a" * (MAX_QR_BYTES + 1))


def test_drawing_a_code_never_imports_pillow(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from vital_desktop.core.qr import qr_matrix, terminal_qr, write_qr_png
        qr_matrix({LINK!r})
        terminal_qr({LINK!r})
        terminal_qr({LINK!r}, ansi=True)
        write_qr_png({LINK!r}, {str(tmp_path / "code.png")!r})
        print(sorted(m for m in sys.modules if m == "PIL" or m.startswith("PIL.")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "code.png").stat().st_size > 0


def test_png_is_dark_on_white_with_quiet_zone_and_decodes(tmp_path: Path) -> None:
    path = tmp_path / "link.png"
    write_qr_png(LINK, path)
    with Image.open(path) as opened:
        image = opened.convert("L")
    side = (len(qr_matrix(LINK)) + 2 * QUIET_ZONE) * PNG_SCALE
    assert image.size == (side, side)
    quiet = QUIET_ZONE * PNG_SCALE
    assert image.getpixel((0, 0)) == 255 and image.getpixel((quiet - 1, quiet - 1)) == 255
    assert image.getpixel((quiet, quiet)) == 0  # the finder pattern's dark corner
    results = zxingcpp.read_barcodes(image, try_invert=False)
    assert [r.text for r in results] == [LINK]


def _terminal_to_matrix(text: str) -> list[list[bool]]:
    """Turn the plain drawing back into dark (True) / light (False) modules."""
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


def test_plain_terminal_qr_keeps_modules_and_quiet_zone() -> None:
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
    assert set(drawing) <= {"\u2588", "\u2580", "\u2584", " ", "\n"}  # no escape codes


def test_plain_terminal_qr_reads_on_a_dark_theme() -> None:
    # Without colour the blocks take the text colour: light on the usual dark theme.
    assert decode(render(terminal_qr(LINK), DARK)) == [LINK]


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_ansi_terminal_qr_reads_on_light_and_dark_themes(theme) -> None:
    assert decode(render(terminal_qr(LINK, ansi=True), theme)) == [LINK]


def test_ansi_lines_reset_colour_at_their_end() -> None:
    lines = terminal_qr(LINK, ansi=True).split("\n")
    assert all(line.endswith(ANSI_RESET) for line in lines)
    # Whatever is printed after the code is back in the theme's colours.
    after = render(terminal_qr(LINK, ansi=True) + "\n \u2588", DARK, scale=1, margin=0)
    last_cell = after.getpixel((1, after.height - 1))
    assert last_cell == DARK.foreground
