"""The calm window an unexpected error opens: one sentence, the details one click away.

Not modal and never a stack: a second error while it is open updates the same window (and
says how many there were) instead of opening another. The details are plain text
(scrubbed by the caller, shown read-only) with a button that puts them on the clipboard,
for support.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP

SENTENCE = QT_TRANSLATE_NOOP(
    "CrashDialog",
    "Something went wrong, but nothing you typed was lost. You can carry on; if it happens "
    "again, copy the details and send them to support.",
)
COPY_LABEL = QT_TRANSLATE_NOOP("CrashDialog", "Copy details")
COPIED_LABEL = QT_TRANSLATE_NOOP("CrashDialog", "Copied")


class CrashDialog(QDialog):
    """A non-modal window with the sentence, a Details area, Copy details and Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self._count = 0

        self.sentence = QLabel(self.tr(SENTENCE))
        self.sentence.setObjectName("crashSentence")
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)
        self.sentence.setWordWrap(True)
        self.repeats = QLabel()
        self.repeats.setObjectName("crashRepeatLabel")
        self.repeats.setTextFormat(Qt.TextFormat.PlainText)
        self.repeats.hide()

        self.details_toggle = QToolButton()
        self.details_toggle.setObjectName("crashDetailsToggle")
        self.details_toggle.setText(self.tr("Details"))
        self.details_toggle.setCheckable(True)
        self.details_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.details_toggle.toggled.connect(self.on_details_toggle_toggled)

        self.details = QPlainTextEdit()
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setAccessibleName(self.tr("Details for support"))
        self.details.setMinimumHeight(180)
        self.details.hide()

        self.copy_button = QPushButton(self.tr(COPY_LABEL))
        self.copy_button.setObjectName("copyDetailsButton")
        self.copy_button.setToolTip(
            self.tr("Put the details on the clipboard, to paste for support")
        )
        self.copy_button.clicked.connect(self.on_copy_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("crashButtons")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("crashCloseButton")
        close.setDefault(True)

        toggle_row = QHBoxLayout()
        toggle_row.addWidget(self.details_toggle)
        toggle_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sentence)
        layout.addWidget(self.repeats)
        layout.addLayout(toggle_row)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(520, 200)

        self._restore_copy_label = QTimer(self)
        self._restore_copy_label.setSingleShot(True)
        self._restore_copy_label.setInterval(2000)
        self._restore_copy_label.timeout.connect(
            lambda: self.copy_button.setText(self.tr(COPY_LABEL))
        )

    def show_crash(self, details: str) -> None:
        """Show (or, when already open, update) the window with this error's details."""
        self._count = self._count + 1 if self.isVisible() else 1
        self.details.setPlainText(details)
        if self._count > 1:
            self.repeats.setText(
                self.tr("This has happened {count} times since this opened.").format(
                    count=self._count
                )
            )
        self.repeats.setVisible(self._count > 1)
        self.copy_button.setText(self.tr(COPY_LABEL))
        self.show()
        self.raise_()
        self.activateWindow()

    def details_text(self) -> str:
        """The text the Details area shows (and Copy details copies)."""
        return self.details.toPlainText()

    def on_details_toggle_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.adjustSize()

    def on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
        self.copy_button.setText(self.tr(COPIED_LABEL))
        self._restore_copy_label.start()


_open: CrashDialog | None = None


def show_crash_dialog(details: str, parent: QWidget | None = None) -> CrashDialog:
    """Show ``details`` in the one crash window, creating it (over ``parent``) if needed."""
    global _open
    if _open is None or not shiboken6.isValid(_open):
        _open = CrashDialog(parent)
    _open.show_crash(details)
    return _open


def current_crash_dialog() -> CrashDialog | None:
    """The crash window, if one was made and still exists (shown or not)."""
    return _open if _open is not None and shiboken6.isValid(_open) else None
