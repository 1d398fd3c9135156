"""The strip across the top that says, unmistakably, where a link will come from."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from vital_desktop.core.environments import Environment
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.qt import theme
from vital_desktop.qt.widgets.connection_panel import ConnectionState, Mode

DEMO_TEXT = QT_TRANSLATE_NOOP(
    "EnvironmentBanner",
    "Demo mode: links go to a practice server on this computer; no real patient data",
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("EnvironmentBanner", text)


def banner_for(state: ConnectionState) -> tuple[str, theme.BannerStyle]:
    """The banner's words and colours for a connection."""
    if state.mode is Mode.DEMO:
        return _tr(DEMO_TEXT), theme.DEMO
    region = state.target.region.label if state.target and state.target.region else None
    if state.mode is Mode.CUSTOM:
        address = (
            state.target.base_url
            if state.target
            else QCoreApplication.translate("EnvironmentBanner", "not set")
        )
        if state.key_info and state.key_info.environment is Environment.PRODUCTION:
            text = QCoreApplication.translate(
                "EnvironmentBanner", "PRODUCTION — real patients · custom address {address}"
            )
            return text.format(address=address), theme.PRODUCTION
        return QCoreApplication.translate(
            "EnvironmentBanner", "Custom API address {address}"
        ).format(address=address), theme.CUSTOM
    if state.mode is Mode.PRODUCTION:
        if region:
            return QCoreApplication.translate(
                "EnvironmentBanner", "PRODUCTION · {region} — real patients"
            ).format(region=region), (theme.PRODUCTION)
        return QCoreApplication.translate(
            "EnvironmentBanner", "PRODUCTION — real patients"
        ), theme.PRODUCTION
    if region:
        text = QCoreApplication.translate(
            "EnvironmentBanner", "Sandbox · {region} — test data, not real patients"
        ).format(region=region)
        return text, theme.SANDBOX
    return QCoreApplication.translate(
        "EnvironmentBanner", "Sandbox — test data, not real patients"
    ), theme.SANDBOX


class EnvironmentBanner(QLabel):
    """Calm blue for sandbox, red for production, amber for demo."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBanner")
        self.setAccessibleName(self.tr("Where links come from"))
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
