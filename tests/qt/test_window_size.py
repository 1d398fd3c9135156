"""The window fits the screens desks really have, with Generate and the hand-offs in sight."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

from vital_desktop.qt.geometry import ESTIMATED_FRAME, initial_window_size

from .conftest import WindowFactory
from .helpers import child

# Available room after task bars and the window frame: a 1366x768 laptop, and a 1920x1080
# panel at 150 % scaling (1280x720 logical).
SCREENS = {"1366x768": QSize(1366, 728), "1920x1080@150%": QSize(1280, 680)}


def _inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    box = QRect(top_left, widget.size())
    return window.rect().contains(box) and not widget.visibleRegion().isEmpty()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_generate_and_hand_offs_are_visible_on_small_screens(
    qtbot: Any, open_window: WindowFactory, screen: str
) -> None:
    window = open_window(environ={})
    room = SCREENS[screen] - ESTIMATED_FRAME
    size = initial_window_size(
        QRect(0, 0, room.width(), room.height()), QSize(1120, 780), window.minimumSizeHint()
    )
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size, timeout=2000)
    assert size.width() <= room.width() and size.height() <= room.height()
    assert window.minimumSizeHint().width() <= room.width()
    assert window.minimumSizeHint().height() <= room.height()
    for name in ("generateButton", "openBrowserButton", "copyLinkButton", "qrCode"):
        assert _inside(child(window, name), window), f"{name} is cut off on {screen}"
