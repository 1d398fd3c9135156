"""A writer killed with SIGKILL mid-burst loses no row it reported as committed.

The writer is a real process: it records hand-offs one transaction each and prints each id
(flushed) only after ``record`` returned. The test reads ids until the burst is well under
way, kills the writer without warning, then opens the file: every reported row is there,
intact, and the file passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vital_desktop.core.history import HistoryStore, fingerprint

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from vital_desktop.core.history import HistoryStore

store = HistoryStore(Path(sys.argv[1]))
assert store.persistent and store.open_problem is None, store.open_problem
print("ready", flush=True)
for n in range(1_000_000):
    row_id = store.record(
        user_id=f"user-{n:07d}", route="cli", secret=f"secret-{n}", environment="sandbox",
        region="us", base_url="https://x.example", client_user_id=f"MRN-{n:07d}",
        provider="oura", how=("cli_printed",),
    )
    print(row_id, n, flush=True)
"""
KILL_AFTER = 300  # rows reported before the kill: the burst is running, far from done


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_rows_reported_committed_survive_sigkill(tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    reported: dict[int, int] = {}
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as writer:
        assert writer.stdout is not None and writer.stderr is not None
        try:
            first = writer.stdout.readline()
            assert first == "ready\n", first + writer.stderr.read()
            while len(reported) < KILL_AFTER:
                line = writer.stdout.readline()
                assert line, writer.stderr.read()
                row_id, n = line.split()
                reported[int(row_id)] = int(n)
            writer.send_signal(signal.SIGKILL)
            # Whatever it printed before dying was committed too.
            for line in writer.stdout:
                if line.strip():
                    row_id, n = line.split()
                    reported[int(row_id)] = int(n)
        finally:
            writer.kill()
            writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # It was killed mid-burst: with the WAL left behind, not closed cleanly.
    assert Path(f"{path}-wal").exists()

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    raw.close()
    with HistoryStore(path) as store:
        assert store.open_problem is None
        for row_id, n in reported.items():
            row = store.get(row_id)
            assert row is not None, f"row {row_id} was reported committed and is missing"
            assert row.user_id == f"user-{n:07d}"
            assert row.client_user_id == f"MRN-{n:07d}"
            assert row.fingerprint == fingerprint(f"secret-{n}")
            assert row.how == {"cli_printed"}
        assert store.count() >= len(reported)
