"""The painted QR code: whole-pixel modules, the quiet zone kept, honest when cramped."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from vital_desktop.core.qr import QUIET_ZONE, qr_matrix
from vital_desktop.qt.widgets.qr_widget import MIN_CODE_PX, QRCodeWidget, render_qr

from .helpers import decode_qr

LINK = "https://link.tryvital.io/?token=abc.def.ghi&env=sandbox&region=us"


def test_render_keeps_the_quiet_zone_and_whole_pixel_modules(qapp: Any) -> None:
    matrix = qr_matrix(LINK)
    image = render_qr(matrix, 6)
    modules = len(matrix) + 2 * QUIET_ZONE
    assert image.width() == image.height() == modules * 6
    white = QColor("#ffffff")
    for offset in range(QUIET_ZONE * 6):
        assert image.pixelColor(offset, offset) == white
        assert image.pixelColor(image.width() - 1 - offset, offset) == white
    # The finder pattern's corner module starts exactly at the quiet zone's edge.
    assert image.pixelColor(QUIET_ZONE * 6, QUIET_ZONE * 6) == QColor("#000000")
    assert image.pixelColor(QUIET_ZONE * 6 - 1, QUIET_ZONE * 6) == white
    assert decode_qr(image) == [LINK]


def test_a_retired_code_is_dropped_not_greyed(qtbot: Any) -> None:
    """A greyed code still scans on a phone: a retired one must leave nothing to scan."""
    widget = QRCodeWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 400)
    widget.show()
    widget.set_text(LINK)
    assert decode_qr(widget.grab()) == [LINK]
    widget.retire("For another patient")
    assert widget.text() == ""
    assert widget.retired_reason == "For another patient"
    assert decode_qr(widget.grab()) == []
    # Not even a faint code: the drawing has no finder patterns of any shade left.
    image = widget.grab().toImage()
    dark = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark < (image.width() * image.height() // 4) // 20


def test_widget_scans_when_roomy_and_explains_when_cramped(qtbot: Any) -> None:
    widget = QRCodeWidget()
    qtbot.addWidget(widget)
    widget.set_text(LINK)
    assert widget.minimumSizeHint().width() >= MIN_CODE_PX
    widget.resize(400, 400)
    widget.show()
    assert widget.fits()
    assert widget.module_px() == 400 // widget.modules
    assert decode_qr(widget.grab()) == [LINK]

    widget.setMinimumSize(0, 0)
    widget.resize(150, 150)
    assert not widget.fits()
    assert decode_qr(widget.grab()) == []
    # Copy / Save still get a readable code.
    assert decode_qr(widget.render_image()) == [LINK]
