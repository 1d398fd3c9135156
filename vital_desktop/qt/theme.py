"""How things look, in one place: colours that read the same in light and dark palettes, and
text from a server or a person shown as plain text that wraps instead of widening the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHelpEvent, QPalette
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QToolTip, QWidget


@dataclass(frozen=True)
class BannerStyle:
    """Background, text colour and accent of the strip that names where links go."""

    background: str
    foreground: str
    accent: str


SANDBOX = BannerStyle("#dce9f7", "#0b3a6e", "#1f5fa8")
PRODUCTION = BannerStyle("#b3261e", "#ffffff", "#b3261e")
DEMO = BannerStyle("#fff0c2", "#4d3800", "#8a6500")
CUSTOM = BannerStyle("#e4e4e4", "#1e1e1e", "#4a4a4a")

ERROR_BACKGROUND = "#fdecea"
ERROR_FOREGROUND = "#5f2120"
ERROR_BORDER = "#e0a09b"
INFO_BACKGROUND = "#e8f1fb"
INFO_FOREGROUND = "#0b3a6e"
INFO_BORDER = "#9dbde0"


def is_dark(widget: QWidget | None = None) -> bool:
    """True when the window background is dark (a dark desktop theme)."""
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def problem_colour(widget: QWidget | None = None) -> str:
    """Red text that stays readable on the palette's own background."""
    return "#ff8a80" if is_dark(widget) else "#b3261e"


def ok_colour(widget: QWidget | None = None) -> str:
    return "#81c995" if is_dark(widget) else "#1e7b34"


def warning_colour(widget: QWidget | None = None) -> str:
    return "#ffb74d" if is_dark(widget) else "#a34d00"


def muted_colour(widget: QWidget | None = None) -> str:
    return "#b0b0b0" if is_dark(widget) else "#5a5a5a"


# ------------------------------------------------------------------------------------ text

ZERO_WIDTH_SPACE = "\u200b"
BREAK_EVERY = 40  # characters of an unbroken run between line breaks (a UUID is 36)
_LONG_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")


def breakable(text: str) -> str:
    """``text`` with a zero-width break opportunity every few characters of a very long word.

    A word-wrapped QLabel never breaks inside a word, so one long token (a URL, a JSON blob,
    a name from a server) would set the window's minimum width. Ordinary sentences come back
    unchanged.
    """

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        pieces = [run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY)]
        return ZERO_WIDTH_SPACE.join(pieces)

    return _LONG_RUN.sub(split, text)


def set_plain_text(label: QLabel, text: str) -> None:
    """Show ``text`` literally: no HTML, and long words allowed to wrap."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(breakable(text) if label.wordWrap() else text)


def show_status_line(label: QLabel, text: str | None, *, problem: bool = False) -> None:
    """A one-line status under a panel: muted, red for a problem, hidden for None.

    The ``problem`` property lets tests and style sheets tell the two apart.
    """
    set_plain_text(label, text or "")
    colour = problem_colour(label) if problem else muted_colour(label)
    label.setStyleSheet(f"color: {colour};")
    label.setProperty("problem", problem)
    label.setVisible(bool(text))


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally (tooltips otherwise guess at HTML)."""
    return (
        QtGuiNamespace.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
        if text
        else ""
    )


class PlainItemToolTips(QObject):
    """Shows an item view's ``ToolTipRole`` texts literally; install with ``install(view)``.

    The item's data keeps the raw text (tests and accessibility read it); only the bubble on
    screen is escaped, so a provider named ``<img src=x width=30000>`` cannot draw anything.
    """

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        view.viewport().installEventFilter(self)

    @classmethod
    def install(cls, view: QAbstractItemView) -> PlainItemToolTips:
        return cls(view)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return super().eventFilter(watched, event)
        index = self._view.indexAt(event.pos())
        text = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
        if isinstance(text, str) and text:
            rect = self._view.visualRect(index)
            QToolTip.showText(event.globalPos(), plain_tooltip(text), self._view.viewport(), rect)
        else:
            QToolTip.hideText()
            event.ignore()
        return True
