"""The hand-off history on a real SQLite file: rows, outcomes, filters, purge, permissions."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vital_desktop.core.history import (
    OUTCOMES,
    WAYS,
    HistoryError,
    HistoryStore,
    default_history_path,
    fingerprint,
    history_path,
)

USER_A = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
USER_B = "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _record(store: HistoryStore, **changes: object) -> int:
    fields: dict[str, object] = {
        "user_id": USER_A,
        "route": "web_link",
        "secret": "token-" + os.urandom(6).hex(),
        "environment": "sandbox",
        "region": "us",
        "base_url": "https://api.sandbox.tryvital.io",
        "client_user_id": "MRN-0042",
        "provider": "oura",
        "created_at": T0,
    }
    fields.update(changes)
    return store.record(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_a_row_holds_what_was_handed_out_and_only_a_fingerprint(store, tmp_path) -> None:
    row_id = _record(
        store,
        secret="the-full-token",
        filter=("oura", "fitbit"),
        redirect_url="https://clinic.example/done",
        how=("qr_shown",),
    )
    (row,) = store.query()
    assert row.id == row_id
    assert row.created_at == T0 and row.created_at.tzinfo is not None
    assert (row.environment, row.region, row.route) == ("sandbox", "us", "web_link")
    assert (row.user_id, row.client_user_id, row.provider) == (USER_A, "MRN-0042", "oura")
    assert row.filter == ("oura", "fitbit")
    assert row.redirect_url == "https://clinic.example/done"
    assert row.fingerprint == fingerprint("the-full-token") and len(row.fingerprint) == 12
    assert row.how == frozenset({"qr_shown"})
    assert (row.outcome, row.outcome_detail, row.outcome_at) == ("pending", None, None)
    # Stored as UTC ISO 8601 text in the file itself.
    with sqlite3.connect(tmp_path / "history.sqlite3") as raw:
        assert raw.execute("SELECT created_at FROM handoffs").fetchone()[0] == (
            "2024-05-01T12:00:00.000000Z"
        )


def test_every_way_is_added_once(store) -> None:
    row_id = _record(store)
    for way in WAYS:
        assert store.add_way(row_id, way)
        assert store.add_way(row_id, way)  # twice is still once
    assert store.query()[0].how == frozenset(WAYS)
    assert not store.add_way(row_id + 100, "qr_shown")
    with pytest.raises(ValueError):
        store.add_way(row_id, "faxed")


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_is_recorded_and_found(store, outcome: str) -> None:
    other = _record(store)
    row_id = _record(store)
    at = T0 + timedelta(minutes=3)
    assert store.set_outcome(row_id, outcome, f"detail of {outcome}", at=at)
    (row,) = (
        store.query(outcome=outcome)
        if outcome != "pending"
        else store.query(outcome="pending", limit=1)
    )
    assert row.id == row_id
    assert (row.outcome, row.outcome_detail, row.outcome_at) == (
        outcome,
        f"detail of {outcome}",
        at,
    )
    assert store.count(outcome=outcome) == (2 if outcome == "pending" else 1)
    assert store.get(other) is not None and store.get(other).outcome == "pending"


def test_connected_is_final_and_unknown_outcomes_are_refused(store) -> None:
    row_id = _record(store)
    assert store.set_outcome(row_id, "connected", "Oura at 14:02")
    assert not store.set_outcome(row_id, "expired")
    assert store.get(row_id).outcome == "connected"
    assert not store.set_outcome(row_id + 1, "error", "ValueError")
    with pytest.raises(ValueError):
        store.set_outcome(row_id, "won")
    with pytest.raises(ValueError):
        _record(store, route="fax")
    with pytest.raises(ValueError):
        _record(store, secret="")


def test_client_ids_are_dropped_when_the_policy_says_so(tmp_path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3", store_client_ids=False) as store:
        _record(store, client_user_id="MRN-SECRET")
        assert store.query()[0].client_user_id is None
    assert b"MRN-SECRET" not in (tmp_path / "h.sqlite3").read_bytes()


def test_filters_each_narrow_and_combine(store) -> None:
    a = _record(store, created_at=T0, provider="oura", client_user_id="MRN-0042")
    b = _record(store, created_at=T0 + timedelta(days=1), provider="fitbit", user_id=USER_B,
                client_user_id="ward_B,7")  # fmt: skip
    c = _record(store, created_at=T0 + timedelta(days=2), provider="oura",
                environment="production", user_id=USER_B, client_user_id=None)  # fmt: skip
    store.set_outcome(b, "connected", "Fitbit at 09:00")

    def ids(**filters: object) -> list[int]:
        return [row.id for row in store.query(**filters)]  # type: ignore[arg-type]

    assert ids() == [c, b, a]  # newest first
    assert ids(since=T0 + timedelta(days=1)) == [c, b]
    assert ids(until=T0 + timedelta(days=1)) == [a]  # until is exclusive
    assert ids(user="mrn-00") == [a]  # part of the clinic's id, any case
    assert ids(user="0b9e8f3a") == [c, b]  # part of the Vital user id
    assert ids(user="_B,") == [b]  # LIKE wildcards in the text are plain characters
    assert ids(user="%") == []
    assert ids(provider="oura") == [c, a]
    assert ids(environment="production") == [c]
    assert ids(outcome="connected") == [b]
    assert ids(provider="oura", user=USER_B) == [c]
    assert ids(limit=2) == [c, b] and ids(limit=2, offset=2) == [a]
    assert store.count(provider="oura") == 2 and store.count() == 3
    with pytest.raises(ValueError):
        store.query(since=datetime(2024, 5, 1))  # naive: whose midnight?


def test_purge_forgets_only_what_is_older_than_the_retention(store) -> None:
    now = T0 + timedelta(days=100)
    old = _record(store, created_at=now - timedelta(days=91), how=("printed",))
    kept = _record(store, created_at=now - timedelta(days=89))
    assert store.purge_older_than(90, now=now) == 1
    assert [row.id for row in store.query()] == [kept]
    assert store.get(old) is None
    assert store.purge_older_than(90, now=now) == 0
    assert store.clear() == 1 and store.count() == 0


def test_purged_rows_leave_no_trace_in_the_file_or_its_wal(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        _record(store, client_user_id="PURGED-PATIENT-77", created_at=T0)
        assert store.purge_older_than(1, now=T0 + timedelta(days=2)) == 1
        for name in (path, Path(f"{path}-wal")):
            if name.exists():
                assert b"PURGED-PATIENT-77" not in name.read_bytes()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX permissions")
def test_the_file_and_its_wal_and_shm_are_owner_only(tmp_path) -> None:
    previous = os.umask(0o022)  # a umask that would make new files world-readable
    try:
        path = tmp_path / "new" / "h.sqlite3"
        store = HistoryStore(path)
        _record(store)
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert name.exists(), name
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        store.close()
        # An existing file with loose permissions is tightened when opened.
        os.chmod(path, 0o644)
        HistoryStore(path).close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(previous)


def test_wal_mode_and_full_sync(store) -> None:
    conn = store._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_threads_write_through_one_store(store) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(25):
                row_id = _record(store, client_user_id=f"T{n}-{i}")
                store.add_way(row_id, "link_copied")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.count() == 150
    assert all(row.how == {"link_copied"} for row in store.query())


def test_a_second_store_on_the_same_file_sees_committed_rows(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as writer, HistoryStore(path) as reader:
        row_id = _record(writer)
        assert [row.id for row in reader.query()] == [row_id]


def test_a_closed_store_says_so(tmp_path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.close()
    store.close()
    with pytest.raises(HistoryError, match="closed"):
        _record(store)


def test_unusable_folder_gives_a_sentence_and_a_store_that_keeps_nothing(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    store = HistoryStore(blocker / "history.sqlite3")
    assert not store.persistent
    assert store.open_problem and store.open_problem.startswith("The history file ")
    assert "not kept in the history" in store.open_problem
    _record(store)  # nothing crashes
    assert store.count() == 1
    store.close()


def test_default_path_is_beside_the_logs_folder() -> None:
    linux = default_history_path({"HOME": "/home/desk"}, "linux")
    assert linux == Path("/home/desk/.local/share/vital-desktop/history.sqlite3")
    xdg = default_history_path({"HOME": "/h", "XDG_DATA_HOME": "/data"}, "linux")
    assert xdg == Path("/data/vital-desktop/history.sqlite3")
    mac = default_history_path({"HOME": "/Users/desk"}, "darwin")
    assert mac == Path("/Users/desk/Library/Application Support/vital-desktop/history.sqlite3")
    win = default_history_path({"LOCALAPPDATA": "C:/Users/d/AppData/Local"}, "win32")
    assert win == Path("C:/Users/d/AppData/Local/vital-desktop/history.sqlite3")
    assert history_path({"HOME": "/h", "VITAL_HISTORY_DB": "/tmp/x.db"}, "linux") == Path(
        "/tmp/x.db"
    )
    assert history_path({"HOME": "/h"}, "linux") == default_history_path({"HOME": "/h"}, "linux")
