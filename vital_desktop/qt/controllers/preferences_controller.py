"""The Preferences dialog's behaviour: show the settings, refuse bad values, save on OK.

Each change is checked at once against the settings table; the reason shows under the field
and OK stays grey while any field is refused. OK saves the settings that changed through
``Preferences`` (the policy file's settings are greyed out and never written) and then asks
the store to write to disk; Cancel writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from vital_desktop.core.preferences import Preferences
from vital_desktop.core.settings_table import SETTINGS, SETTINGS_BY_NAME, SettingValue, checked
from vital_desktop.qt.views.preferences_dialog import PreferencesDialog

# Writes the store to disk; returns a sentence when it could not (QSettingsStore.sync).
Sync = Callable[[], str | None]


class PreferencesController(QObject):
    """Behaviour of one ``PreferencesDialog``; ``saved(names)`` after a successful OK."""

    saved = Signal(list)

    def __init__(
        self, dialog: PreferencesDialog, preferences: Preferences, sync: Sync | None = None
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.preferences = preferences
        self._sync = sync
        self._problems: dict[str, str] = {}
        self._load()
        for row in dialog.rows.values():
            row.editor.changed.connect(self.on_editor_changed)
        dialog.buttons.accepted.connect(self.on_buttons_accepted)
        dialog.buttons.rejected.connect(dialog.reject)
        dialog.defaults_button.clicked.connect(self.on_defaults_clicked)

    def _load(self) -> None:
        for name, row in self.dialog.rows.items():
            row.editor.set_value(self.preferences.value(name))
            row.set_fixed(self.preferences.is_fixed(name))
        self.dialog.show_notice(self.preferences.problems())
        self._check_all()

    def problem(self, name: str) -> str | None:
        """Why the value now in ``name``'s field is refused, or None."""
        row = self.dialog.rows[name]
        try:
            checked(row.setting, row.editor.value())
        except ValueError as error:
            return str(error)
        return None

    def _check_all(self) -> None:
        for name in self.dialog.rows:
            self._check(name)
        self._update_ok()

    def _check(self, name: str) -> None:
        problem = None if self.preferences.is_fixed(name) else self.problem(name)
        if problem:
            self._problems[name] = problem
        else:
            self._problems.pop(name, None)
        self.dialog.rows[name].show_problem(problem)

    def _update_ok(self) -> None:
        self.dialog.ok_button.setEnabled(not self._problems)

    @property
    def refused(self) -> dict[str, str]:
        """The fields whose value is refused now, with the reason."""
        return dict(self._problems)

    @Slot()
    def on_editor_changed(self) -> None:
        sender = self.sender()
        for name, row in self.dialog.rows.items():
            if row.editor is sender:
                self._check(name)
        self._update_ok()

    @Slot()
    def on_defaults_clicked(self) -> None:
        for name, row in self.dialog.rows.items():
            if not self.preferences.is_fixed(name):
                row.editor.set_value(SETTINGS_BY_NAME[name].default)
        self._check_all()

    @Slot()
    def on_buttons_accepted(self) -> None:
        self._check_all()
        if self._problems:
            return  # Enter pressed in a field the check has not caught up with
        names = self.save()
        problem = self._sync() if self._sync is not None else None
        if problem:
            self.dialog.show_notice([problem])
            return
        self.dialog.accept()
        self.saved.emit(names)

    def save(self) -> list[str]:
        """Keep every editable field; the names of those whose value changed."""
        changed: list[str] = []
        for setting in SETTINGS:
            row = self.dialog.rows.get(setting.name)
            if row is None or self.preferences.is_fixed(setting.name):
                continue
            before = self.preferences.value(setting.name)
            # Set even when unchanged: that also replaces a refused saved value on disk.
            if not _same(self.preferences.set(setting.name, row.editor.value()), before):
                changed.append(setting.name)
        return changed


def _same(first: SettingValue, second: SettingValue) -> bool:
    """Equal values; lists in any order (a checklist lists by name, not as saved)."""
    if isinstance(first, tuple) and isinstance(second, tuple):
        return sorted(first) == sorted(second)
    return first == second


def edit_preferences(
    parent: QWidget | None, preferences: Preferences, sync: Sync | None = None
) -> list[str]:
    """Show the Preferences dialog modally; the names of the settings saved (none: Cancel)."""
    dialog = PreferencesDialog(SETTINGS, parent)
    controller = PreferencesController(dialog, preferences, sync)
    names: list[str] = []
    controller.saved.connect(names.extend)
    dialog.exec()
    dialog.deleteLater()
    return names
