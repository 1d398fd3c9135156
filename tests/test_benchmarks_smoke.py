"""``benchmarks/run.py --quick`` completes and prints every row (no timing is asserted:
the machines are shared and noisy; the table is read by people)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ROWS = (
    "start to first idle, `--demo`",
    "start-up with a key",
    "Generate click to QR painted",
    "longest event-loop stall while the QR is made",
    "peak RSS after one link",
    "`vital-link --help`",
    "`vital-link token`",
    "links: rss mb",
    "links: threads",
    "links: widgets",
    "links: open files",
    "links: click to QR",
    "history view",
    "polling at idle",
)


@pytest.mark.timeout(600)
def test_quick_run_prints_every_row(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| measure | app | floor |")
    for row in ROWS:
        assert any(row in line for line in table), f"no row for {row!r}:\n{done.stdout}"
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == len(table) - 1
    assert all(r["app"] is not None for r in rows)
