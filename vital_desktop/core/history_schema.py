"""The hand-off history's SQLite schema, and the migrations from every earlier version.

The version lives in ``PRAGMA user_version``: 0 is a new, empty file. Each step below takes
a file from one version to the next inside one transaction (the version bump included), so
a file is always at exactly one version, never half-way. A step is never edited once
released: a change is a new step.

- 1: the first schema: ``handoffs``, one row per link or code handed out, with the ways it
  was handed over as comma-separated text in ``how``; one index, on ``created_at``.
- 2: ``outcome_at`` (when the outcome was learnt) and an index per filter of the history
  view (provider, environment, outcome; each with ``created_at`` for newest-first pages).
- 3: the ways move to their own table ``handoff_ways`` (one row per way: adding one is an
  insert, never a read-modify-write of a text field); ``handoffs.how`` is emptied and no
  longer read (SQLite older than 3.35 cannot drop a column).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 3


class SchemaTooNew(Exception):
    """The file was written by a newer version of the app; it is left as it is."""

    def __init__(self, version: int) -> None:
        super().__init__(f"history schema version {version} is newer than {SCHEMA_VERSION}")
        self.version = version


def _to_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
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
        )
        """
    )
    conn.execute("CREATE INDEX handoffs_created ON handoffs (created_at)")


def _to_2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE handoffs ADD COLUMN outcome_at TEXT")
    for column in ("provider", "environment", "outcome"):
        conn.execute(f"CREATE INDEX handoffs_{column}_created ON handoffs ({column}, created_at)")


def _to_3(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE handoff_ways (
            handoff_id INTEGER NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
            way TEXT NOT NULL,
            PRIMARY KEY (handoff_id, way)
        ) WITHOUT ROWID
        """
    )
    rows = conn.execute("SELECT id, how FROM handoffs WHERE how <> ''").fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO handoff_ways (handoff_id, way) VALUES (?, ?)",
        [(row_id, way.strip()) for row_id, how in rows for way in how.split(",") if way.strip()],
    )
    conn.execute("UPDATE handoffs SET how = '' WHERE how <> ''")


# STEPS[n] takes a file from version n to n + 1.
STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_1, _to_2, _to_3)
assert len(STEPS) == SCHEMA_VERSION


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to ``target``, one transaction per step; the version it had.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Raises ``SchemaTooNew``
    for a file newer than this code knows, and ``sqlite3.Error`` when a step fails (that
    step is rolled back; the earlier ones stay).
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(found)
    if found >= target:
        return found  # up to date: no write transaction (nor a wait for another's lock)
    while True:
        # Read again inside the write lock: another process may have migrated meanwhile.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version >= target:
                conn.execute("COMMIT")
                return found
            STEPS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
