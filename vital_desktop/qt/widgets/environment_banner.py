"""The strip across the top that says, unmistakably, where a link will come from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from vital_desktop.core.environments import Environment
from vital_desktop.qt import theme
from vital_desktop.qt.widgets.connection_panel import ConnectionState, Mode

DEMO_TEXT = "Demo mode: links go to a practice server on this computer; no real patient data"


def banner_for(state: ConnectionState) -> tuple[str, theme.BannerStyle]:
    """The banner's words and colours for a connection."""
    if state.mode is Mode.DEMO:
        return DEMO_TEXT, theme.DEMO
    region = state.target.region.label if state.target and state.target.region else None
    where = f" · {region}" if region else ""
    if state.mode is Mode.CUSTOM:
        address = state.target.base_url if state.target else "not set"
        if state.key_info and state.key_info.environment is Environment.PRODUCTION:
            return f"PRODUCTION — real patients · custom address {address}", theme.PRODUCTION
        return f"Custom API address {address}", theme.CUSTOM
    if state.mode is Mode.PRODUCTION:
        return f"PRODUCTION{where} — real patients", theme.PRODUCTION
    return f"Sandbox{where} — test data, not real patients", theme.SANDBOX


class EnvironmentBanner(QLabel):
    """Calm blue for sandbox, red for production, amber for demo."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBanner")
        self.setAccessibleName("Where links come from")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a custom address is typed by a person
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)
        self.style_name = ""

    def show_state(self, state: ConnectionState) -> theme.BannerStyle:
        text, style = banner_for(state)
        theme.set_plain_text(self, text)
        self.setAccessibleDescription(text)
        self.style_name = {
            theme.DEMO: "demo",
            theme.PRODUCTION: "production",
            theme.SANDBOX: "sandbox",
            theme.CUSTOM: "custom",
        }[style]
        self.setStyleSheet(
            f"background: {style.background}; color: {style.foreground};"
            " padding: 8px; border-radius: 4px;"
        )
        return style
