"""Hostile text typed or pasted into every field of the link window: Generate either sends
nothing and flags the field with a sentence, or sends what the contract allows (checked on
what the stand-in received); a 100 kB paste never stalls the window; and the settings file
and the history written meanwhile stay readable."""

from __future__ import annotations

import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

from core.helpers import assert_sent_by_contract
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from qt.helpers import child

from vital_desktop.core.history_store import HistoryStore
from vital_desktop.core.preferences import Preferences
from vital_desktop.core.settings_table import SETTINGS_BY_NAME
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.settings_store import QSettingsStore
from vital_desktop.sandbox import SandboxServer

from .hostile import FEW, HOSTILE, PASTES, hostile_or_paste, hostile_text

FIELDS = ["userIdEdit", "redirectUrlEdit", "patientSearchEdit", "filterSearchEdit",
          "providerCombo", "apiKeyEdit", "baseUrlEdit"]  # fmt: skip
# What a keyboard can type: no lone surrogates, short.
typeable = hostile_text.map(lambda t: "".join(c for c in t if not 0xD800 <= ord(c) <= 0xDFFF))


def _edit(window: LinkWindow, name: str) -> Any:
    widget = child(window, name)
    return widget.lineEdit() if name == "providerCombo" else widget


def _type(qtbot: Any, edit: Any, text: str) -> None:
    """Type ``text`` key by key: ASCII through QTest, the rest as an input method delivers
    it (a key event carrying the character; QTest.keyClicks maps only ASCII to keys)."""
    for ch in text:
        if " " <= ch <= "~":
            qtbot.keyClicks(edit, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(edit, event)


def _settle(qtbot: Any, window: LinkWindow) -> None:
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=15_000)
    qtbot.waitUntil(lambda: not window.controller.patients.busy, timeout=15_000)


def _generate_and_check(qtbot: Any, window: LinkWindow, server: SandboxServer) -> None:
    before = len(server.request_log.matching("POST", "/v2/link/token"))
    window.controller.generate()
    _settle(qtbot, window)
    sent = server.request_log.matching("POST", "/v2/link/token")
    if len(sent) == before:
        # Nothing went out: a sentence says why, and a field at fault is flagged.
        message = child(window, "messageArea").text()
        assert message.strip(), "Generate refused without a reason"
        at_fault = [f for f in (window.user_id, window.redirect) if f.problem()]
        if at_fault and window.controller.connection().problem is None:
            # The field at fault is flagged, unless the provider was refused first.
            assert any(f.flagged for f in at_fault) or "provider" in message.lower(), message
    assert_sent_by_contract(server.request_log.snapshot())


@HOSTILE
@given(st.sampled_from(FIELDS), hostile_or_paste, st.booleans())
def test_set_or_insert_into_each_field_then_generate(
    qtbot: Any,
    window: LinkWindow,
    practice_server: SandboxServer,
    patient_id: str,
    name: str,
    text: str,
    insert: bool,
) -> None:
    edit = _edit(window, name)
    if name != "userIdEdit":
        child(window, "userIdEdit").setText(patient_id)
    if insert:
        edit.clear()
        edit.insert(text)
    else:
        edit.setText(text)
    if name == "patientSearchEdit":
        window.controller.patients.find()
        _settle(qtbot, window)
    _generate_and_check(qtbot, window, practice_server)
    if name in ("apiKeyEdit", "baseUrlEdit"):
        edit.clear()  # back to the stand-in named by the environment
    edit.clear()


@FEW
@given(st.sampled_from(["userIdEdit", "redirectUrlEdit", "patientSearchEdit",
                        "providerCombo", "filterSearchEdit"]),
       typeable.filter(lambda t: 0 < len(t) <= 40))  # fmt: skip
def test_typed_with_key_clicks(
    qtbot: Any,
    window: LinkWindow,
    practice_server: SandboxServer,
    patient_id: str,
    name: str,
    text: str,
) -> None:
    edit = _edit(window, name)
    edit.clear()
    if name != "userIdEdit":
        child(window, "userIdEdit").setText(patient_id)
    edit.setFocus()
    _type(qtbot, edit, text)
    if name == "patientSearchEdit":
        window.controller.patients.find()
        _settle(qtbot, window)
    _generate_and_check(qtbot, window, practice_server)
    edit.clear()


def test_a_100_kb_paste_never_freezes_the_window(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    ticks: list[float] = []
    heartbeat = QTimer(window)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    qtbot.wait(50)
    for name in ("userIdEdit", "redirectUrlEdit", "patientSearchEdit"):
        for paste in PASTES:
            edit = _edit(window, name)
            if name != "userIdEdit":
                child(window, "userIdEdit").setText(patient_id)
            edit.clear()
            edit.insert(paste)  # as a paste lands
            qtbot.wait(30)
            if name == "patientSearchEdit":
                window.controller.patients.find()
                qtbot.wait(30)
                _settle(qtbot, window)
            _generate_and_check(qtbot, window, practice_server)
            qtbot.wait(30)
            gaps = [b - a for a, b in itertools.pairwise(ticks)]
            assert max(gaps) < 0.5, f"{name}: the window stalled {max(gaps):.2f} s"
            edit.clear()
    heartbeat.stop()


def _history_intact(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"handoffs", "handoff_ways", "sqlite_sequence"}


def test_the_history_the_window_wrote_is_intact(
    qtbot: Any,
    open_window: Any,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
    tmp_path: Path,
) -> None:
    """A link with SQL in its redirect is recorded verbatim; the file stays intact."""
    history = HistoryStore(tmp_path / "history.sqlite3")
    window = open_window(environ=connect_env, history=history)
    redirect = "myapp://done?q='%3B%20DROP%20TABLE%20handoffs%3B%20--"
    child(window, "userIdEdit").setText(patient_id)
    child(window, "redirectUrlEdit").setText(redirect)
    _generate_and_check(qtbot, window, practice_server)
    qtbot.waitUntil(lambda: bool(history.query(user=patient_id)), timeout=5000)
    rows = history.query(user=patient_id)
    assert rows[0].redirect_url == redirect
    _history_intact(history.path)


@HOSTILE
@given(st.sampled_from(["default_redirect_url", "base_url", "ca_bundle", "last_provider",
                        "last_filter", "link_ttl_minutes", "language"]),
       hostile_or_paste)  # fmt: skip
def test_qsettings_file_survives_hostile_values(
    tmp_path_factory: Any, name: str, text: str
) -> None:
    path = Path(tmp_path_factory.mktemp("qsettings")) / "vital-desktop.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    prefs = Preferences(QSettingsStore(settings))
    value: object = [text, "oura"] if name == "last_filter" else text
    try:
        kept = prefs.set(name, value)
    except ValueError as error:
        assert str(error).strip()
        kept = SETTINGS_BY_NAME[name].default
    settings.sync()
    assert settings.status() == QSettings.Status.NoError
    again = QSettings(str(path), QSettings.Format.IniFormat)
    assert again.status() == QSettings.Status.NoError
    reread = Preferences(QSettingsStore(again))
    assert reread.value(name) == kept  # read back exactly, or the default
    for setting_name in SETTINGS_BY_NAME:
        reread.value(setting_name)  # every other setting still reads
