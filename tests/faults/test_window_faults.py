"""Every fault on every call the window makes, through the real window.

For each (fault, call): the right kind of sentence where staff look for it, no crash and
no unexpected-error path, the event loop never stalls, nothing shown as a link (the QR
holds nothing scannable), the form as it was, no history row for a link never issued and a
sound history file, and the canary key nowhere on screen, in the clipboard or in a file.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from qt.conftest import WindowFactory
from qt.helpers import child, nothing_scannable

from vital_desktop.core.client import ClientSettings
from vital_desktop.core.history import HistoryStore
from vital_desktop.qt.main_window import LinkWindow

from .hostile import (
    CANARY,
    CLIENT_ID,
    HTTP_FAULTS,
    NEW_CLIENT_ID,
    REDIRECT,
    SENTENCES,
    SERVER_FAULTS,
    TIMEOUT,
    UID,
    Servers,
    files_holding,
    holds_secret,
    sentence,
)

SETTINGS = ClientSettings(
    connect_timeout=TIMEOUT,
    read_timeout=TIMEOUT,
    max_retries=0,
    retry_after_cap=0.2,
    backoff=0.05,
    overall_timeout=TIMEOUT,
)
# The longest a call may take to end in its sentence: the deadline plus a margin for a
# loaded CI machine.
ENDS_WITHIN = TIMEOUT + 3.0
POLL_SENTENCE = "Could not check for the connection"
UNEXPECTED = "Something unexpected"

WINDOW_CALLS = ("token", "code", "resolve", "search", "user", "create", "catalogue", "poll")
# A fault of the whole address fails the first call of a flow: a lookup never reaches the
# search or the creation, and no link is ever issued to poll for.
SERVER_CALLS = ("token", "code", "resolve", "user", "catalogue")
CASES = [(f, c) for f in HTTP_FAULTS for c in WINDOW_CALLS] + [
    (f, c) for f in SERVER_FAULTS for c in SERVER_CALLS
]


@dataclass
class Run:
    window: LinkWindow
    store: HistoryStore
    history_path: Path
    gaps: list[float]


@pytest.fixture
def history(tmp_path: Path) -> Iterator[tuple[HistoryStore, Path]]:
    path = tmp_path / "history" / "history.sqlite3"
    store = HistoryStore(path)
    yield store, path
    store.close()


def widget_texts(root: QWidget) -> list[str]:
    """Everything a widget of ``root`` shows or tells a screen reader."""
    texts = [root.windowTitle()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            own = widget.objectName() == "apiKeyEdit"  # holds the key by design: masked
            texts.append(widget.displayText() if own else widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
    return [t for t in texts if t]


def _open(
    open_window: WindowFactory,
    servers: Servers,
    fault: str | None,
    history: tuple[HistoryStore, Path],
    *,
    catalogue: bool,
) -> LinkWindow:
    env = {"VITAL_API_KEY": CANARY, "VITAL_BASE_URL": servers.base_url(fault)}
    window = open_window(
        environ=env,
        client_settings=SETTINGS,
        history=history[0],
        poll_seconds=0.2,
        # Only the catalogue's own case asks for it: the others stay on the bundled table.
        catalogue_delay_ms=0 if catalogue else 3_600_000,
    )
    child(window, "userIdEdit").setText(UID)
    window.provider_picker.select_slug("oura")
    child(window, "redirectUrlEdit").setText(REDIRECT)
    return window


def _heartbeat() -> tuple[QTimer, list[float]]:
    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(time.monotonic()))
    timer.start()
    return timer, beats


def _idle(window: LinkWindow) -> bool:
    c = window.controller
    return not c.busy and not c.patients.busy and c.catalogue._job is None


def _drive(qtbot: Any, window: LinkWindow, call: str) -> None:
    """Make ``call`` happen the way staff would, and wait until the window has answered."""
    c = window.controller
    panel = window.patient_panel
    if call in ("token", "poll"):
        c.generate()
    elif call == "code":
        window.provider_picker.select_slug("apple_health_kit")
        c.generate()
    elif call in ("resolve", "search", "user", "create"):
        panel.search_edit.setText(
            UID if call == "user" else NEW_CLIENT_ID if call == "create" else CLIENT_ID
        )
        c.patients.find()
        if call == "create":
            qtbot.waitUntil(lambda: not c.patients.busy, timeout=5000)
            assert panel.create_button.isVisible(), panel.message_label.text()
            c.patients.create()
    elif call == "catalogue":
        # Asked for by a zero-delay timer once the connection is known: wait until the
        # answer (or the failure) is in, or an idle check could pass before it is asked.
        qtbot.waitUntil(lambda: bool(c.catalogue._cache), timeout=int(ENDS_WITHIN * 1000))
    qtbot.waitUntil(lambda: _idle(window), timeout=int(ENDS_WITHIN * 1000))
    if call == "poll":
        qtbot.waitUntil(
            lambda: POLL_SENTENCE in window.result.connection_status.text(),
            timeout=int(ENDS_WITHIN * 1000),
        )


def _rows(store: HistoryStore) -> list[Any]:
    return list(store.query(None, None, None, None, None, None))


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _check_no_leak(window: LinkWindow, servers: Servers, tmp_path: Path) -> None:
    secrets_ = [CANARY, *servers.hostile.issued]
    shown = "\n".join(widget_texts(window))
    assert holds_secret(shown, [CANARY]) == [], "the key is on screen"
    clipboard = QApplication.clipboard().text()
    assert holds_secret(clipboard, secrets_) == [], "the key or a token is in the clipboard"
    assert files_holding(tmp_path, secrets_) == []


@pytest.mark.parametrize(("fault", "call"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_a_fault_ends_in_its_sentence_and_changes_nothing_else(
    qtbot: Any,
    open_window: WindowFactory,
    servers: Servers,
    history: tuple[HistoryStore, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    call: str,
) -> None:
    servers.arm(fault, call)
    caplog.set_level(logging.WARNING)
    window = _open(open_window, servers, fault, history, catalogue=call == "catalogue")
    provider = "apple_health_kit" if call == "code" else "oura"
    timer, beats = _heartbeat()
    started = time.monotonic()
    _drive(qtbot, window, call)
    elapsed = time.monotonic() - started
    timer.stop()

    # The event loop kept running throughout, and the call ended by the deadline.
    gaps = [b - a for a, b in itertools.pairwise([started, *beats, time.monotonic()])]
    assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.3f} s"
    assert elapsed < ENDS_WITHIN
    if fault in HTTP_FAULTS:
        assert call in servers.hostile.calls_seen(), "the armed call was never made"

    message = child(window, "messageArea").text()
    patient_message = window.patient_panel.message_label.text()
    store, path = history
    expected = sentence(fault, call)
    for text in (message, patient_message, window.result.connection_status.text()):
        assert UNEXPECTED not in text
        assert "Traceback" not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text

    if call == "poll":
        # The link was issued and stays; only the quiet polling line says something is off.
        assert child(window, "linkUrlEdit").text()
        assert message == ""
        assert [row.outcome for row in _rows(store)] == ["pending"]
    else:
        assert child(window, "linkUrlEdit").text() == ""
        assert nothing_scannable(child(window, "qrCode"))
        assert _rows(store) == []
        if call in ("token", "code"):
            assert expected in message, message
            assert patient_message == ""
        elif call == "catalogue":
            # No sentence at all: the bundled table stands in, quietly.
            assert message == "" and patient_message == ""
            assert not window.controller.catalogue.from_server
        elif fault == "404" and call == "resolve":
            # "No such clinic ID" is no failure: the search found the patient.
            assert window.patient_panel.copy_user_id_button.isVisible()
            assert message == ""
        elif fault == "404" and call == "user":
            assert "No patient has the Vital user ID" in patient_message
        else:
            assert expected in patient_message, patient_message
            assert message == ""

    # The form is as it was.
    assert child(window, "userIdEdit").text() == UID
    assert window.provider_picker.selected_slug() == provider
    assert child(window, "redirectUrlEdit").text() == REDIRECT
    assert _integrity(path) == "ok"
    if fault == "redirect":
        assert servers.other_host.events == [], "the redirect was followed"
    _check_no_leak(window, servers, tmp_path)


CONTROL_CALLS = ("token", "code", "resolve", "search", "user", "create", "catalogue", "poll")


@pytest.mark.parametrize("call", CONTROL_CALLS)
def test_the_same_flow_works_against_the_healthy_server(
    qtbot: Any,
    open_window: WindowFactory,
    servers: Servers,
    history: tuple[HistoryStore, Path],
    tmp_path: Path,
    call: str,
) -> None:
    """The control: without a fault every flow above succeeds, so a failure there is the
    fault's doing, not the flow's."""
    servers.arm(None, call)
    window = _open(open_window, servers, None, history, catalogue=call == "catalogue")
    c = window.controller
    panel = window.patient_panel
    if call in ("token", "code", "poll"):
        if call == "code":
            window.provider_picker.select_slug("apple_health_kit")
        c.generate()
        qtbot.waitUntil(lambda: bool(child(window, "linkUrlEdit").text()), timeout=5000)
        assert not nothing_scannable(child(window, "qrCode"))
        assert len(_rows(store := history[0])) == 1 and store is history[0]
        if call == "poll":
            qtbot.waitUntil(lambda: servers.hostile.calls_seen().count("poll") >= 2, timeout=5000)
            assert POLL_SENTENCE not in window.result.connection_status.text()
    elif call == "catalogue":
        qtbot.waitUntil(lambda: c.catalogue.from_server, timeout=5000)
    else:
        text = UID if call == "user" else NEW_CLIENT_ID if call == "create" else CLIENT_ID
        panel.search_edit.setText(text)
        c.patients.find()
        qtbot.waitUntil(lambda: not c.patients.busy, timeout=5000)
        if call == "create":
            c.patients.create()
            qtbot.waitUntil(lambda: not c.patients.busy, timeout=5000)
        assert panel.copy_user_id_button.isVisible(), panel.message_label.text()
    assert call in servers.hostile.calls_seen()
    assert child(window, "messageArea").text() == ""
    _check_no_leak(window, servers, tmp_path)


def test_every_fault_kind_names_a_sentence() -> None:
    assert all(sentence(f, c) in SENTENCES.values() for f, c in CASES)
