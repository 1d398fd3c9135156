"""Cost of the history view's queries on a history of 100,000 hand-offs.

Inserts 100,000 rows (in one transaction, for speed: the per-row durable insert is not what
is measured here), then times pages of 200 through ``HistoryStore.query`` and the matching
``count``, unfiltered and with each filter of the view. The floor is a bare
``SELECT * ... ORDER BY created_at DESC LIMIT 200`` of the same page on a plain connection,
in the same run. Prints, per query, the best of a few runs in milliseconds and the ratio
against the floor. Target: every page and count under 100 ms (the window runs them off the
GUI thread, but a person waits for them); exit status 1 when one misses it.

    .venv/bin/python benchmarks/bench_history.py [--rows 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vital_desktop.core.history_store import (
    OUTCOMES,
    WAYS,
    HistoryStore,
    fingerprint,
    to_text,
)

PAGE = 200
TARGET_MS = 100.0
PROVIDERS = ("oura", "fitbit", "garmin", "dexcom", "whoop", "withings", "polar", "apple_health_kit")
START = datetime(2024, 1, 1, tzinfo=UTC)


def fill(store: HistoryStore, rows: int) -> None:
    """``rows`` synthetic hand-offs over a year, with ways, through the store's own tables."""
    rng = random.Random(7)
    conn = store._connection()
    conn.execute("BEGIN")
    for n in range(rows):
        created = START + timedelta(seconds=n * 315)  # about a year for 100,000
        conn.execute(
            "INSERT INTO handoffs (created_at, environment, region, base_url, user_id, "
            "client_user_id, route, provider, filter, redirect_url, fingerprint, outcome, "
            "outcome_detail, outcome_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?, ?)",
            (
                to_text(created),
                "production" if n % 5 else "sandbox",
                "us" if n % 3 else "eu",
                "https://api.us.junction.com",
                f"{rng.getrandbits(128):032x}",
                f"MRN-{n:07d}",
                "web_link",
                PROVIDERS[n % len(PROVIDERS)],
                fingerprint(str(n)),
                OUTCOMES[n % len(OUTCOMES)],
                None,
                None,
            ),
        )
        conn.execute(
            "INSERT INTO handoff_ways (handoff_id, way) VALUES (last_insert_rowid(), ?)",
            (WAYS[n % len(WAYS)],),
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")


def best_ms(repeat: int, run: Callable[[], object]) -> float:
    """Fastest of ``repeat`` runs, in milliseconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        store = HistoryStore(path)
        started = time.perf_counter()
        fill(store, options.rows)
        print(f"inserted {options.rows:,} rows in {time.perf_counter() - started:.1f} s")
        plain = sqlite3.connect(path)
        floor = best_ms(
            options.repeat,
            lambda: plain.execute(
                f"SELECT * FROM handoffs ORDER BY created_at DESC LIMIT {PAGE}"
            ).fetchall(),
        )
        month = START + timedelta(days=180)
        cases: list[tuple[str, dict[str, object]]] = [
            ("unfiltered", {}),
            ("provider", {"provider": "dexcom"}),
            ("outcome", {"outcome": "error"}),
            ("environment", {"environment": "sandbox"}),
            ("one month", {"since": month, "until": month + timedelta(days=30)}),
            ("user (part of id)", {"user": "MRN-00512"}),
            ("provider+outcome+month", {"provider": "oura", "outcome": "pending",
                                        "since": month, "until": month + timedelta(days=30)}),
        ]  # fmt: skip
        print(f"floor: bare SELECT of a page of {PAGE}: {floor:.2f} ms")
        print(f"{'query':<24} {'page ms':>8} {'ratio':>7} {'deep page ms':>13} {'count ms':>9}")
        failed = False
        for name, filters in cases:
            page = best_ms(options.repeat, lambda f=filters: store.query(**f, limit=PAGE))  # type: ignore[arg-type]
            total = store.count(**filters)  # type: ignore[arg-type]
            deep_offset = max(0, min(total - PAGE, total // 2))
            deep = best_ms(
                options.repeat,
                lambda f=filters, o=deep_offset: store.query(**f, limit=PAGE, offset=o),  # type: ignore[arg-type]
            )
            counted = best_ms(options.repeat, lambda f=filters: store.count(**f))  # type: ignore[arg-type]
            worst = max(page, deep, counted)
            failed |= worst > TARGET_MS
            print(
                f"{name:<24} {page:8.2f} {page / floor:7.1f} {deep:13.2f} {counted:9.2f}"
                f"{'' if worst <= TARGET_MS else '  over target'}"
            )
        plain.close()
        store.close()
    print(f"target: every page and count under {TARGET_MS:g} ms: {'missed' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
