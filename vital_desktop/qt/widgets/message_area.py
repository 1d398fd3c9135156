"""A non-modal message strip: one plain sentence, the technical detail one click away."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.errors import VitalError
from vital_desktop.qt import theme

MINIMUM_TEXT_WIDTH = 200
SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


class MessageArea(QFrame):
    """Shows an error (or a note) inline above the form; dismissable; never a traceback."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageArea")
        self.setAccessibleName(self.tr("Message"))
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self._message = ""
        self._text = QLabel(self)
        self._text.setObjectName("messageText")
        self._text.setTextFormat(Qt.TextFormat.PlainText)  # server text is never HTML here
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(SELECTABLE)
        # A Tab stop, so the sentence can be read out, selected and copied without a mouse.
        self._text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._text.setAccessibleName(self.tr("Message text"))
        # The sentence takes the width the window has and wraps; it never asks for more.
        self._text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._text.setMinimumWidth(MINIMUM_TEXT_WIDTH)

        self._details_button = QToolButton(self)
        self._details_button.setObjectName("messageDetailsButton")
        self._details_button.setText(self.tr("Details"))
        self._details_button.setCheckable(True)
        self._details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._details_button.setArrowType(Qt.ArrowType.RightArrow)
        self._details_button.setAccessibleName(self.tr("Show technical details"))
        self._details_button.setToolTip(self.tr("Show or hide the technical details"))
        # Reachable with Tab on every platform (tool buttons are mouse-only on some styles).
        self._details_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._details_button.toggled.connect(self.on_details_button_toggled)

        self._dismiss_button = QToolButton(self)
        self._dismiss_button.setObjectName("messageDismissButton")
        self._dismiss_button.setText(self.tr("Dismiss"))
        self._dismiss_button.setAccessibleName(self.tr("Dismiss message"))
        self._dismiss_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._dismiss_button.clicked.connect(self.dismiss)

        # The details box is made by the first message that has details (a QPlainTextEdit
        # costs 4 ms to make the first time, and the strip starts hidden).
        self._details_edit: QPlainTextEdit | None = None

        top = QHBoxLayout()
        top.addWidget(self._text, 1)
        top.addWidget(self._details_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self._dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.addLayout(top)
        self.hide()

    @property
    def _details(self) -> QPlainTextEdit:
        """``messageDetails``: read-only, wrapping, under the sentence; made on first use."""
        if self._details_edit is None:
            details = QPlainTextEdit(self)
            details.setObjectName("messageDetails")
            details.setReadOnly(True)
            details.setTextInteractionFlags(SELECTABLE)
            details.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            details.setTabChangesFocus(True)
            details.setAccessibleName(self.tr("Technical details"))
            details.setMaximumHeight(96)
            details.hide()
            self._layout.addWidget(details)
            QWidget.setTabOrder(self._dismiss_button, details)  # where it was made before
            self._details_edit = details
        return self._details_edit

    def text(self) -> str:
        """The sentence on show, exactly as given ("" when hidden)."""
        return "" if self.isHidden() else self._message

    def details_text(self) -> str:
        return self._details_edit.toPlainText() if self._details_edit is not None else ""

    def show_error(self, error: VitalError) -> None:
        """One sentence for the desk; status, endpoint and server message under Details."""
        self._show(error.message, error.detail, error=True)

    def show_note(self, message: str) -> None:
        """A neutral note (no details)."""
        self._show(message, "", error=False)

    def _show(self, message: str, detail: str, *, error: bool) -> None:
        if error:
            background, foreground, border = (
                theme.ERROR_BACKGROUND,
                theme.ERROR_FOREGROUND,
                theme.ERROR_BORDER,
            )
        else:
            background, foreground, border = (
                theme.INFO_BACKGROUND,
                theme.INFO_FOREGROUND,
                theme.INFO_BORDER,
            )
        # Fixed colours on every part, so the strip reads the same in a dark theme.
        self.setStyleSheet(
            f"#messageArea {{ background: {background}; border: 1px solid {border};"
            " border-radius: 4px; }"
            f" #messageArea QLabel {{ color: {foreground}; background: transparent; }}"
            f" #messageArea QToolButton {{ color: {foreground}; background: #ffffff;"
            f" border: 1px solid {border}; border-radius: 3px; padding: 2px 8px; }}"
            f" #messageArea QPlainTextEdit {{ color: {foreground}; background: #ffffff;"
            f" border: 1px solid {border}; }}"
            " #messageText { font-weight: 600; }"
        )
        self._message = message
        theme.set_plain_text(self._text, message)
        self.setAccessibleDescription(message)
        if detail or self._details_edit is not None:
            self._details.setPlainText(detail)
            self._details.hide()
        self._details_button.setVisible(bool(detail))
        self._details_button.setChecked(False)
        self.show()

    @Slot()
    def dismiss(self) -> None:
        self.hide()
        self._message = ""
        self._text.clear()
        self.dismissed.emit()

    @Slot(bool)
    def on_details_button_toggled(self, shown: bool) -> None:
        self._details.setVisible(shown)
        self._details_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self._details_button.setAccessibleName(
            self.tr("Hide technical details") if shown else self.tr("Show technical details")
        )

    # The old slot name, kept for anything connected to it.
    on_details_toggled = on_details_button_toggled
