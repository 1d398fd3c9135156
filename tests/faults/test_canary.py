"""The canary key through the real `vital-link` processes, each in an empty home folder:
afterwards no output and no file the app wrote holds the key, and no file holds a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .hostile import CANARY, REDIRECT, UID, Servers, files_holding, holds_secret, sentence

# One of each kind of sentence, and the healthy run (None) that issues a real token.
FAULTS = [None, "401", "422-list", "502-html", "invalid-json", "huge", "gzip-gzip-bomb",
          "trickle", "reset", "redirect", "tls-plain", "dns"]  # fmt: skip


def _isolated_env(home: Path, base_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VITAL_") and not k.upper().endswith("_PROXY")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        VITAL_API_KEY=CANARY,
        VITAL_BASE_URL=base_url,
        VITAL_POLICY_FILE=str(home / "no-policy.toml"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _vital_link(
    args: list[str], env: dict[str, str], home: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vital_desktop.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=home,
    )


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f or "healthy")
def test_no_process_output_or_file_holds_the_key_or_a_token(
    tmp_path: Path, servers: Servers, fault: str | None
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    servers.arm(fault, "token")
    env = _isolated_env(home, servers.base_url(fault))
    token = ["token", "--user-id", UID, "--provider", "oura", "--redirect-url", REDIRECT]
    ran = [
        _vital_link([*token, "--timeout", "1", "--verbose", "--json"], env, home),
        _vital_link(["history"], env, home),
        _vital_link(["diagnostics"], env, home),
    ]
    first = ran[0]
    if fault is None:
        assert first.returncode == 0, first.stderr
        assert servers.hostile.issued[-1] in first.stdout  # printed, the only place it goes
    else:
        assert first.returncode in (3, 4), first.stderr
        assert sentence(fault, "token") in first.stderr
        assert first.stdout == ""
    for run in ran:
        assert "Traceback" not in run.stderr
        assert holds_secret(run.stdout + run.stderr, [CANARY]) == []
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written, "nothing was written at all (no history?): the search proves nothing"
    assert files_holding(home, [CANARY, *servers.hostile.issued]) == []
