"""The generated link: QR code, the link as text, hand-off buttons and the countdown."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.link_session import LinkSession
from vital_desktop.qt import theme
from vital_desktop.qt.widgets.countdown_label import CountdownLabel
from vital_desktop.qt.widgets.qr_widget import QRCodeWidget


class LinkLineEdit(QLineEdit):
    """Read-only link text; Ctrl+C with nothing selected copies the whole link."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and not self.hasSelectedText():
            QGuiApplication.clipboard().setText(self.text())
            event.accept()
            return
        super().keyPressEvent(event)


class ResultPanel(QWidget):
    """Shows one ``LinkSession`` until it expires; then offers a new link in one click."""

    regenerate_requested = Signal()
    notice = Signal(str)  # a short confirmation such as "Link copied"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName("Generated link")
        self._session: LinkSession | None = None

        self.title = QLabel("No link yet", self)
        self.title.setObjectName("resultTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.instructions = QLabel(
            "Fill in the patient's Vital user ID and press Generate link. The QR code and "
            "the link will appear here.",
            self,
        )
        self.instructions.setObjectName("resultInstructions")
        self.instructions.setWordWrap(True)

        self.qr = QRCodeWidget(self)
        self.countdown = CountdownLabel(self)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.expired.connect(self.on_countdown_expired)

        self.link_edit = LinkLineEdit(self)
        self.link_edit.setObjectName("linkUrlEdit")
        self.link_edit.setAccessibleName("Link for the patient")
        self.link_edit.setReadOnly(True)
        self.link_label = QLabel("&Link:", self)
        self.link_label.setBuddy(self.link_edit)

        self.open_button = self._button(
            "&Open in browser", "openBrowserButton", "Open the link in the web browser"
        )
        self.copy_button = self._button("&Copy link", "copyLinkButton", "Copy the link")
        self.copy_qr_button = self._button(
            "Copy &QR image", "copyQrButton", "Copy the QR code as a picture"
        )
        self.save_qr_button = self._button(
            "&Save QR as PNG…", "saveQrButton", "Save the QR code as a PNG file"
        )
        self.regenerate_button = self._button(
            "Generate a &new link", "regenerateButton", "Generate a new link with the same details"
        )
        self.regenerate_button.hide()
        self.regenerate_button.setMinimumHeight(36)
        self.regenerate_button.setStyleSheet(
            "QPushButton { background: #1f5fa8; color: white; font-weight: bold;"
            " border-radius: 4px; padding: 6px 18px; }"
        )
        self.open_button.clicked.connect(self.on_open_button_clicked)
        self.copy_button.clicked.connect(self.on_copy_button_clicked)
        self.copy_qr_button.clicked.connect(self.on_copy_qr_button_clicked)
        self.save_qr_button.clicked.connect(self.on_save_qr_button_clicked)
        self.regenerate_button.clicked.connect(self.regenerate_requested)

        copy_shortcut = QShortcut(QKeySequence.StandardKey.Copy, self)
        copy_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy_shortcut.activated.connect(self.on_copy_button_clicked)

        link_row = QHBoxLayout()
        link_row.addWidget(self.link_label)
        link_row.addWidget(self.link_edit, 1)
        buttons = QGridLayout()
        buttons.addWidget(self.open_button, 0, 0)
        buttons.addWidget(self.copy_button, 0, 1)
        buttons.addWidget(self.copy_qr_button, 1, 0)
        buttons.addWidget(self.save_qr_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.instructions)
        layout.addWidget(self.countdown)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.regenerate_button)
        layout.addLayout(link_row)
        layout.addLayout(buttons)
        self.show_session(None)

    def _button(self, text: str, name: str, accessible: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button

    @property
    def session(self) -> LinkSession | None:
        return self._session

    def show_session(self, session: LinkSession | None) -> None:
        """Show a fresh link (or the empty state for None)."""
        self._session = session
        url = session.link.link_web_url if session else ""
        self.qr.set_text(url)
        self.link_edit.setText(url)
        self.link_edit.setCursorPosition(0)
        self.regenerate_button.hide()
        self.instructions.setStyleSheet("")
        if session is None:
            self.title.setText("No link yet")
            self.instructions.setText(
                "Fill in the patient's Vital user ID and press Generate link. The QR code "
                "and the link will appear here."
            )
            self.countdown.stop()
            self.countdown.hide()
        else:
            self.title.setText("Link ready")
            self.instructions.setText(
                "Ask the patient to scan the code with their phone camera, or open or copy "
                "the link. It works once, until the timer runs out."
            )
            self.countdown.show()
            self.countdown.start(session)
        self._enable_hand_off(session is not None and not session.expired())

    def _enable_hand_off(self, enabled: bool) -> None:
        for button in (
            self.open_button,
            self.copy_button,
            self.copy_qr_button,
            self.save_qr_button,
        ):
            button.setEnabled(enabled)
        self.link_edit.setEnabled(enabled)

    @property
    def expired(self) -> bool:
        return self._session is not None and self._session.expired()

    def _link(self) -> str | None:
        if self._session is None or self._session.expired():
            return None
        return self._session.link.link_web_url

    @Slot()
    def on_countdown_expired(self) -> None:
        self.qr.set_expired(True)
        self._enable_hand_off(False)
        self.title.setText("Link expired")
        self.instructions.setText(
            "This link no longer works. Generate a new one with the same details."
        )
        self.instructions.setStyleSheet(f"color: {theme.problem_colour(self)};")
        self.regenerate_button.show()
        self.regenerate_button.setFocus()

    @Slot()
    def on_open_button_clicked(self) -> None:
        link = self._link()
        if link and QDesktopServices.openUrl(QUrl(link, QUrl.ParsingMode.StrictMode)):
            self.notice.emit("Opened the link in the web browser.")

    @Slot()
    def on_copy_button_clicked(self) -> None:
        link = self._link()
        if link:
            QGuiApplication.clipboard().setText(link)
            self.notice.emit("Link copied.")

    @Slot()
    def on_copy_qr_button_clicked(self) -> None:
        if self._link():
            QGuiApplication.clipboard().setImage(self.qr.render_image())
            self.notice.emit("QR code copied as a picture.")

    @Slot()
    def on_save_qr_button_clicked(self) -> None:
        if not self._link():
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save QR code", "vital-link-qr.png", "PNG image (*.png)"
        )
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            if self.qr.render_image().save(path, "PNG"):
                self.notice.emit("QR code saved.")
            else:
                self.notice.emit("The QR code could not be saved there; choose another folder.")
