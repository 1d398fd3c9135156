"""The patient's Vital user id: checked as a UUID while typing; paste junk dropped."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from vital_desktop.core.validation import clean_paste, user_id_problem
from vital_desktop.qt.widgets.validated_field import ValidatedField


class UserIdField(ValidatedField):
    """``userIdEdit`` with the reason it is not a user id shown under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            user_id_problem,
            object_name="userIdEdit",
            accessible_name=self.tr("Patient's Vital user ID"),
            placeholder=self.tr("e.g. 1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
            ok_text=self.tr("✓ Looks like a Vital user ID"),
            parent=parent,
        )
        self.edit.textEdited.connect(self.on_edit_text_edited)

    @Slot(str)
    def on_edit_text_edited(self, text: str) -> None:
        # Spaces, quotes and invisible characters come along with a copy from e-mail or
        # a spreadsheet; a UUID never starts or ends with them.
        cleaned = clean_paste(text)
        if cleaned != text:
            self.edit.setText(cleaned)
