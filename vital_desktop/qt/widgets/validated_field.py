"""A line edit with its reason shown right under it while the person types."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from vital_desktop.qt import theme

ProblemCheck = Callable[[str], str | None]


class ValidatedField(QWidget):
    """``edit`` plus a hint label: the problem sentence, or a short all-clear."""

    changed = Signal()

    def __init__(
        self,
        problem: ProblemCheck,
        *,
        object_name: str,
        accessible_name: str,
        placeholder: str = "",
        ok_text: str = "",
        quiet_when_empty: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._problem = problem
        self._ok_text = ok_text
        self._quiet_when_empty = quiet_when_empty
        self._forced_problem: str | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName(object_name)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.hint = QLabel(self)
        self.hint.setObjectName(object_name.removesuffix("Edit") + "Hint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # the reason may quote what was typed
        self.hint.setAccessibleName(self.tr("{name}: check").format(name=accessible_name))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.hint)
        self.edit.textChanged.connect(self.on_edit_text_changed)
        self.refresh()

    def text(self) -> str:
        return self.edit.text()

    def problem(self) -> str | None:
        """The current reason the text cannot be used, or None."""
        return self._problem(self.edit.text())

    def flag(self, message: str | None) -> None:
        """Highlight the field with ``message`` (from a failed Generate), until edited."""
        self._forced_problem = message
        self.refresh()

    @property
    def flagged(self) -> bool:
        return self._forced_problem is not None

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh()  # the hint colours follow a switch between light and dark

    @Slot(str)
    def on_edit_text_changed(self, _text: str) -> None:
        self._forced_problem = None
        self.refresh()
        self.changed.emit()

    def refresh(self) -> None:
        text = self.edit.text()
        problem = self._forced_problem or self._problem(text)
        if problem and (text.strip() or not self._quiet_when_empty or self._forced_problem):
            theme.set_plain_text(self.hint, problem)
            self.hint.setStyleSheet(f"color: {theme.problem_colour(self)};")
            self.edit.setStyleSheet(
                f"QLineEdit {{ border: 2px solid {theme.problem_colour(self)}; }}"
            )
            self.hint.show()
            self.edit.setAccessibleDescription(problem)
        elif not problem and text.strip() and self._ok_text:
            theme.set_plain_text(self.hint, self._ok_text)
            self.hint.setStyleSheet(f"color: {theme.ok_colour(self)};")
            self.edit.setStyleSheet("")
            self.hint.show()
            self.edit.setAccessibleDescription(self._ok_text)
        else:
            self.hint.clear()
            self.hint.hide()
            self.edit.setStyleSheet("")
            self.edit.setAccessibleDescription("")
