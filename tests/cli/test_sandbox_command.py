"""``vital-link sandbox`` runs the stand-in in the foreground, as its own process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


@contextlib.contextmanager
def _running(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``vital-link sandbox``; yield it and its address; interrupt and reap it after."""
    with subprocess.Popen(
        [sys.executable, "-m", "vital_desktop.cli.main", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = LISTENING.search(line)
            assert match, f"no address printed: {line!r}"
            yield process, match.group(1)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            process.communicate(timeout=10)


def test_serves_until_interrupted_and_exits_zero() -> None:
    with _running() as (process, base_url):
        reply = httpx.post(
            f"{base_url}/v2/user",
            json={"client_user_id": "walk-in-1"},
            headers={"x-vital-api-key": "sk_us_cli_test"},
        )
        assert reply.status_code == 200
        assert reply.json()["client_user_id"] == "walk-in-1"
    assert process.returncode == 0


def test_fault_option_switches_a_fault_on() -> None:
    with _running("--fault", "/v2/providers=503") as (_, base_url):
        reply = httpx.get(f"{base_url}/v2/providers", headers={"x-vital-api-key": "sk_us_x1"})
        assert reply.status_code == 503


def test_bad_fault_spec_exits_2_with_a_sentence() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vital_desktop.cli.main", "sandbox", "--fault", "nonsense"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr
