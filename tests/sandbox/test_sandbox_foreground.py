"""``run_foreground``: the banner, env-var faults, Ctrl+C and a bad spec."""

from __future__ import annotations

import io
import re
import socket
import threading
import time

import httpx
import pytest

from vital_desktop.core.environments import Environment, Region
from vital_desktop.sandbox import FaultPlan, run_foreground


class _Output(io.StringIO):
    def wait_for(self, pattern: str, timeout: float = 5) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.getvalue())
            if match:
                return match
            time.sleep(0.02)
        raise AssertionError(f"{pattern!r} never printed; got {self.getvalue()!r}")


def test_serves_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITAL_SANDBOX_FAULTS", "GET /v2/providers=503,times=1")
    out, stop = _Output(), threading.Event()
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(
            run_foreground(
                "127.0.0.1", 0, Environment.SANDBOX, Region.EU, 600.0, None, out, stop=stop
            )
        )
    )
    thread.start()
    match = out.wait_for(
        r"Sandbox Vital API listening on (http://127\.0\.0\.1:\d+) \(sandbox, eu\)\. "
        r"Use any API key starting sk_eu_\."
    )
    base = match.group(1)
    assert (
        httpx.get(f"{base}/v2/providers", headers={"x-vital-api-key": "sk_eu_x"}).status_code == 503
    )
    assert (
        httpx.get(f"{base}/v2/providers", headers={"x-vital-api-key": "sk_eu_x"}).status_code == 200
    )
    stop.set()
    thread.join(5)
    assert codes == [0]


class _Interrupting(threading.Event):
    def wait(self, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt


def test_ctrl_c_exits_cleanly() -> None:
    out = io.StringIO()
    assert run_foreground(out=out, stop=_Interrupting()) == 0
    assert "Sandbox stopped." in out.getvalue()


def test_bad_fault_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITAL_SANDBOX_FAULTS", "/v2/user=explode")
    out = io.StringIO()
    assert run_foreground(out=out) == 2
    assert "unknown" in out.getvalue()


def test_a_plan_given_is_not_topped_up_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command line builds its plan from the variable; reading it again here made a
    # fault given once fire twice.
    spec = "GET /v2/providers=500,times=1"
    monkeypatch.setenv("VITAL_SANDBOX_FAULTS", spec)
    plan = FaultPlan.from_env()
    out, stop = _Output(), threading.Event()
    thread = threading.Thread(
        target=run_foreground,
        args=("127.0.0.1", 0, Environment.SANDBOX, Region.US, 600.0, plan, out),
        kwargs={"stop": stop},
    )
    thread.start()
    try:
        base = out.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        out.wait_for("Press Ctrl\\+C")
        assert out.getvalue().count("Fault active") == 1
        statuses = [
            httpx.get(f"{base}/v2/providers", headers={"x-vital-api-key": "sk_us_x"}).status_code
            for _ in range(2)
        ]
        assert statuses == [500, 200]
    finally:
        stop.set()
        thread.join(5)


def test_busy_port_is_a_network_failure_reported_on_err() -> None:
    out, err = io.StringIO(), io.StringIO()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert run_foreground("127.0.0.1", port, out=out, err=err) == 4
    assert f"Cannot listen on 127.0.0.1:{port}" in err.getvalue()
    assert out.getvalue() == ""
