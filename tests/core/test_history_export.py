"""CSV export of the history: quoting, UTC times, spreadsheet formulas, and back again."""

from __future__ import annotations

import csv
import os
import stat
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from vital_desktop.core.history import CSV_COLUMNS, HistoryStore, export_csv, read_csv

USER = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
TRICKY_IDS = [
    'ward 3, bed "7"',
    "two\nlines",
    "crlf\r\nline",
    'only "quotes"',
    '=HYPERLINK("http://evil.example")',
    "+1 555",
    "-5",
    "@sum",
    "'quoted already",
    "plain",
]


def test_round_trip_keeps_commas_quotes_and_newlines(tmp_path) -> None:
    db = tmp_path / "h.sqlite3"
    out = tmp_path / "history.csv"
    created = datetime(2024, 5, 1, 14, 2, 11, 999_000, tzinfo=timezone(timedelta(hours=2)))
    with HistoryStore(db) as store:
        ids = []
        for n, client in enumerate(TRICKY_IDS):
            ids.append(
                store.record(
                    user_id=USER, route="web_link", secret=f"t{n}", environment="sandbox",
                    region="us", base_url="https://x.example", client_user_id=client,
                    provider="oura", filter=("oura", "fitbit"), how=("qr_shown", "printed"),
                    created_at=created + timedelta(minutes=n),
                )
            )  # fmt: skip
        store.set_outcome(ids[0], "connected", 'Oura, "ring" at 14:05',
                          at=datetime(2024, 5, 1, 12, 5, tzinfo=UTC))  # fmt: skip
        rows = store.query()
    assert export_csv(rows, out) == len(TRICKY_IDS)

    back = read_csv(out)
    assert len(back) == len(TRICKY_IDS)
    by_id = {int(row["id"]): row for row in back}
    for n, row_id in enumerate(ids):
        row = by_id[row_id]
        assert list(row) == list(CSV_COLUMNS)
        assert row["client_user_id"] == TRICKY_IDS[n]
        assert row["created_at"] == (created + timedelta(minutes=n)).astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        assert row["filter"] == "oura,fitbit" and row["how"] == "printed,qr_shown"
    first = by_id[ids[0]]
    assert first["created_at"] == "2024-05-01T12:02:11Z"  # +02:00 written as UTC
    assert first["outcome"] == "connected"
    assert first["outcome_detail"] == 'Oura, "ring" at 14:05'
    assert first["outcome_at"] == "2024-05-01T12:05:00Z"
    assert by_id[ids[1]]["outcome_at"] == ""


def test_formula_cells_are_defused_for_spreadsheets(tmp_path) -> None:
    out = tmp_path / "history.csv"
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record(
            user_id=USER, route="cli", secret="t", environment="sandbox", region="us",
            base_url="https://x.example", client_user_id='=cmd|"/c calc"!A1',
        )  # fmt: skip
        export_csv(store.query(), out)
    with open(out, encoding="utf-8", newline="") as handle:
        (raw,) = list(csv.DictReader(handle))
    assert raw["client_user_id"] == '\'=cmd|"/c calc"!A1'  # a spreadsheet shows it as text
    assert read_csv(out)[0]["client_user_id"] == '=cmd|"/c calc"!A1'


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX permissions")
def test_the_export_is_owner_only(tmp_path) -> None:
    previous = os.umask(0o022)
    try:
        out = tmp_path / "history.csv"
        assert export_csv([], out) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert read_csv(out) == []
        assert Path(out).read_text(encoding="utf-8").splitlines() == [",".join(CSV_COLUMNS)]
    finally:
        os.umask(previous)
