"""The window records every hand-off before showing it, and how each one ended."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vital_desktop.core.history import HistoryStore, fingerprint
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child, wait_for_link


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    history = HistoryStore(tmp_path / "history.sqlite3")
    yield history
    history.close()


@pytest.fixture
def recording(
    open_window: WindowFactory, connect_env: dict[str, str], store: HistoryStore
) -> LinkWindow:
    return open_window(environ=connect_env, history=store, poll_seconds=0.2)


def _only_row(store: HistoryStore) -> Any:
    rows = store.query(None, None, None, None, None, None)
    assert len(rows) == 1, rows
    return rows[0]


def _outcome(qtbot: Any, store: HistoryStore, outcome: str) -> Any:
    qtbot.waitUntil(lambda: _only_row(store).outcome == outcome, timeout=5000)
    return _only_row(store)


def _link(qtbot: Any, window: LinkWindow, user_id: str) -> str:
    child(window, "userIdEdit").setText(user_id)
    window.provider_picker.select_slug("oura")
    window.controller.generate()
    return wait_for_link(qtbot, window)


def test_the_hand_off_is_committed_before_the_link_is_on_screen(
    qtbot: Any, recording: LinkWindow, store: HistoryStore, patient_id: str
) -> None:
    seen_at_show: list[int] = []
    recording.controller.link_shown.connect(
        lambda _issued: seen_at_show.append(store.count(None, None, None, None, None, None))
    )
    link = _link(qtbot, recording, patient_id)
    assert seen_at_show == [1]
    row = _only_row(store)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert row.fingerprint == fingerprint(token)
    assert row.user_id == patient_id and row.provider == "oura"
    assert row.route == "web_link" and "qr_shown" in row.how and row.outcome == "pending"


def test_a_connection_seen_by_polling_is_recorded(
    qtbot: Any,
    recording: LinkWindow,
    store: HistoryStore,
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    link = _link(qtbot, recording, patient_id)
    qtbot.waitUntil(lambda: "Waiting" in child(recording, "connectionStatusLabel").text())
    token = parse_qs(urlsplit(link).query)["token"][0]
    httpx.post(
        f"{practice_server.base_url}/link/connect", data={"token": token, "provider": "oura"}
    )
    row = _outcome(qtbot, store, "connected")
    assert "Oura" in (row.outcome_detail or "")


def test_ways_of_handing_off_are_recorded(
    qtbot: Any, recording: LinkWindow, store: HistoryStore, patient_id: str
) -> None:
    _link(qtbot, recording, patient_id)
    recording.controller.hand_off("copy")
    recording.controller.hand_off("copy_qr")
    qtbot.waitUntil(lambda: {"link_copied", "qr_copied"} <= set(_only_row(store).how))


def test_a_link_retired_by_the_form_is_recorded(
    qtbot: Any,
    recording: LinkWindow,
    store: HistoryStore,
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    _link(qtbot, recording, patient_id)
    other = str(practice_server.state.create_user("someone-else")["user_id"])
    child(recording, "userIdEdit").setText(other)
    assert _outcome(qtbot, store, "retired").outcome_detail == "other_patient"


def test_a_link_that_expires_unused_is_recorded(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    store: HistoryStore,
    patient_id: str,
) -> None:
    window = open_window(environ=connect_env, history=store, link_ttl=1.0)
    _link(qtbot, window, patient_id)
    _outcome(qtbot, store, "expired")


def test_a_provider_in_error_is_recorded(
    qtbot: Any,
    recording: LinkWindow,
    store: HistoryStore,
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    practice_server.state.connect(patient_id, "oura")
    _link(qtbot, recording, patient_id)
    qtbot.waitUntil(lambda: "Waiting" in child(recording, "connectionStatusLabel").text())
    practice_server.state.set_connection_error(
        patient_id, "oura", "provider_credential_error", "bad password"
    )
    assert _outcome(qtbot, store, "error").outcome_detail == "provider_credential_error"


def test_a_request_cancelled_before_any_token_was_made_records_nothing(
    qtbot: Any,
    recording: LinkWindow,
    store: HistoryStore,
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    # The token is made, then the reply is held back: the row exists, then Cancel.
    practice_server.faults.add("POST /v2/link/token=slow=30")
    child(recording, "userIdEdit").setText(patient_id)
    recording.controller.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    recording.controller.cancel()
    assert child(recording, "linkUrlEdit").text() == ""
    # A slow fault holds the request before the server makes a token: nothing to record.
    assert store.count(None, None, None, None, None, None) == 0


def test_the_history_window_shows_the_rows(
    qtbot: Any, recording: LinkWindow, store: HistoryStore, patient_id: str
) -> None:
    _link(qtbot, recording, patient_id)
    recording.show_history()
    table = child(recording, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5000)
