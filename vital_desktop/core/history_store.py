"""The history of every hand-off, in one SQLite file on this computer.

One row per link or phone-app code handed to a patient: for whom, through which API, how it
was handed over, and what came of it. Never the link, the token, the code or the API key:
only a fingerprint (the first 12 hex digits of the SHA-256 of the token or code), enough to
match a row to a link someone still holds.

The file is opened in WAL mode with ``synchronous=FULL`` and every write is one
transaction, so ``record`` returns only once the row is on disk: the caller shows the link
after that, and a link that was shown is always in the history, even if the process is
killed a moment later. The file and its ``-wal``/``-shm`` are readable by their owner only.
A damaged file is moved aside and a new one started (``open_problem`` says so in one
sentence); a file that cannot be opened at all leaves a store that keeps nothing on disk
(``persistent`` is False), so nothing crashes either way.

One connection per store, guarded by a lock, usable from any thread (the window writes from
a worker thread).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from vital_desktop.core.diagnostics import default_log_path
from vital_desktop.core.history_schema import (
    SCHEMA_VERSION,
    SchemaTooNew,
    migrate,
    schema_version,
)
from vital_desktop.core.i18n import translate
from vital_desktop.core.names import HISTORY_DB_VARIABLE as HISTORY_DB_VARIABLE

HISTORY_FILE_NAME = "history.sqlite3"
ROUTES = ("web_link", "app_code", "cli")
WAYS = (
    "qr_shown",
    "opened_in_browser",
    "link_copied",
    "qr_copied",
    "qr_saved",
    "printed",
    "cli_printed",
)
OUTCOMES = ("pending", "connected", "error", "expired", "retired", "cancelled")
FINAL_OUTCOMES = frozenset({"connected"})  # once connected, a row's outcome stays
FINGERPRINT_LENGTH = 12
_BUSY_SECONDS = 10.0  # how long a write waits for another process's write to finish
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order
_COLUMNS = (
    "id, created_at, environment, region, base_url, user_id, client_user_id, route, "
    "provider, filter, redirect_url, fingerprint, outcome, outcome_detail, outcome_at"
)
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class HistoryError(Exception):
    """A history write or read failed; ``message`` is the sentence for the desk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HandOff:
    """One link or code handed out. Times are aware UTC datetimes (ISO 8601 in the file)."""

    id: int
    created_at: datetime
    environment: str
    region: str
    base_url: str
    user_id: str
    client_user_id: str | None
    route: str  # one of ROUTES
    provider: str | None
    filter: tuple[str, ...]
    redirect_url: str | None
    fingerprint: str  # first 12 hex digits of sha256(token or code)
    how: frozenset[str]  # some of WAYS
    outcome: str  # one of OUTCOMES
    outcome_detail: str | None
    outcome_at: datetime | None


def fingerprint(secret: str) -> str:
    """The first 12 hex digits of the SHA-256 of a token or code: names it, never gives it."""
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


def default_history_path(
    environ: Mapping[str, str] | None = None, platform_name: str | None = None
) -> Path:
    """``<app data>/history.sqlite3``: beside the ``logs`` folder of
    ``diagnostics.default_log_path`` (e.g. ``~/.local/share/vital-desktop/history.sqlite3``)."""
    return default_log_path(environ, platform_name).parent.parent / HISTORY_FILE_NAME


def history_path(
    environ: Mapping[str, str] | None = None, platform_name: str | None = None
) -> Path:
    """``$VITAL_HISTORY_DB`` when set, else ``default_history_path``."""
    env = os.environ if environ is None else environ
    override = env.get(HISTORY_DB_VARIABLE, "").strip()
    return Path(override).expanduser() if override else default_history_path(env, platform_name)


def to_text(moment: datetime) -> str:
    """An aware datetime as the file's UTC ISO 8601 text; a naive one is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("history times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_text(text: str) -> datetime:
    """The file's ISO 8601 text as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _damaged(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _DAMAGED


def _restrict(path: Path) -> None:
    """Owner read/write only, for the file and its -wal and -shm (no-op on Windows)."""
    if sys.platform.startswith("win"):
        return
    for suffix in ("", "-wal", "-shm"):
        try:
            os.chmod(f"{path}{suffix}", 0o600)
        except FileNotFoundError:
            pass


class _Damaged(Exception):
    pass


class HistoryStore:
    """The hand-off history in the SQLite file at ``path``; see the module docstring.

    ``store_client_ids`` False (the ``store_client_ids`` setting) drops the clinic's patient
    ID from every row recorded from then on; it may be changed on a live store. ``clock``
    gives "now" (aware) for new rows and outcomes.

    ``full_check`` False checks the file with ``PRAGMA quick_check`` instead of
    ``integrity_check`` when it is opened: every page and record is still read and checked
    (a damaged file is still moved aside), but indexes are not compared with their tables.
    It is several times faster (about 30 ms instead of 190 on 100,000 rows), for the command
    line, which opens the file on every run; the window opens it once and checks it fully.
    """

    def __init__(
        self,
        path: Path,
        *,
        store_client_ids: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        full_check: bool = True,
    ) -> None:
        self.path = Path(path)
        self._check = "integrity_check" if full_check else "quick_check"
        self.store_client_ids = store_client_ids
        self.clock = clock
        self.open_problem: str | None = None
        self.persistent = True
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = self._open()

    # ------------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                return self._connect()
            except _Damaged:
                moved = self._move_aside()
                self.open_problem = translate(
                    "History",
                    "The history file was damaged; it was moved aside to {path} and a new "
                    "one started.",
                ).format(path=moved)
                return self._connect()
        except SchemaTooNew:
            reason = translate("History", "it was written by a newer version of vital-desktop")
        except (sqlite3.Error, OSError, _Damaged) as error:
            reason = _reason(error)
        self.open_problem = translate(
            "History",
            "The history file {path} could not be used ({reason}), so links made now are not "
            "kept in the history.",
        ).format(path=self.path, reason=reason)
        self.persistent = False
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        migrate(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        previous = os.umask(0o077)  # the file, -wal and -shm are born owner-only
        try:
            conn = sqlite3.connect(
                str(self.path),
                timeout=_BUSY_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                self._prepare(conn, self._check)
            except BaseException:
                conn.close()
                raise
        finally:
            os.umask(previous)
        _restrict(self.path)
        return conn

    @staticmethod
    def _prepare(conn: sqlite3.Connection, check: str = "integrity_check") -> None:
        try:
            verdict = [row[0] for row in conn.execute(f"PRAGMA {check}").fetchall()]
            if verdict != ["ok"]:
                raise _Damaged("; ".join(str(v) for v in verdict[:3]))
            found = schema_version(conn)
            if found > SCHEMA_VERSION:
                raise SchemaTooNew(found)  # before anything is written to it
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal mode {mode} instead of wal")
            conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk when it returns
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")  # purged rows are overwritten, not left
            migrate(conn)
        except sqlite3.DatabaseError as error:
            if _damaged(error):
                raise _Damaged(str(error)) from error
            raise

    def _move_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        stem = self.path.stem if self.path.suffix else self.path.name
        target = self.path.with_name(f"{stem}-corrupt-{stamp}.sqlite3")
        number = 1
        while target.exists():
            number += 1
            target = self.path.with_name(f"{stem}-corrupt-{stamp}-{number}.sqlite3")
        os.replace(self.path, target)
        wal = Path(f"{self.path}-wal")
        if wal.exists():
            os.replace(wal, f"{target}-wal")  # kept with it: it may hold the last rows
        Path(f"{self.path}-shm").unlink(missing_ok=True)
        return target

    # ------------------------------------------------------------------ plumbing

    def _write(self, action: Callable[[sqlite3.Connection], Any], failed: str) -> Any:
        """Run ``action`` in one IMMEDIATE transaction; committed (on disk) on return.

        ``failed`` is the sentence (with ``{reason}``) of the ``HistoryError`` it raises."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = action(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except (sqlite3.Error, UnicodeEncodeError) as error:  # a lone surrogate in a value
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise HistoryError(failed.format(reason=_reason(error))) from error
            return result

    def _read(self, sql: str, params: Iterable[object]) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, tuple(params)).fetchall()
            except (sqlite3.Error, UnicodeEncodeError) as error:  # a lone surrogate in a filter
                message = translate("History", "The history could not be read ({reason}).")
                raise HistoryError(message.format(reason=_reason(error))) from error

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError(translate("History", "The history is closed."))
        return self._conn

    # ------------------------------------------------------------------ writing

    def record(
        self,
        *,
        user_id: str,
        route: str,
        secret: str,
        environment: str,
        region: str,
        base_url: str,
        client_user_id: str | None = None,
        provider: str | None = None,
        filter: Iterable[str] = (),
        redirect_url: str | None = None,
        how: Iterable[str] = (),
        created_at: datetime | None = None,
    ) -> int:
        """Insert one hand-off (outcome "pending") and return its id once committed.

        ``secret`` is the full token or code: only its fingerprint is kept. Show the link
        only after this returns. Raises ``ValueError`` for an unknown route or way or an
        empty secret or user, and ``HistoryError`` when the write fails.
        """
        if route not in ROUTES:
            raise ValueError(f"unknown hand-off route {route!r}")
        ways = _ways(how)
        if not secret:
            raise ValueError("a hand-off needs the token or code to fingerprint")
        if not user_id:
            raise ValueError("a hand-off needs a user id")
        moment = to_text(created_at if created_at is not None else self.clock())
        client = client_user_id if self.store_client_ids and client_user_id else None
        row = (
            moment,
            environment,
            region,
            base_url,
            user_id,
            client,
            route,
            provider or None,
            ",".join(filter),
            redirect_url or None,
            fingerprint(secret),
        )

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO handoffs (created_at, environment, region, base_url, user_id, "
                "client_user_id, route, provider, filter, redirect_url, fingerprint) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            row_id = cursor.lastrowid
            assert row_id is not None
            conn.executemany(
                "INSERT INTO handoff_ways (handoff_id, way) VALUES (?, ?)",
                [(row_id, way) for way in ways],
            )
            return row_id

        failed = translate(
            "History", "The hand-off could not be written to the history ({reason})."
        )
        return int(self._write(insert, failed))

    def add_way(self, row_id: int, way: str) -> bool:
        """Note one more way the hand-off went (``qr_copied``...); False for no such row."""
        (checked,) = _ways([way])

        def add(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM handoffs WHERE id = ?", (row_id,)).fetchone() is None:
                return False
            conn.execute(
                "INSERT OR IGNORE INTO handoff_ways (handoff_id, way) VALUES (?, ?)",
                (row_id, checked),
            )
            return True

        failed = translate(
            "History", "How the link was handed over could not be noted in the history ({reason})."
        )
        return bool(self._write(add, failed))

    def set_outcome(
        self, row_id: int, outcome: str, detail: str | None = None, *, at: datetime | None = None
    ) -> bool:
        """What came of the hand-off, and when (``at``, default now).

        ``detail``: the provider and time for "connected", the error type for "error", the
        reason for "retired". A "connected" row keeps its outcome; returns False then, and
        for no such row.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown hand-off outcome {outcome!r}")
        moment = to_text(at if at is not None else self.clock())
        final = tuple(FINAL_OUTCOMES)
        marks = ", ".join("?" for _ in final)

        def update(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE handoffs SET outcome = ?, outcome_detail = ?, outcome_at = ? "
                f"WHERE id = ? AND outcome NOT IN ({marks})",
                (outcome, detail, moment, row_id, *final),
            )
            return cursor.rowcount > 0

        failed = translate(
            "History", "What came of the hand-off could not be noted in the history ({reason})."
        )
        return bool(self._write(update, failed))

    def purge_older_than(self, days: int, now: datetime | None = None) -> int:
        """Forget hand-offs made more than ``days`` days before ``now``; how many went."""
        if days < 0:
            raise ValueError("days cannot be negative")
        cutoff = to_text((now if now is not None else self.clock()) - timedelta(days=days))
        return self._delete("WHERE created_at < ?", (cutoff,))

    def clear(self) -> int:
        """Forget every hand-off; how many went."""
        return self._delete("", ())

    def _delete(self, where: str, params: tuple[object, ...]) -> int:
        def delete(conn: sqlite3.Connection) -> int:
            conn.execute(
                f"DELETE FROM handoff_ways WHERE handoff_id IN (SELECT id FROM handoffs {where})",
                params,
            )
            return conn.execute(f"DELETE FROM handoffs {where}", params).rowcount

        failed = translate("History", "Hand-offs could not be removed from the history ({reason}).")
        gone = int(self._write(delete, failed))
        if gone:
            with self._lock:
                try:  # the deleted rows' pages also leave the -wal file
                    self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass  # a reader holds the WAL; the next checkpoint does it
        return gone

    # ------------------------------------------------------------------ reading

    def query(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        user: str | None = None,
        provider: str | None = None,
        environment: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[HandOff]:
        """Hand-offs newest first. ``since`` inclusive, ``until`` exclusive (aware times);
        ``user`` matches part of the user id or the clinic's patient ID (any case); the
        others match exactly. ``limit``/``offset`` page through the result."""
        where, params = _filters(since, until, user, provider, environment, outcome)
        sql = (
            f"SELECT {_COLUMNS}, (SELECT group_concat(way) FROM handoff_ways w "
            f"WHERE w.handoff_id = handoffs.id) FROM handoffs{where} "
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = self._read(sql, [*params, -1 if limit is None else max(0, limit), max(0, offset)])
        return [_hand_off(row) for row in rows]

    def count(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        user: str | None = None,
        provider: str | None = None,
        environment: str | None = None,
        outcome: str | None = None,
    ) -> int:
        """How many hand-offs ``query`` with the same filters gives, without a limit."""
        where, params = _filters(since, until, user, provider, environment, outcome)
        return int(self._read(f"SELECT count(*) FROM handoffs{where}", params)[0][0])

    def get(self, row_id: int) -> HandOff | None:
        """The hand-off with this id, or None."""
        sql = (
            f"SELECT {_COLUMNS}, (SELECT group_concat(way) FROM handoff_ways w "
            "WHERE w.handoff_id = handoffs.id) FROM handoffs WHERE id = ?"
        )
        rows = self._read(sql, [row_id])
        return _hand_off(rows[0]) if rows else None

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Close the file (a second close does nothing)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _ways(how: Iterable[str]) -> tuple[str, ...]:
    ways = tuple(dict.fromkeys(how))
    for way in ways:
        if way not in WAYS:
            raise ValueError(f"unknown hand-off way {way!r}")
    return ways


def _filters(
    since: datetime | None,
    until: datetime | None,
    user: str | None,
    provider: str | None,
    environment: str | None,
    outcome: str | None,
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if since is not None:
        clauses.append("created_at >= ?")
        params.append(to_text(since))
    if until is not None:
        clauses.append("created_at < ?")
        params.append(to_text(until))
    if user:
        # A substring, ASCII case folded as LIKE would, but without LIKE's pattern length
        # limit (a 100 kB paste into the search box is "no match", not an error).
        clauses.append(
            "(instr(lower(user_id), lower(?)) > 0 OR instr(lower(client_user_id), lower(?)) > 0)"
        )
        params += [user, user]
    for column, value in (("provider", provider), ("environment", environment)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if outcome:
        clauses.append("outcome = ?")
        params.append(outcome)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _hand_off(row: tuple[Any, ...]) -> HandOff:
    (row_id, created, environment, region, base_url, user_id, client, route, provider) = row[:9]
    (filter_text, redirect, print_, outcome, detail, outcome_at, ways) = row[9:]
    return HandOff(
        id=int(row_id),
        created_at=from_text(created),
        environment=environment,
        region=region,
        base_url=base_url,
        user_id=user_id,
        client_user_id=client,
        route=route,
        provider=provider,
        filter=tuple(s for s in filter_text.split(",") if s),
        redirect_url=redirect,
        fingerprint=print_,
        how=frozenset(w for w in (ways or "").split(",") if w),
        outcome=outcome,
        outcome_detail=detail,
        outcome_at=from_text(outcome_at) if outcome_at else None,
    )


def _reason(error: BaseException) -> str:
    if isinstance(error, UnicodeError):
        return translate("History", "a value is not valid text")
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
