"""The time a link has left, recomputed from its monotonic deadline on every tick."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from vital_desktop.core.link_session import LinkSession
from vital_desktop.qt import theme

TICK_MS = 250  # four looks a second: the shown second never lags by more than a quarter


class CountdownLabel(QLabel):
    """``"09:41 left"``; warning colour in the last minute; ``expired`` emitted once."""

    expired = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countdownLabel")
        self.setAccessibleName(self.tr("Time left before the link expires"))
        self._session: LinkSession | None = None
        self._expired_sent = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.on_timer_timeout)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.setFont(font)

    @property
    def ticking(self) -> bool:
        return self._timer.isActive()

    def start(self, session: LinkSession) -> None:
        self._session = session
        self._expired_sent = False
        self.on_timer_timeout()
        self._sync_timer()

    def stop(self) -> None:
        self._session = None
        self._timer.stop()
        self.clear()

    def show_expired(self) -> None:
        """Stop counting and say "Expired" (the link it counted for is gone)."""
        self._session = None
        self._timer.stop()
        self.setStyleSheet(f"color: {theme.problem_colour(self)};")
        self.setText(self.tr("Expired"))
        self.setAccessibleDescription(self.tr("Expired"))
        self.show()

    def _sync_timer(self) -> None:
        # Like a status-bar clock: tick only while there is something visible to update.
        running = self._session is not None and not self._expired_sent and self.isVisible()
        if running and not self._timer.isActive():
            self._timer.start()
        elif not running:
            self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.on_timer_timeout()
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    @Slot()
    def on_timer_timeout(self) -> None:
        session = self._session
        if session is None:
            return
        text = session.countdown_text()
        if session.expired():
            colour = theme.problem_colour(self)
        elif session.in_warning():
            colour = theme.warning_colour(self)
        else:
            colour = ""
        style = f"color: {colour};" if colour else ""
        if style != self.styleSheet():
            self.setStyleSheet(style)
        if text != self.text():
            self.setText(text)
            self.setAccessibleDescription(text)
        if session.expired() and not self._expired_sent:
            self._expired_sent = True
            self._timer.stop()
            self.expired.emit()
