"""``vital-link sandbox`` runs the stand-in in the foreground, as its own process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "vital_desktop.cli.main", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = LISTENING.search(line)
    assert match, f"no address printed: {line!r} {process.stderr.read() if process.poll() else ''}"
    return process, match.group(1)


def test_serves_until_interrupted_and_exits_zero() -> None:
    process, base_url = _start()
    try:
        reply = httpx.post(
            f"{base_url}/v2/user",
            json={"client_user_id": "walk-in-1"},
            headers={"x-vital-api-key": "sk_us_cli_test"},
        )
        assert reply.status_code == 200
        assert reply.json()["client_user_id"] == "walk-in-1"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
    assert code == 0


def test_fault_option_switches_a_fault_on() -> None:
    process, base_url = _start("--fault", "/v2/providers=503")
    try:
        reply = httpx.get(f"{base_url}/v2/providers", headers={"x-vital-api-key": "sk_us_x1"})
        assert reply.status_code == 503
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_bad_fault_spec_exits_2_with_a_sentence() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vital_desktop.cli.main", "sandbox", "--fault", "nonsense"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr
