"""The Preferences dialog on real QSettings files and real policy files."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit

from vital_desktop.core.policy import Policy, load_policy
from vital_desktop.core.preferences import Preferences
from vital_desktop.core.settings_table import SETTINGS
from vital_desktop.qt.controllers.preferences_controller import PreferencesController
from vital_desktop.qt.settings_store import QSettingsStore, open_preferences
from vital_desktop.qt.views.preferences_dialog import (
    FIXED_NOTE,
    ChecklistEditor,
    PreferencesDialog,
)

Opener = Callable[..., tuple[PreferencesDialog, PreferencesController]]


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "vital-desktop.ini"


def _store(path: Path) -> QSettingsStore:
    """A store on the file, as a new run of the app would open it."""
    return QSettingsStore(QSettings(str(path), QSettings.Format.IniFormat))


def _policy(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


@pytest.fixture
def open_dialog(qtbot: Any, settings_file: Path) -> Iterator[Opener]:
    dialogs: list[PreferencesDialog] = []

    def factory(policy: Policy | None = None) -> tuple[PreferencesDialog, PreferencesController]:
        store = _store(settings_file)
        preferences = Preferences(store, policy or Policy())
        dialog = PreferencesDialog(SETTINGS)
        controller = PreferencesController(dialog, preferences, store.sync)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialogs.append(dialog)
        return dialog, controller

    yield factory
    for dialog in dialogs:
        dialog.close()
        dialog.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _label(dialog: PreferencesDialog, name: str) -> QLabel:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label


# ------------------------------------------------------------------------------ the store


def test_lists_of_none_one_and_two_come_back_as_lists(settings_file: Path) -> None:
    store = _store(settings_file)
    store.set("allowed_providers", ["oura"])
    store.set("last_filter", [])
    store.set("own_oauth_apps", ["strava", "dexcom_v3"])
    store.set("link_ttl_minutes", 25)
    store.set("legacy_hosts", True)
    assert store.sync() is None
    assert settings_file.is_file()
    again = _store(settings_file)
    assert again.get("allowed_providers") == ["oura"]
    assert again.get("last_filter") == []
    assert again.get("own_oauth_apps") == ["strava", "dexcom_v3"]
    assert again.get("history_retention_days") is None
    preferences = Preferences(again)
    assert preferences.value("allowed_providers") == ("oura",)
    assert preferences.value("link_ttl_minutes") == 25
    assert preferences.value("legacy_hosts") is True
    # A list replaced by a shorter one leaves no stale items behind.
    again.set("own_oauth_apps", ["whoop_v2"])
    assert again.get("own_oauth_apps") == ["whoop_v2"]
    again.set("own_oauth_apps", "not a list any more")
    assert again.get("own_oauth_apps") == "not a list any more"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_the_default_store_lives_in_the_platforms_folder_not_the_current_one() -> None:
    location = Path(QSettingsStore().location)
    assert location.is_relative_to(os.environ["XDG_CONFIG_HOME"])  # set by tests/conftest.py
    assert not location.is_relative_to(Path.cwd())
    assert location.parts[-2:] == ("vital-desktop", "vital-desktop.conf")


def test_stored_invalid_values_fall_back_and_are_shown(
    settings_file: Path, open_dialog: Opener, qtbot: Any
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        "[General]\nlink_ttl_minutes=500\ndefault_environment=staging\npoll_seconds=5\n",
        encoding="utf-8",
    )
    preferences = Preferences(_store(settings_file))
    assert preferences.value("link_ttl_minutes") == 10
    assert preferences.value("default_environment") == "sandbox"
    assert preferences.value("poll_seconds") == 5.0
    dialog, _ = open_dialog()
    assert dialog.rows["link_ttl_minutes"].editor.value() == 10
    assert dialog.rows["poll_seconds"].editor.value() == 5.0
    qtbot.waitUntil(dialog.notice.isVisible)
    assert "staging" in dialog.notice.text() and "Link lasts" in dialog.notice.text()
    # OK writes the defaults over the refused values, so the file is clean again.
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert Preferences(_store(settings_file)).problems() == []


def test_open_preferences_reads_the_policy_file_named_by_the_environment(
    tmp_path: Path, settings_file: Path
) -> None:
    policy = tmp_path / "clinic-policy.toml"
    policy.write_text("[settings]\nlink_ttl_minutes = 5\n", encoding="utf-8")
    store = _store(settings_file)
    store.set("link_ttl_minutes", 30)
    preferences = open_preferences(store, environ={"VITAL_POLICY_FILE": str(policy)})
    assert preferences.value("link_ttl_minutes") == 5 and preferences.is_fixed("link_ttl_minutes")
    unfixed = open_preferences(store, environ={"VITAL_POLICY_FILE": str(tmp_path / "none")})
    assert unfixed.value("link_ttl_minutes") == 30


# ----------------------------------------------------------------------------- the dialog


def test_a_bad_value_is_refused_with_its_reason_and_a_good_one_is_saved(
    open_dialog: Opener, settings_file: Path, qtbot: Any
) -> None:
    dialog, controller = open_dialog()
    row = dialog.rows["default_redirect_url"]
    problem = _label(dialog, "defaultRedirectUrlProblem")
    assert not problem.isVisible() and dialog.ok_button.isEnabled()

    edit = dialog.findChild(QLineEdit, "defaultRedirectUrlEdit")
    assert edit is not None and row.editor.focusProxy() is edit
    qtbot.keyClicks(edit, "javascript:alert(1)")
    qtbot.waitUntil(problem.isVisible)
    assert "refused as a redirect" in problem.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter does not get past the check either
    assert dialog.isVisible()
    assert _store(settings_file).get("default_redirect_url") is None

    edit.clear()
    qtbot.keyClicks(edit, "https://clinic.example/done")
    qtbot.waitUntil(lambda: not problem.isVisible())
    assert dialog.ok_button.isEnabled()
    dialog.rows["link_ttl_minutes"].editor.set_value(15)
    with qtbot.waitSignal(controller.saved) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert saved.args == [["link_ttl_minutes", "default_redirect_url"]]
    assert dialog.result() == QDialog.DialogCode.Accepted
    again = Preferences(_store(settings_file))  # what the next run reads from disk
    assert again.value("default_redirect_url") == "https://clinic.example/done"
    assert again.value("link_ttl_minutes") == 15


def test_cancel_changes_nothing(open_dialog: Opener, settings_file: Path, qtbot: Any) -> None:
    dialog, controller = open_dialog()
    dialog.rows["link_ttl_minutes"].editor.set_value(42)
    dialog.rows["legacy_hosts"].editor.set_value(True)
    with qtbot.assertNotEmitted(controller.saved):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Rejected
    store = _store(settings_file)
    assert store.get("link_ttl_minutes") is None and store.get("legacy_hosts") is None


def test_a_checklist_saves_the_ticked_providers_as_a_list(
    open_dialog: Opener, settings_file: Path, qtbot: Any
) -> None:
    dialog, _ = open_dialog()
    editor = dialog.rows["own_oauth_apps"].editor
    assert isinstance(editor, ChecklistEditor)
    offered = {str(item.data(Qt.ItemDataRole.UserRole)) for item in editor.items()}
    assert "strava" in offered and "oura" not in offered  # only those needing their own app
    for item in editor.items():
        if item.data(Qt.ItemDataRole.UserRole) in ("strava", "whoop_v2"):
            item.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = _store(settings_file).get("own_oauth_apps")
    assert isinstance(stored, list) and sorted(stored) == ["strava", "whoop_v2"]


def test_policy_settings_are_used_and_shown_fixed(
    tmp_path: Path, open_dialog: Opener, settings_file: Path, qtbot: Any
) -> None:
    store = _store(settings_file)
    store.set("link_ttl_minutes", 30)  # the person's own, overruled by IT
    store.sync()
    policy = _policy(
        tmp_path,
        '[settings]\ndefault_environment = "production"\nlink_ttl_minutes = 5\n'
        'allowed_providers = ["oura", "fitbit"]\n',
    )
    dialog, _ = open_dialog(policy)
    for name in ("default_environment", "link_ttl_minutes", "allowed_providers"):
        row = dialog.rows[name]
        assert not row.editor.isEnabled(), name
        assert row.fixed_note.isVisible() and row.fixed_note.text() == FIXED_NOTE
    assert dialog.rows["link_ttl_minutes"].editor.value() == 5
    assert dialog.rows["default_environment"].editor.value() == "production"
    allowed = dialog.rows["allowed_providers"].editor.value()
    assert isinstance(allowed, tuple) and set(allowed) == {"oura", "fitbit"}
    assert dialog.rows["poll_seconds"].editor.isEnabled()
    assert not dialog.rows["poll_seconds"].fixed_note.isVisible()
    # Restore defaults leaves what IT fixed alone; OK never writes a fixed setting.
    qtbot.mouseClick(dialog.defaults_button, Qt.MouseButton.LeftButton)
    assert dialog.rows["link_ttl_minutes"].editor.value() == 5
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert str(_store(settings_file).get("link_ttl_minutes")) == "30"  # untouched
    assert Preferences(_store(settings_file), policy).value("link_ttl_minutes") == 5


def test_a_broken_policy_is_shown_and_fixes_nothing(
    tmp_path: Path, open_dialog: Opener, qtbot: Any
) -> None:
    policy = _policy(tmp_path, "[settings]\nlink_ttl_minutes = 5\nlink_ttl = 5\n")
    dialog, _ = open_dialog(policy)
    qtbot.waitUntil(dialog.notice.isVisible)
    assert dialog.notice.text().replace("\u200b", "") == policy.problem
    assert all(row.editor.isEnabled() for row in dialog.rows.values())
    assert dialog.rows["link_ttl_minutes"].editor.value() == 10


def test_the_dialog_offers_every_preference_with_its_label_and_help(open_dialog: Opener) -> None:
    dialog, _ = open_dialog()
    assert dialog.objectName() == "preferencesDialog"
    editable = {s.name for s in SETTINGS if not s.remembered}
    assert set(dialog.rows) == editable
    for setting in SETTINGS:
        if setting.name in editable:
            row = dialog.rows[setting.name]
            assert row.help.text().replace("\u200b", "") == setting.help
            proxy = row.editor.focusProxy()
            assert proxy is not None and proxy.accessibleName() == setting.label
