"""Run work once the window has painted: what the first paint does not need waits for it.

``after_first_paint(window, callback)`` calls ``callback`` on the GUI thread once the event
loop has come round after the window's first paint. A window that is not shown when the
event loop first runs (tests that build one and never show it) has nothing to paint, so the
callback runs then, as a zero timer would; and it runs after ``FALLBACK_MS`` whatever
happens, so a platform that never paints cannot hold the work back for good.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 500


class _AfterFirstPaint(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        window.installEventFilter(self)
        QTimer.singleShot(0, self, self._check)
        QTimer.singleShot(FALLBACK_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run)
        return False

    def _check(self) -> None:
        if not self._window.isVisible():
            self._run()

    def _run(self) -> None:
        callback, self._callback = self._callback, None
        if callback is None:
            return
        self._window.removeEventFilter(self)
        self.deleteLater()
        callback()


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, when the event loop is idle after ``window``'s first paint."""
    _AfterFirstPaint(window, callback)
