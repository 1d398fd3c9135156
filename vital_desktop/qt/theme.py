"""Colours that must read the same in light and dark palettes, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget


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
