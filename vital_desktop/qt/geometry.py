"""Open a top-level window at a size that fits the screen it is on, centred.

Screens are measured in logical pixels by their available geometry, i.e. without task bars
and docks: a 1366x768 laptop leaves about 1366x728, and a 1920x1080 panel at 150% scaling
about 1280x680. A window asked for 1120x780 must shrink to fit either, title bar included.

The window's last size and place are kept in the settings store (``save_window_geometry``)
and restored only onto a screen that is still there (``restore_window_geometry``).
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Protocol

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
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


# ----------------------------------------------------------------- remembered geometry

GEOMETRY_KEY = "window/geometry"
# How much of a restored frame must lie on one screen for its title bar to be grabbed.
MIN_VISIBLE = QSize(100, 40)
_GEOMETRY_MAGIC = 0x1D9D0CB  # QWidget::saveGeometry's first four bytes


class GeometryStore(Protocol):
    """Where the geometry is kept (``QSettingsStore``, or any ``get``/``set`` store)."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object) -> None: ...


def save_window_geometry(window: QWidget, store: GeometryStore) -> None:
    """Remember ``window``'s size and position (``saveGeometry``, base64) in ``store``."""
    data = bytes(window.saveGeometry().data())
    store.set(GEOMETRY_KEY, base64.b64encode(data).decode("ascii"))


def saved_frame(data: bytes) -> QRect | None:
    """The frame rectangle inside ``saveGeometry`` bytes, or None when they are not that.

    The layout (magic, major, minor version, then the frame as four big-endian int32
    corners) has been the same since Qt 4; it is read here so a rectangle can be checked
    against today's screens before Qt is asked to restore it.
    """
    header = struct.Struct(">IHH4i")
    if len(data) < header.size:
        return None
    magic, _major, _minor, left, top, right, bottom = header.unpack_from(data)
    if magic != _GEOMETRY_MAGIC or right < left or bottom < top:
        return None
    return QRect(QPoint(left, top), QPoint(right, bottom))


def on_a_screen(frame: QRect) -> bool:
    """True when enough of ``frame`` lies on one of the screens there are now."""
    need_w = min(MIN_VISIBLE.width(), frame.width())
    need_h = min(MIN_VISIBLE.height(), frame.height())
    for screen in QGuiApplication.screens():
        overlap = screen.availableGeometry().intersected(frame)
        if overlap.width() >= need_w and overlap.height() >= need_h:
            return True
    return False


def restore_window_geometry(
    window: QWidget, store: GeometryStore, preferred: QSize | None = None
) -> bool:
    """Put ``window`` where it was last time; True if that was done.

    Falls back to ``place_on_screen`` (centred, sized to fit) when nothing was saved, the
    saved bytes are damaged, or the saved place is on no screen there is now (a second
    monitor unplugged, a laptop off its dock).
    """
    raw = store.get(GEOMETRY_KEY)
    data: bytes | None = None
    if isinstance(raw, str | bytes) and raw:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            data = None
    frame = saved_frame(data) if data else None
    if data is None or frame is None or not on_a_screen(frame):
        place_on_screen(window, preferred)
        return False
    if not window.restoreGeometry(QByteArray(data)):
        place_on_screen(window, preferred)
        return False
    return True
