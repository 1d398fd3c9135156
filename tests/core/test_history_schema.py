"""History files from every earlier schema version are migrated; damaged ones moved aside.

The earlier versions' files are written here with their own SQL, frozen as released, so a
change to the app's migration steps cannot quietly change what "version 1" means.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vital_desktop.core.history import SCHEMA_VERSION, HistoryStore
from vital_desktop.core.history_schema import migrate

USER = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

VERSION_1 = """
CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    environment TEXT NOT NULL,
    region TEXT NOT NULL,
    base_url TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_user_id TEXT,
    route TEXT NOT NULL,
    provider TEXT,
    filter TEXT NOT NULL DEFAULT '',
    redirect_url TEXT,
    fingerprint TEXT NOT NULL,
    how TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'pending',
    outcome_detail TEXT
);
CREATE INDEX handoffs_created ON handoffs (created_at);
PRAGMA user_version = 1;
"""
VERSION_2 = """
ALTER TABLE handoffs ADD COLUMN outcome_at TEXT;
CREATE INDEX handoffs_provider_created ON handoffs (provider, created_at);
CREATE INDEX handoffs_environment_created ON handoffs (environment, created_at);
CREATE INDEX handoffs_outcome_created ON handoffs (outcome, created_at);
PRAGMA user_version = 2;
"""
ROW = (
    "INSERT INTO handoffs (created_at, environment, region, base_url, user_id, client_user_id,"
    " route, provider, filter, redirect_url, fingerprint, how, outcome, outcome_detail) VALUES "
    "('2024-05-01T12:00:00.000000Z', 'sandbox', 'us', 'https://x.example', ?, ?, 'web_link',"
    " 'oura', 'oura,fitbit', NULL, 'abcdef012345', ?, ?, ?)"
)


def _old_file(path: Path, version: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(VERSION_1)
        conn.execute(ROW, (USER, "MRN-1", "qr_shown,link_copied", "connected", "Oura at 14:02"))
        conn.execute(ROW, (USER, None, "", "pending", None))
        if version >= 2:
            conn.executescript(VERSION_2)
            conn.execute(
                "UPDATE handoffs SET outcome_at = '2024-05-01T12:02:00.000000Z' WHERE id = 1"
            )
    conn.close()


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    conn.close()
    return {name for (name,) in rows if not name.startswith("sqlite_autoindex")}


@pytest.mark.parametrize("version", [1, 2])
def test_every_earlier_version_is_migrated_with_its_rows(tmp_path, version: int) -> None:
    path = tmp_path / "history.sqlite3"
    _old_file(path, version)
    with HistoryStore(path) as store:
        assert store.open_problem is None
        rows = {row.id: row for row in store.query()}
        with_ways = rows[1]
        assert with_ways.how == frozenset({"qr_shown", "link_copied"})  # moved to their table
        assert with_ways.client_user_id == "MRN-1"
        assert with_ways.filter == ("oura", "fitbit")
        assert (with_ways.outcome, with_ways.outcome_detail) == ("connected", "Oura at 14:02")
        expected_at = datetime(2024, 5, 1, 12, 2, tzinfo=UTC) if version >= 2 else None
        assert with_ways.outcome_at == expected_at
        assert rows[2].how == frozenset() and rows[2].outcome == "pending"
        # The migrated file takes new rows and new ways.
        new = store.record(
            user_id=USER, route="cli", secret="t", environment="sandbox", region="us",
            base_url="https://x.example", how=("cli_printed",),
        )  # fmt: skip
        assert store.add_way(1, "printed")
        assert store.get(1).how == {"qr_shown", "link_copied", "printed"}
        assert store.get(new).how == {"cli_printed"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM handoffs WHERE how <> ''").fetchone()[0] == 0
    conn.close()
    assert {
        "handoffs_created",
        "handoffs_provider_created",
        "handoffs_environment_created",
        "handoffs_outcome_created",
    } <= _indexes(path)


def test_a_new_file_is_the_latest_version(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()


def test_a_failing_step_leaves_the_file_at_its_last_good_version(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    _old_file(path, 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE handoff_ways (x)")  # step 3 will collide with this
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT how FROM handoffs WHERE id = 1").fetchone()[0] != ""
    conn.close()


def test_a_file_from_a_newer_version_is_left_alone(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    store = HistoryStore(path)
    assert not store.persistent
    assert store.open_problem is not None and "newer version" in store.open_problem
    store.close()
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*corrupt*")) == []


def _check_moved_aside(path: Path, store: HistoryStore) -> Path:
    (moved,) = path.parent.glob("history-corrupt-*.sqlite3")
    assert re.fullmatch(r"history-corrupt-\d{8}T\d{6}Z\.sqlite3", moved.name)
    assert store.open_problem == (
        f"The history file was damaged; it was moved aside to {moved} and a new one started."
    )
    assert store.persistent
    assert store.count() == 0
    store.record(
        user_id=USER, route="cli", secret="t", environment="sandbox", region="us",
        base_url="https://x.example",
    )  # fmt: skip
    assert store.count() == 1
    return moved


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not a database at all\n" * 200
    path.write_bytes(garbage)
    with HistoryStore(path) as store:
        moved = _check_moved_aside(path, store)
    assert moved.read_bytes() == garbage  # kept for whoever wants to look


# full_check=False is the command line's quick_check: it must catch the same damage.
@pytest.mark.parametrize("full_check", [True, False])
def test_a_database_that_fails_the_integrity_check_is_moved_aside(
    tmp_path, full_check: bool
) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        for n in range(400):
            store.record(
                user_id=USER, route="cli", secret=f"t{n}", environment="sandbox",
                region="us", base_url="https://x.example", client_user_id=f"MRN-{n:05d}" * 4,
            )  # fmt: skip
    # Scribble over a page in the middle: the header stays valid, the b-tree does not.
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page : 4 * page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    with HistoryStore(path, full_check=full_check) as store:
        _check_moved_aside(path, store)


def test_a_file_that_is_not_a_database_is_moved_aside_by_the_quick_check(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database at all\n" * 200)
    with HistoryStore(path, full_check=False) as store:
        _check_moved_aside(path, store)


def test_an_up_to_date_file_is_opened_without_waiting_for_a_writer(tmp_path) -> None:
    # Nothing to migrate: no write transaction, so another process's long write (here a
    # held write lock) does not hold up opening the file.
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        reader = sqlite3.connect(path, isolation_level=None, timeout=0)
        assert migrate(reader) == SCHEMA_VERSION
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
