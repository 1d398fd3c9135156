"""Open a top-level window at a size that fits the screen it is on, centred.

Screens are measured in logical pixels by their available geometry, i.e. without task bars
and docks: a 1366x768 laptop leaves about 1366x728, and a 1920x1080 panel at 150% scaling
about 1280x680. A window asked for 1120x780 must shrink to fit either, title bar included.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Title bar and borders of a decorated window before it is shown (the real ones are known
# only once the window manager has framed it).
ESTIMATED_FRAME = QSize(16, 40)


def initial_window_size(available: QRect, preferred: QSize, minimum: QSize) -> QSize:
    """``preferred`` grown to ``minimum`` and shrunk to ``available``; the screen wins.

    ``available`` is the room for the window's contents (frame already taken off). The
    result is never larger than it, even when ``minimum`` asks for more: a window that runs
    off the screen hides its buttons, one a little too small only scrolls or wraps.
    """
    width = min(max(preferred.width(), minimum.width()), available.width())
    height = min(max(preferred.height(), minimum.height()), available.height())
    return QSize(max(width, 0), max(height, 0))


def frame_extra(window: QWidget) -> QSize:
    """How much the window manager's frame adds around ``window``'s contents."""
    if window.windowFlags() & Qt.WindowType.FramelessWindowHint:
        return QSize(0, 0)
    if not window.isVisible():
        return QSize(ESTIMATED_FRAME)  # not framed yet: assume a usual title bar
    frame = window.frameGeometry().size()
    inner = window.geometry().size()
    return QSize(max(frame.width() - inner.width(), 0), max(frame.height() - inner.height(), 0))


def centred(available: QRect, outer: QSize) -> QPoint:
    """Top-left corner that centres a frame of size ``outer`` in ``available``."""
    x = available.x() + max((available.width() - outer.width()) // 2, 0)
    y = available.y() + max((available.height() - outer.height()) // 2, 0)
    return QPoint(x, y)


def place_on_screen(window: QWidget, preferred: QSize | None = None) -> QSize:
    """Size ``window`` to fit the available area of its screen and centre it there.

    ``preferred`` defaults to the size the window was given with ``resize()``, or else its
    size hint. Returns the size given to the window's contents.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (headless without a platform): leave it be
        return window.size()
    available = screen.availableGeometry()
    extra = frame_extra(window)
    room = QRect(
        available.topLeft(),
        QSize(available.width() - extra.width(), available.height() - extra.height()),
    )
    if preferred is None:
        resized = window.testAttribute(Qt.WidgetAttribute.WA_Resized)
        preferred = window.size() if resized else window.sizeHint()
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    size = initial_window_size(room, preferred, minimum)
    window.resize(size)
    # resize() cannot go below a hard minimumSize(); centre what the window really got.
    outer = QSize(window.width() + extra.width(), window.height() + extra.height())
    window.move(centred(available, outer))
    return window.size()
