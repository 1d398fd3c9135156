"""``vital-link diagnostics``: the window's diagnostics on a terminal, nothing secret in them.

Each test runs the real command as its own process, with its own home folder, so the log
file it reads is the one the window would write there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KEY = "sk_eu_Zx9secretKEYvalue0123456789abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZWFtX2lkIjoiY2xpbmljIn0.c2lnbmF0dXJlLXBhcnQ"
DRIVER = """
import sys
from vital_desktop.cli.main import main
code = main(sys.argv[1:])
print("PYSIDE6-LOADED", any(name.startswith("PySide6") for name in sys.modules))
raise SystemExit(code)
"""


def _run(args: list[str], home: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY")
        and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "VITAL_API_KEY", "VITAL_BASE_URL")
    }
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), **variables)
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def _window_log(home: Path) -> Path:
    """Where the window writes its log for this home (Linux layout: XDG_DATA_HOME)."""
    log = home / "data" / "vital-desktop" / "logs" / "vital-desktop.log"
    log.parent.mkdir(parents=True)
    return log


def test_prints_versions_environment_and_the_window_log_without_secrets(tmp_path: Path) -> None:
    log = _window_log(tmp_path)
    log.write_text(
        "2025-01-01 10:00:00 INFO vital_desktop: window opened\n"
        f"2025-01-01 10:00:01 ERROR vital_desktop: failed with {KEY} and {JWT}\n"
        f"2025-01-01 10:00:02 INFO app: echo {KEY.removeprefix('sk_eu_')}\n"
        "2025-01-01 10:00:03 INFO vital_desktop: the last line\n"
    )
    result = _run(
        ["diagnostics"],
        tmp_path,
        VITAL_API_KEY=KEY,
        HTTPS_PROXY="http://desk:Hunter2secret@proxy.clinic.example:3128",
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "App: vital-desktop " in out and "Python: " in out and "Platform: " in out
    assert "Environment: Sandbox · EU" in out
    assert "API address: https://api.sandbox.eu.junction.com" in out
    assert "Proxy: http://proxy.clinic.example:3128" in out
    assert "Qt: not loaded" in out
    assert "Settings changed from the defaults: not known here" in out
    assert "PYSIDE6-LOADED False" in out  # diagnostics never pulls Qt in
    assert "window opened" in out and "the last line" in out
    for secret in (KEY, KEY.removeprefix("sk_eu_"), JWT, "Hunter2secret", "Zx9secretKEY"):
        assert secret not in out
    assert result.stderr == ""


def test_without_a_key_or_a_log_it_still_says_what_it_can(tmp_path: Path) -> None:
    result = _run(["diagnostics"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "VITAL_API_KEY is not set" in result.stdout
    assert "(not there yet)" in result.stdout


def test_a_key_that_cannot_be_used_is_a_line_not_a_failure(tmp_path: Path) -> None:
    result = _run(["diagnostics"], tmp_path, VITAL_API_KEY="mg_us_management0123")
    assert result.returncode == 0, result.stderr
    assert "Environment: not usable: This is a management key" in result.stdout
    assert "mg_us_management0123" not in result.stdout


def test_log_file_option_and_control_characters(tmp_path: Path) -> None:
    log = tmp_path / "elsewhere.log"
    log.write_text("2025-01-01 INFO app: hostile \x1b[2J text\n")
    result = _run(["diagnostics", "--log-file", str(log)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hostile \\x1b[2J text" in result.stdout
    assert "\x1b" not in result.stdout


def test_help_lists_the_command(tmp_path: Path) -> None:
    result = _run(["--help"], tmp_path)
    assert "diagnostics" in result.stdout
    result = _run(["diagnostics", "--help"], tmp_path)
    assert result.returncode == 0 and "--log-file" in result.stdout
