"""``vital-link sandbox`` runs the stand-in in the foreground, as its own process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from vital_desktop.cli.main import main
from vital_desktop.cli.sandbox_command import is_loopback

LISTENING = re.compile(r"listening on (http://[0-9.]+:(\d+))")
COMMAND = [sys.executable, "-m", "vital_desktop.cli.main", "sandbox"]


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "VITAL_SANDBOX_FAULTS"}
    return {**base, "PYTHONUNBUFFERED": "1", **extra}


@contextlib.contextmanager
def _running(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """Start ``vital-link sandbox``; yield it, its local address and the banner lines.

    Interrupts it with Ctrl+C and reaps it afterwards.
    """
    with subprocess.Popen(
        [*COMMAND, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or _env(),
    ) as process:
        try:
            assert process.stdout is not None
            banner: list[str] = []
            # The banner ends with this line; reading up to it waits on output, not time.
            while not banner or not banner[-1].startswith("Press Ctrl+C"):
                line = process.stdout.readline()
                assert line, f"the sandbox ended early: {banner!r}"
                banner.append(line.rstrip("\n"))
            match = LISTENING.search(banner[0])
            assert match, f"no address printed: {banner!r}"
            yield process, f"http://127.0.0.1:{match.group(2)}", banner
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            process.communicate(timeout=10)


def _providers(base_url: str) -> int:
    reply = httpx.get(f"{base_url}/v2/providers", headers={"x-vital-api-key": "sk_us_x1"})
    return reply.status_code


def test_serves_until_interrupted_and_exits_zero() -> None:
    with _running() as (process, base_url, banner):
        assert banner[0].startswith("Sandbox Vital API listening on http://127.0.0.1:")
        reply = httpx.post(
            f"{base_url}/v2/user",
            json={"client_user_id": "walk-in-1"},
            headers={"x-vital-api-key": "sk_us_cli_test"},
        )
        assert reply.status_code == 200
        assert reply.json()["client_user_id"] == "walk-in-1"
    assert process.returncode == 0


def test_fault_option_switches_a_fault_on() -> None:
    with _running("--fault", "/v2/providers=503") as (_, base_url, _banner):
        assert _providers(base_url) == 503


def test_a_fault_given_once_in_the_environment_fires_once() -> None:
    # The variable used to be read twice (by the command and again by run_foreground), so a
    # times=1 fault was active twice and fired on two requests.
    env = _env(VITAL_SANDBOX_FAULTS="GET /v2/providers=500,times=1")
    with _running("--fault", "GET /v2/user=500,times=1", env=env) as (_, base_url, banner):
        assert [line for line in banner if line.startswith("Fault active")] == [
            "Fault active: GET /v2/providers=500,times=1",
            "Fault active: GET /v2/user=500,times=1",
        ]
        assert [_providers(base_url) for _ in range(3)] == [500, 200, 200]
        faults = httpx.get(f"{base_url}/_sandbox/faults").json()["faults"]
        assert faults == ["GET /v2/user=500,times=1"]


def test_bad_fault_spec_exits_2_with_a_sentence() -> None:
    result = subprocess.run(
        [*COMMAND, "--fault", "nonsense"], capture_output=True, text=True, timeout=30, env=_env()
    )
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr


def test_bad_fault_variable_exits_2_with_a_sentence(capsys, monkeypatch) -> None:
    monkeypatch.setenv("VITAL_SANDBOX_FAULTS", "/v2/user=explode")
    assert main(["sandbox"]) == 2
    captured = capsys.readouterr()
    assert "unknown" in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--port", "99999"], "0 to 65535"),
        (["--port", "-1"], "0 to 65535"),
        (["--port", "http"], "not a port"),
        (["--link-ttl", "-1"], "above zero"),
        (["--link-ttl", "0"], "above zero"),
        (["--link-ttl", "nan"], "above zero"),
        (["--link-ttl", "inf"], "above zero"),
    ],
)
def test_bad_flags_exit_2_with_a_sentence(capsys, args, fragment) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_a_network_address_needs_the_explicit_flag(capsys, host) -> None:
    assert main(["sandbox", "--host", host, "--port", "0"]) == 2
    captured = capsys.readouterr()
    assert "--allow-remote-connections" in captured.err
    assert captured.err.count("\n") == 1 and "listening" not in captured.out


def test_remote_connections_on_request_come_with_a_warning() -> None:
    args = ("--host", "0.0.0.0", "--allow-remote-connections")
    with _running(*args) as (process, base_url, banner):
        assert banner[0].startswith("Sandbox Vital API listening on http://0.0.0.0:")
        assert process.stderr is not None
        # Printed (and flushed) before the banner, so it is already there to read.
        warning = process.stderr.readline()
        assert "anyone" in warning and "network" in warning
        assert _providers(base_url) == 200
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("my-laptop.local", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_busy_port_exits_4_with_a_sentence() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COMMAND, "--port", str(port)], capture_output=True, text=True, timeout=30, env=_env()
        )
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(port) in lines[0] and "Traceback" not in result.stderr
    assert "listening" not in result.stdout


# What `vital-link --help` (and building the parser for a run) must not import: the network
# stack, the QR encoder, the stand-in, Qt, and the core's parsing and validation with what
# they pull in (idna, ipaddress, dataclasses, logging, typing, shutil): each costs start-up
# time on every run of the command line. argparse, enum and re are all it needs.
HEAVY_FOR_HELP = (
    "httpx",
    "httpcore",
    "ssl",
    "segno",
    "vital_desktop.sandbox",
    "PIL",
    "PySide6",
    "keyring",
    "sqlite3",
    "idna",
    "ipaddress",
    "dataclasses",
    "inspect",
    "logging",
    "typing",
    "shutil",
    "unicodedata",
    "urllib.parse",
    "vital_desktop.core.environments",
    "vital_desktop.core.errors",
    "vital_desktop.core.i18n",
    "vital_desktop.core.logsetup",
    "vital_desktop.core.history_store",
    "vital_desktop.cli.output",
)


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["token", "--help"], ["matrix", "--help"], ["sandbox", "-h"]],
)
def test_help_is_light(argv: list[str]) -> None:
    # --help must not pay for httpx, the QR encoder or the stand-in, nor for the core's
    # validation modules: everything loads on demand, in the command that uses it.
    script = (
        "import sys, contextlib, io\n"
        "from vital_desktop.cli.main import build_parser, main\n"
        "build_parser()\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out, "
        "contextlib.suppress(SystemExit):\n"
        f"    main({argv!r})\n"
        "assert 'vital-link' in out.getvalue(), out.getvalue()\n"
        f"heavy = {HEAVY_FOR_HELP!r}\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_help_runs_as_a_module() -> None:
    assert subprocess.run([*COMMAND[:3], "--help"], capture_output=True, timeout=60).returncode == 0
