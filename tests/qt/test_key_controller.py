"""The connection panel's keychain widgets, driven through the real panel and KeyController
with an in-memory keychain (a real keyring backend) or keyring's own ``fail`` backend."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from core.test_keystore import (
    PRODUCTION_US,
    SANDBOX_EU,
    SANDBOX_US,
    LockedKeyring,
    MemoryKeyring,
)
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from vital_desktop.core.connection import Mode
from vital_desktop.core.environments import Region
from vital_desktop.core.keystore import NO_KEYCHAIN, SERVICE, KeyStore
from vital_desktop.qt.controllers.key_controller import KeyController
from vital_desktop.qt.widgets.connection_panel import ConnectionPanel

Desk = tuple[ConnectionPanel, KeyController]


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def desk(qtbot: Any) -> Callable[..., Desk]:
    """A shown panel with its KeyController, started the way the window starts it."""

    def make(
        store: KeyStore | None = None,
        environ: dict[str, str] | None = None,
        mode: Mode = Mode.SANDBOX,
        pick_stored: bool = True,
    ) -> Desk:
        environ = environ or {}
        panel = ConnectionPanel()
        qtbot.addWidget(panel)
        key = environ.get("VITAL_API_KEY", "")
        if key:  # what LinkController does with the variable
            panel.set_api_key(key)
        else:
            panel.set_mode(mode)
        controller = KeyController(panel, store or KeyStore(), environ)
        controller.start(pick_stored=pick_stored)
        panel.show()
        qtbot.waitExposed(panel)
        return panel, controller

    return make


def paste(panel: ConnectionPanel, text: str) -> None:
    """Replace the field's text the way Ctrl+V does: one user edit."""
    edit = panel.api_key_edit
    edit.setFocus()
    edit.selectAll()
    QApplication.clipboard().setText(text)
    edit.paste()


def click(qtbot: Any, widget: Any) -> None:
    assert widget.isEnabled() and widget.isVisible()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def label(panel: ConnectionPanel) -> str:
    return panel.key_in_use_label.text()


def test_widgets_have_names_and_plain_text(desk: Callable[..., Desk]) -> None:
    panel, _ = desk(KeyStore(MemoryKeyring()))
    assert panel.findChild(type(panel.remember_key_check), "rememberKeyCheck") is not None
    assert panel.remember_key_check.text() == "Remember on this computer"
    assert panel.forget_key_button.text() == "Forget"
    for widget in (panel.remember_key_check, panel.forget_key_button, panel.key_in_use_label):
        assert widget.accessibleName()
    assert panel.key_in_use_label.textFormat() is Qt.TextFormat.PlainText
    assert panel.forget_key_button.isEnabled() is False  # nothing stored


def test_round_trip_remember_reload_forget(
    qtbot: Any, memory: MemoryKeyring, desk: Callable[..., Desk]
) -> None:
    panel, _ = desk()
    assert label(panel) == ""
    click(qtbot, panel.remember_key_check)
    paste(panel, SANDBOX_US)
    qtbot.waitUntil(lambda: memory.entries == {(SERVICE, "sandbox-us"): SANDBOX_US})
    qtbot.waitUntil(lambda: label(panel) == "Using sk_us_…a1b2 from the keychain")
    assert SANDBOX_US not in label(panel)

    # The next start loads it, ticked.
    panel2, controller2 = desk()
    assert panel2.api_key_edit.text() == SANDBOX_US
    assert panel2.state().ready
    assert panel2.remember_key_check.isChecked()
    assert controller2.source() == "keychain"
    assert label(panel2) == "Using sk_us_…a1b2 from the keychain"
    assert panel2.key_in_use_label.isVisible()

    # Forget: one click removes the entry and clears the field.
    click(qtbot, panel2.forget_key_button)
    assert memory.entries == {}
    assert panel2.api_key_edit.text() == ""
    assert not panel2.remember_key_check.isChecked()
    assert "removed" in label(panel2)
    assert not panel2.forget_key_button.isEnabled()
    panel3, _ = desk()
    assert panel3.api_key_edit.text() == ""


def test_replace_is_one_paste_while_ticked(
    qtbot: Any, memory: MemoryKeyring, desk: Callable[..., Desk]
) -> None:
    memory.entries[(SERVICE, "sandbox-us")] = SANDBOX_US
    panel, _ = desk()
    replacement = "sk_us_" + "5" * 26 + "beef"
    paste(panel, replacement)
    qtbot.waitUntil(lambda: memory.entries[(SERVICE, "sandbox-us")] == replacement)
    qtbot.waitUntil(lambda: label(panel) == "Using sk_us_…beef from the keychain")
    assert len(memory.entries) == 1


def test_nothing_is_saved_unless_ticked_and_typing_saves_only_the_whole_key(
    qtbot: Any, memory: MemoryKeyring, desk: Callable[..., Desk]
) -> None:
    panel, _ = desk()
    paste(panel, SANDBOX_US)
    qtbot.keyClick(panel.api_key_edit, Qt.Key.Key_Return)  # editing finished
    assert memory.entries == {}
    assert label(panel) == "Using sk_us_…a1b2 for this session only"

    click(qtbot, panel.remember_key_check)  # ticking saves the key in the field
    assert memory.entries == {(SERVICE, "sandbox-us"): SANDBOX_US}

    # Unticking stops remembering it.
    click(qtbot, panel.remember_key_check)
    assert memory.entries == {}
    assert label(panel) == "Using sk_us_…a1b2 for this session only"

    # Typed by hand while ticked: saved once the typing is finished, whole.
    click(qtbot, panel.remember_key_check)
    memory.entries.clear()
    panel.api_key_edit.clear()
    qtbot.keyClicks(panel.api_key_edit, SANDBOX_EU)
    qtbot.keyClick(panel.api_key_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: (SERVICE, "sandbox-eu") in memory.entries)
    assert memory.entries == {(SERVICE, "sandbox-eu"): SANDBOX_EU}


def test_switching_environment_loads_that_entry_but_never_over_a_typed_key(
    qtbot: Any, memory: MemoryKeyring, desk: Callable[..., Desk]
) -> None:
    memory.entries[(SERVICE, "sandbox-us")] = SANDBOX_US
    memory.entries[(SERVICE, "sandbox-eu")] = SANDBOX_EU
    panel, _ = desk()
    assert panel.api_key_edit.text() == SANDBOX_US
    panel.set_region(Region.EU)
    assert panel.api_key_edit.text() == SANDBOX_EU
    assert panel.state().ready
    panel.set_mode(Mode.PRODUCTION)  # nothing stored there: the sandbox key goes
    assert panel.api_key_edit.text() == ""
    assert not panel.forget_key_button.isEnabled()
    panel.set_mode(Mode.SANDBOX)
    assert panel.api_key_edit.text() == SANDBOX_EU

    # A key the desk typed stays when the environment changes.
    paste(panel, PRODUCTION_US)  # its prefix picks production US
    assert panel.mode() is Mode.PRODUCTION
    panel.set_mode(Mode.SANDBOX)
    assert panel.api_key_edit.text() == PRODUCTION_US


def test_the_variable_wins(qtbot: Any, memory: MemoryKeyring, desk: Callable[..., Desk]) -> None:
    environment_key = "sk_us_" + "7" * 26 + "c0de"
    memory.entries[(SERVICE, "sandbox-us")] = SANDBOX_US
    panel, controller = desk(environ={"VITAL_API_KEY": environment_key})
    assert panel.api_key_edit.text() == environment_key
    assert controller.source() == "environment"
    assert label(panel) == "Using sk_us_…c0de from VITAL_API_KEY"
    panel.set_region(Region.EU)
    panel.set_region(Region.US)
    assert panel.api_key_edit.text() == environment_key


def test_demo_start_picks_the_only_stored_key(
    memory: MemoryKeyring, desk: Callable[..., Desk]
) -> None:
    memory.entries[(SERVICE, "production-us")] = PRODUCTION_US
    panel, _ = desk(mode=Mode.DEMO, pick_stored=False)
    assert panel.mode() is Mode.DEMO
    panel, _ = desk(mode=Mode.DEMO)
    assert panel.mode() is Mode.PRODUCTION
    assert panel.api_key_edit.text() == PRODUCTION_US
    memory.entries[(SERVICE, "sandbox-us")] = SANDBOX_US
    panel, _ = desk(mode=Mode.DEMO)  # two stored: the desk chooses
    assert panel.mode() is Mode.DEMO
    assert not panel.remember_key_check.isVisible()


def test_without_a_keychain_the_key_is_for_this_session_and_nothing_is_written(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, desk: Callable[..., Desk]
) -> None:
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, os.fspath(tmp_path))
    monkeypatch.chdir(tmp_path)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        panel, _ = desk()
        box = panel.remember_key_check
        assert not box.isEnabled() and not box.isChecked()
        assert box.toolTip() == NO_KEYCHAIN
        assert label(panel) == NO_KEYCHAIN
        assert not panel.forget_key_button.isEnabled()
        box.click()  # even a programmatic click on the disabled box does nothing
        paste(panel, SANDBOX_US)
        qtbot.keyClick(panel.api_key_edit, Qt.Key.Key_Return)
        assert panel.state().ready  # the key works for this session
        assert label(panel) == NO_KEYCHAIN
    finally:
        keyring.set_keyring(previous)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_keychain_says_so_in_one_sentence(qtbot: Any, desk: Callable[..., Desk]) -> None:
    panel, controller = desk(KeyStore(LockedKeyring()))
    assert "keychain could not be read" in label(panel)
    with qtbot.waitSignal(controller.trouble) as signal:
        click(qtbot, panel.remember_key_check)
        paste(panel, SANDBOX_US)
    message = signal.args[0]
    assert "did not save" in message and "session only" in message
    assert label(panel) == message
    assert "0123456789abcdef" not in message
    assert panel.state().ready
