"""The link for the patient: whose it is, its QR code, the link as text, hand-off buttons and
the countdown.

A view: it shows what the controller tells it (``show_empty``, ``show_ready``,
``show_retired``, ``show_done``) and asks for hand-offs with ``hand_off_requested``; whether
a hand-off may happen is decided elsewhere (``LinkBoard.hand_out``). Every state but ready
empties the link text and drops the code, so nothing stale can be copied or scanned.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.link_board import IssuedLink, Retirement
from vital_desktop.qt import theme
from vital_desktop.qt.widgets.countdown_label import CountdownLabel
from vital_desktop.qt.widgets.qr_widget import QRCodeWidget

EMPTY_INSTRUCTIONS = QT_TRANSLATE_NOOP(
    "ResultPanel",
    "Fill in the patient's Vital user ID and press Generate link. The QR code and the link "
    "will appear here.",
)
CODE_INSTRUCTIONS = QT_TRANSLATE_NOOP(
    "ResultPanel",
    "This route needs the vendor's phone app (Junction Connect on the patient's iPhone); it "
    "does not work in a web browser. 1. The patient opens the app and goes to Settings. "
    "2. They type the code in large letters, or scan the QR code with the app. 3. They choose the "
    "provider and allow access. The code works once, until the timer runs out.",
)
READY_INSTRUCTIONS = QT_TRANSLATE_NOOP(
    "ResultPanel",
    "Ask the patient to scan the code with their phone camera, or open or copy the link. "
    "It works once, until the timer runs out.",
)

OPEN, COPY, COPY_QR, SAVE_QR = "open", "copy", "copy_qr", "save_qr"


class LinkLineEdit(QLineEdit):
    """Read-only link text; Ctrl+C with nothing selected asks for the whole link."""

    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and not self.hasSelectedText():
            self.copy_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def plain_label(text: str, parent: QWidget, name: str) -> QLabel:
    """A label that never interprets its text as HTML."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class ResultPanel(QWidget):
    """Shows one link, or why there is none, and offers the hand-offs."""

    regenerate_requested = Signal()
    hand_off_requested = Signal(str)  # OPEN, COPY, COPY_QR or SAVE_QR

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName(self.tr("Generated link"))
        self._issued: IssuedLink | None = None

        self.title = plain_label(self.tr("No link yet"), self, "resultTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.patient_label = plain_label("", self, "linkPatientLabel")
        self.patient_label.setAccessibleName(self.tr("Who and what this link is for"))
        self.patient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = self.patient_label.font()
        bold.setBold(True)
        self.patient_label.setFont(bold)
        self.patient_label.hide()
        self.instructions = plain_label(self.tr(EMPTY_INSTRUCTIONS), self, "resultInstructions")
        self.connection_status = plain_label("", self, "connectionStatusLabel")
        self.connection_status.setAccessibleName(self.tr("Whether the patient has connected"))
        self.connection_status.hide()
        self.code_label = plain_label("", self, "linkCodeLabel")
        self.code_label.setAccessibleName(self.tr("Code for the phone app"))
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        code_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        code_font.setPointSizeF(max(code_font.pointSizeF(), 10.0) * 2.4)
        code_font.setBold(True)
        code_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 115)
        self.code_label.setFont(code_font)
        self.code_label.hide()

        self.qr = QRCodeWidget(self)
        self.countdown = CountdownLabel(self)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.link_edit = LinkLineEdit(self)
        self.link_edit.setObjectName("linkUrlEdit")
        self.link_edit.setAccessibleName(self.tr("Link for the patient"))
        self.link_edit.setReadOnly(True)
        self.link_label = QLabel(self.tr("&Link:"), self)
        self.link_label.setBuddy(self.link_edit)

        self.open_button = self._button(
            self.tr("&Open in browser"),
            "openBrowserButton",
            self.tr("Open the link in the web browser"),
        )
        self.copy_button = self._button(
            self.tr("&Copy link"), "copyLinkButton", self.tr("Copy the link")
        )
        self.copy_qr_button = self._button(
            self.tr("Copy &QR image"), "copyQrButton", self.tr("Copy the QR code as a picture")
        )
        self.save_qr_button = self._button(
            self.tr("&Save QR as PNG…"), "saveQrButton", self.tr("Save the QR code as a PNG file")
        )
        self.regenerate_button = self._button(
            self.tr("Generate a &new link"),
            "regenerateButton",
            self.tr("Generate a new link for the form as it is"),
        )
        self.regenerate_button.hide()
        self.regenerate_button.setMinimumHeight(36)
        self.regenerate_button.setStyleSheet(
            "QPushButton { background: #1f5fa8; color: white; font-weight: bold;"
            " border-radius: 4px; padding: 6px 18px; }"
        )
        for button, kind in (
            (self.open_button, OPEN),
            (self.copy_button, COPY),
            (self.copy_qr_button, COPY_QR),
            (self.save_qr_button, SAVE_QR),
        ):
            button.clicked.connect(lambda _checked=False, k=kind: self.hand_off_requested.emit(k))
        self.link_edit.copy_requested.connect(self.on_link_edit_copy_requested)
        self.regenerate_button.clicked.connect(self.regenerate_requested)

        copy_shortcut = QShortcut(QKeySequence.StandardKey.Copy, self)
        copy_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy_shortcut.activated.connect(self.on_link_edit_copy_requested)

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
        layout.addWidget(self.patient_label)
        layout.addWidget(self.connection_status)
        layout.addWidget(self.code_label)
        layout.addWidget(self.instructions)
        layout.addWidget(self.countdown)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.regenerate_button)
        layout.addLayout(link_row)
        layout.addLayout(buttons)
        self.show_empty()

    def _button(self, text: str, name: str, accessible: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button

    @property
    def issued(self) -> IssuedLink | None:
        """The link this panel last showed (ready or not)."""
        return self._issued

    # ----------------------------------------------------------------- states

    def show_empty(self) -> None:
        """No link yet."""
        self._issued = None
        self._clear_link()
        self.qr.set_code("", [])
        self.title.setText(self.tr("No link yet"))
        self.patient_label.hide()
        self.instructions.setText(self.tr(EMPTY_INSTRUCTIONS))
        self.instructions.setStyleSheet("")
        self.regenerate_button.hide()

    def show_ready(
        self, issued: IssuedLink, matrix: list[list[bool]], image: QImage | None = None
    ) -> None:
        """A fresh link (or phone-app code) that may be handed out (``image``: the code's
        ``module_image``, when the worker made it)."""
        self._issued = issued
        self.qr.set_code(issued.qr_text, matrix, image)
        self.link_edit.setText(issued.qr_text)
        self.link_edit.setCursorPosition(0)
        self.link_edit.setToolTip("")
        self._describe(issued)
        code = issued.code
        self.code_label.setText(code or "")
        self.code_label.setVisible(code is not None)
        if code is None:
            self.title.setText(self.tr("Link ready"))
            self.instructions.setText(self.tr(READY_INSTRUCTIONS))
            self.copy_button.setText(self.tr("&Copy link"))
        else:
            self.title.setText(self.tr("Code for the phone app"))
            self.instructions.setText(self.tr(CODE_INSTRUCTIONS))
            self.copy_button.setText(self.tr("&Copy code"))
        self.instructions.setStyleSheet("")
        self.regenerate_button.hide()
        self.countdown.show()
        self.countdown.start(issued.session)
        self._enable_hand_off(True)
        self.open_button.setEnabled(code is None)  # a phone-app address opens nothing here

    def set_connection_status(self, text: str, tone: str = "") -> None:
        """The line that says whether the patient has connected ("" hides it).

        ``tone`` is "ok", "problem" or "" (neutral).
        """
        self.connection_status.setText(text)
        self.connection_status.setVisible(bool(text))
        colour = {"ok": theme.ok_colour(self), "problem": theme.problem_colour(self)}.get(tone)
        self.connection_status.setStyleSheet(f"color: {colour};" if colour else "")

    def show_retired(self, issued: IssuedLink | None, reason: str, headline: str) -> None:
        """A link that may no longer be handed out: its code and text are gone for good."""
        self._issued = issued
        self._clear_link()
        self.qr.retire(reason)
        self.title.setText(headline)
        if issued is not None:
            self._describe(issued, made=True)
        self.instructions.setText(
            self.tr(
                "This link can no longer be given to a patient. Generate a new one for the "
                "patient in the form."
            )
        )
        self.instructions.setStyleSheet(f"color: {theme.problem_colour(self)};")
        if reason == Retirement.EXPIRED.value:
            self.countdown.show_expired()
        self.regenerate_button.show()

    def show_done(self, headline: str, detail: str) -> None:
        """The patient connected: the link is spent."""
        self._clear_link()
        self.qr.retire(QT_TRANSLATE_NOOP("Retirement", "Connected"))
        self.title.setText(headline)
        self.instructions.setText(detail)
        self.instructions.setStyleSheet(f"color: {theme.ok_colour(self)};")

    def set_regenerate_text(self, text: str) -> None:
        """Name who the next link would be for."""
        self.regenerate_button.setText(text)
        self.regenerate_button.setAccessibleName(text.replace("&", ""))

    def _describe(self, issued: IssuedLink, *, made: bool = False) -> None:
        description = issued.purpose.description
        self.patient_label.setText(
            self.tr("Made {description}").format(
                description=f"{description[0].lower()}{description[1:]}"
            )
            if made
            else description
        )
        self.patient_label.setToolTip(
            self.tr("Vital user ID: {user_id}").format(user_id=issued.purpose.user_id)
        )
        self.patient_label.show()

    def _clear_link(self) -> None:
        self.countdown.stop()
        self.countdown.hide()
        self.link_edit.clear()
        self.code_label.clear()
        self.code_label.hide()
        self._enable_hand_off(False)

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
    def hand_off_enabled(self) -> bool:
        """True while Open, Copy and the QR buttons are live."""
        return self.open_button.isEnabled()

    @Slot()
    def on_link_edit_copy_requested(self) -> None:
        if self.hand_off_enabled:
            self.hand_off_requested.emit(COPY)

    def copy_text(self, text: str) -> None:
        """Put ``text`` on the clipboard."""
        QGuiApplication.clipboard().setText(text)
