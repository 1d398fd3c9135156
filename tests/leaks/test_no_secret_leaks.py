"""A recognisable fake key goes through the real window and the command line, through
success and every error class; afterwards no file the app wrote and no widget text holds
the key, and no file holds a full link token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vital_desktop.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
CANARY = "sk_us_LeakCanary0123456789abcdefQRSTUV"


def _isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITAL_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        QT_QPA_PLATFORM="offscreen",
        VITAL_API_KEY=CANARY,
        VITAL_INSTANCE_NAME=f"leaks-{home.name}"[:32],
        VITAL_POLICY_FILE=str(home / "no-policy.toml"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _near_echoes(secret: str) -> list[bytes]:
    """The secret in the forms a leak takes: as is, any case, without its prefix."""
    bare = secret.split("_", 2)[-1] if secret.startswith(("sk_", "pk_")) else secret
    forms = {secret, secret.lower(), secret.upper(), bare, bare.lower()}
    return [form.encode() for form in forms if len(form) >= 12]


def _files_holding(home: Path, secrets: list[str]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for secret in secrets:
            if any(form in data for form in _near_echoes(secret)):
                found.append(f"{path.relative_to(home)} holds {secret[:10]}…")
    return found


def test_the_window_leaks_neither_key_nor_token(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    ran = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "leaks" / "window_driver.py")],
        capture_output=True,
        text=True,
        timeout=240,
        env=_isolated_env(home),
        cwd=home,
    )
    lines = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    assert lines and lines[-1].get("exit") == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    tokens = lines[-1]["tokens"]
    assert len(tokens) >= 2, "the successful steps issued no token"
    steps = lines[:-1]
    assert len(steps) >= 14
    for step in steps:
        shown = "\n".join(step["texts"])
        for form in _near_echoes(CANARY):
            assert form.decode() not in shown, f"the key is on screen after {step['fault']}"
    # Every step put something on screen: a link or a sentence.
    assert all(step["texts"] for step in steps)
    assert "Traceback" not in ran.stderr
    assert CANARY not in ran.stderr and CANARY not in ran.stdout
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written, "the app wrote no file at all (no log?): the search proves nothing"
    assert _files_holding(home, [CANARY, *tokens]) == []


@pytest.mark.parametrize(
    "fault",
    [
        None,
        "POST /v2/link/token=401",
        "POST /v2/link/token=422",
        "POST /v2/link/token=500",
        "POST /v2/link/token=invalid-json",
        "POST /v2/link/token=drop",
    ],
)
def test_the_command_line_leaks_neither_key_nor_token(tmp_path: Path, fault: str | None) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with SandboxServer() as server:
        user_id = str(server.state.create_user("cli-canary")["user_id"])
        if fault:
            server.faults.add(fault)
        env = _isolated_env(home)
        env["VITAL_BASE_URL"] = server.base_url
        ran = subprocess.run(
            [
                sys.executable,
                "-m",
                "vital_desktop.cli.main",
                "token",
                "--user-id",
                user_id,
                "--json",
                "--verbose",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=home,
        )
    assert "Traceback" not in ran.stderr
    for form in _near_echoes(CANARY):
        assert form.decode() not in ran.stdout + ran.stderr
    tokens = [json.loads(ran.stdout)["link_token"]] if fault is None else []
    if fault is None:
        assert ran.returncode == 0, ran.stderr
    else:
        assert ran.returncode in (3, 4), ran.stderr
    assert _files_holding(home, [CANARY, *tokens]) == []
