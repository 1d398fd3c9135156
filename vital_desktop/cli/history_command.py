"""``vital-link history``: list or export the hand-offs recorded on this computer, and the
recording itself for ``vital-link token`` and ``vital-link matrix``.

The history file is the window's (``core.history_store.history_path``: ``$VITAL_HISTORY_DB``,
else ``<app data>/history.sqlite3``), or ``--db``. ``token`` and ``matrix`` open it before
any link is asked for (a file that cannot be used stops them before a link is spent) and
record each hand-off, committed, before the link is printed; ``--no-history`` opts out.
The clinic policy file's ``store_client_ids`` and ``history_retention_days`` apply (the
person's own settings live with the window and are not read here).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from vital_desktop.cli.output import safe_text, write_line
from vital_desktop.core.errors import ErrorCategory, VitalError, invalid_input
from vital_desktop.core.history_store import (
    HandOff,
    HistoryError,
    HistoryStore,
    history_path,
)

EXIT_OK = 0
DEFAULT_ROWS = 100
_HEADERS = ("When (local)", "Patient", "Provider", "Route", "How", "Outcome", "Fingerprint")


# ------------------------------------------------------------------ for token and matrix


def _policy_values(environ: Mapping[str, str]) -> tuple[bool, int | None]:
    """``store_client_ids`` (policy, else the default) and the retention the policy fixes."""
    from vital_desktop.core.policy import load_policy, policy_path
    from vital_desktop.core.settings_table import setting_named

    fixed = load_policy(policy_path(sys.platform, environ)).fixed
    keep_ids = fixed.get("store_client_ids", setting_named("store_client_ids").default)
    days = fixed.get("history_retention_days")
    return bool(keep_ids), days if isinstance(days, int) else None


def open_history(environ: Mapping[str, str], err: TextIO, db: str | None = None) -> HistoryStore:
    """The history store for a run; its ``open_problem`` (a file moved aside) on ``err``.

    Raises INVALID_INPUT when the file cannot be used at all, so the run stops before a
    link is spent on a hand-off that could not be recorded.
    """
    keep_ids, days = _policy_values(environ)
    path = Path(db).expanduser() if db else history_path(environ)
    # quick_check: this runs on every command (see HistoryStore); the window checks fully.
    store = HistoryStore(path, store_client_ids=keep_ids, full_check=False)
    if not store.persistent:
        store.close()
        raise invalid_input(
            "history",
            f"{store.open_problem} Add --no-history to make the link without recording it.",
        )
    if store.open_problem:
        write_line(err, safe_text(store.open_problem))
    if days is not None:
        try:
            store.purge_older_than(days)
        except HistoryError as error:
            write_line(err, safe_text(error.message))
    return store


def open_history_for_run(
    args: argparse.Namespace, environ: Mapping[str, str], err: TextIO
) -> HistoryStore | None:
    """``open_history``, or None with ``--no-history``."""
    if getattr(args, "no_history", False):
        return None
    return open_history(environ, err)


def not_recorded(error: HistoryError) -> VitalError:
    """The error a run stops with when a hand-off could not be recorded."""
    return invalid_input(
        "history",
        f"{error.message} The link was not shown, so that every link handed out is in the "
        "history; try again, or add --no-history.",
    )


# ------------------------------------------------------------------ vital-link history


def _when(text: str, end: bool) -> datetime:
    """A ``--since``/``--until`` value as an aware time: a date is local midnight (for
    ``--until``, the midnight that ends it); a time without an offset is local."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        moment = datetime.combine(day + timedelta(days=1 if end else 0), time())
        return moment.astimezone()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"“{safe_text(text[:40])}” is not a date (2024-05-01) or a time (2024-05-01T14:00)."
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def _checked_when(text: str, end: bool) -> datetime:
    """``_when``, refusing a moment the calendar cannot hold in UTC (the end of 9999-12-31,
    the first hours of year 1 east of Greenwich) in a sentence instead of an OverflowError."""
    try:
        moment = _when(text, end)
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"“{safe_text(text[:40])}” is too far in the past or future.") from None
    return moment


def time_range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``--since`` (from the start of a date) and ``--until`` (to the end of a date) as aware
    times; ``ValueError`` with a sentence for text that is neither a date nor a time."""
    return (
        _checked_when(since, end=False) if since else None,
        _checked_when(until, end=True) if until else None,
    )


def _patient(row: HandOff) -> str:
    from vital_desktop.core.link_form import short_user_id

    short = short_user_id(row.user_id)
    return f"{row.client_user_id} ({short})" if row.client_user_id else short


def _outcome(row: HandOff) -> str:
    return f"{row.outcome}: {row.outcome_detail}" if row.outcome_detail else row.outcome


def table_lines(rows: Sequence[HandOff]) -> list[str]:
    """The rows as an aligned text table, times in local time, every cell made inert."""
    body = [
        (
            row.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            _patient(row),
            row.provider or (",".join(row.filter) if row.filter else "any"),
            row.route,
            ",".join(sorted(row.how)) or "-",
            _outcome(row),
            row.fingerprint,
        )
        for row in rows
    ]
    cells = [_HEADERS, *[tuple(safe_text(c) for c in line) for line in body]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADERS))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]


def run_history(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """``vital-link history``: print the matching hand-offs, or write them as CSV."""
    from vital_desktop.core.history_export import export_csv

    try:
        since, until = time_range(args.since, args.until)
    except ValueError as problem:
        write_line(err, str(problem))
        return ErrorCategory.BAD_INPUT.value
    try:
        path = Path(args.db).expanduser() if args.db else history_path(environ)
        exists = path.exists()
    except (OSError, RuntimeError, ValueError) as problem:  # "~nobody/x", a name too long
        reason = safe_text(getattr(problem, "strerror", None) or str(problem)).rstrip(".")
        write_line(err, f"The history file {safe_text(str(args.db))} cannot be used: {reason}.")
        return ErrorCategory.BAD_INPUT.value
    if not exists:
        write_line(err, f"No hand-offs recorded yet ({safe_text(str(path))} does not exist).")
        return EXIT_OK
    try:
        store = open_history(environ, err, str(path))
    except VitalError as error:
        write_line(err, safe_text(error.message))
        return error.exit_code
    filters = {
        "since": since,
        "until": until,
        "user": args.user,
        "provider": args.provider,
        "environment": args.env,
        "outcome": args.outcome,
    }
    try:
        with store:
            total = store.count(**filters)
            limit = args.limit if args.limit is not None or args.csv else DEFAULT_ROWS
            rows = store.query(**filters, limit=limit)
    except HistoryError as error:
        write_line(err, safe_text(error.message))
        return ErrorCategory.BAD_INPUT.value
    if args.csv:
        try:
            written = export_csv(rows, args.csv)
        except (OSError, ValueError) as problem:  # ValueError: a NUL in the file name
            reason = safe_text(getattr(problem, "strerror", None) or str(problem))
            write_line(err, f"Could not write the CSV file {safe_text(args.csv)}: {reason}.")
            return ErrorCategory.BAD_INPUT.value
        write_line(err, f"Wrote {written} hand-offs to {safe_text(args.csv)}.")
        return EXIT_OK
    if not rows:
        write_line(err, "No hand-offs match.")
        return EXIT_OK
    for line in table_lines(rows):
        write_line(out, line)
    if total > len(rows):
        write_line(err, f"Showing the newest {len(rows)} of {total}; use --limit or --csv.")
    return EXIT_OK
