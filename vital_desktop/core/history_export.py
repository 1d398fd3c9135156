"""The hand-off history as CSV, for a spreadsheet or an audit, and back again.

A header and one line per hand-off, quoted by the ``csv`` module, so commas, quotes and line
breaks in a clinic's patient IDs stay inside their cell. Times are UTC, ISO 8601
(``2024-05-01T14:02:11Z``). A cell that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) is written with a leading ``'``; so is one that
already starts with ``'``, and ``read_csv`` takes exactly that one off again. The file is
created readable by its owner only: it names patients.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from vital_desktop.core.history_store import HandOff

CSV_COLUMNS = (
    "id",
    "created_at",
    "environment",
    "region",
    "base_url",
    "user_id",
    "client_user_id",
    "route",
    "provider",
    "filter",
    "redirect_url",
    "fingerprint",
    "how",
    "outcome",
    "outcome_detail",
    "outcome_at",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_time(moment: datetime | None) -> str:
    """``2024-05-01T14:02:11Z`` (UTC), or empty."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_cells(row: HandOff) -> list[str]:
    """One hand-off as the cells of ``CSV_COLUMNS``, defused for spreadsheets."""
    cells = [
        str(row.id),
        csv_time(row.created_at),
        row.environment,
        row.region,
        row.base_url,
        row.user_id,
        row.client_user_id or "",
        row.route,
        row.provider or "",
        ",".join(row.filter),
        row.redirect_url or "",
        row.fingerprint,
        ",".join(sorted(row.how)),
        row.outcome,
        row.outcome_detail or "",
        csv_time(row.outcome_at),
    ]
    return ["'" + cell if cell.startswith(_FORMULA_STARTS) else cell for cell in cells]


def export_csv(rows: Iterable[HandOff], path: Path | str) -> int:
    """Write ``rows`` to ``path`` as CSV (replacing it); how many were written.

    Raises ``OSError`` when the file cannot be written.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    count = 0
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(csv_cells(row))
            count += 1
    return count


def read_csv(path: Path | str) -> list[dict[str, str]]:
    """The rows of a file ``export_csv`` wrote, as column -> text, with the ``'`` put before
    formula-like cells taken off again."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            {name: value[1:] if value.startswith("'") else value for name, value in row.items()}
            for row in csv.DictReader(handle)
        ]
