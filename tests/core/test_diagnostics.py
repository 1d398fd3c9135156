"""Diagnostics: everything support needs, read from a real log file, and nothing secret."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vital_desktop.core.diagnostics import LOG_LINES, collect, default_log_path, tail_lines
from vital_desktop.core.logsetup import register_secret

from .helpers import KEY

# Three base64url segments starting eyJ: the shape of a link token, a usable link.
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZWFtX2lkIjoiY2xpbmljIn0.c2lnbmF0dXJlLXBhcnQ"
# A secret of no known shape: only registration (the client registers its key) hides it.
REGISTERED = "clinic-proxy-Passw0rd-4471"


def _collect(log_path: Path | None, **overrides: object) -> str:
    values: dict[str, object] = {
        "app_version": "9.8.7",
        "qt_version": "6.11.3",
        "environment_label": "Sandbox · US",
        "settings_non_default": {},
        "log_path": log_path,
        "last_error": None,
    }
    values.update(overrides)
    return collect(**values)  # type: ignore[arg-type]


def test_versions_platform_environment_and_settings_are_there(tmp_path: Path) -> None:
    text = _collect(
        None,
        settings_non_default={"link_ttl": 30.0, "region": "eu"},
        extra={"API address": "https://api.eu.junction.com"},
    )
    assert "App: vital-desktop 9.8.7" in text
    assert "Qt: 6.11.3" in text
    assert f"Python: {platform.python_version()}" in text
    assert platform.system() in text
    assert "Environment: Sandbox · US" in text
    assert "link_ttl = 30.0" in text and "region = 'eu'" in text
    assert "API address: https://api.eu.junction.com" in text
    assert "Last error: none" in text


def test_without_qt_it_says_so() -> None:
    text = _collect(None, qt_version=None, settings_non_default={})
    assert "Qt: not loaded" in text
    assert "Settings changed from the defaults: none" in text


def test_the_last_lines_of_the_log_are_included(tmp_path: Path) -> None:
    log = tmp_path / "vital-desktop.log"
    log.write_text("".join(f"2025-01-01 INFO app: line {n:03d}\n" for n in range(120)))
    text = _collect(log)
    assert f"last {LOG_LINES} lines" in text
    assert "line 119" in text and f"line {120 - LOG_LINES:03d}" in text
    assert f"line {119 - LOG_LINES:03d}" not in text


def test_a_large_log_is_read_from_its_end_only(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    with log.open("w") as handle:
        for n in range(300_000):  # about 10 MB
            handle.write(f"2025-01-01 INFO app: ordinary line number {n}\n")
        handle.write("x" * 500_000 + "\n")  # one absurd line: cut, not copied whole
        handle.write("the very last line\n")
    start = time.monotonic()
    lines = tail_lines(log)
    assert time.monotonic() - start < 0.5
    assert lines[-1] == "the very last line"
    assert all(len(line) < 2_100 for line in lines)


def test_a_missing_log_file_is_a_line_not_a_failure(tmp_path: Path) -> None:
    text = _collect(tmp_path / "nowhere" / "vital-desktop.log")
    assert "(not there yet)" in text


def test_nothing_secret_comes_out(tmp_path: Path) -> None:
    register_secret(REGISTERED)
    register_secret(KEY)  # as VitalClient does with its key
    log = tmp_path / "vital-desktop.log"
    # A log written before scrubbing existed, or by something that skipped it.
    log.write_text(
        f"2025-01-01 INFO httpx: GET /v2/providers x-vital-api-key: {KEY}\n"
        f"2025-01-01 INFO app: link https://link.tryvital.io/?token={JWT}&env=sandbox\n"
        f"2025-01-01 INFO app: token {JWT}\n"
        f"2025-01-01 INFO app: proxy password {REGISTERED}\n"
        f"2025-01-01 INFO app: key without prefix {KEY.removeprefix('sk_us_')}\n"
    )
    text = _collect(
        log,
        last_error=f"ValueError: bad key {KEY} for token {JWT}\n  raised at line 3",
        settings_non_default={"note": f"{KEY} {REGISTERED}"},
        extra={"Proxy": f"http://desk:{REGISTERED}@proxy.clinic.example:3128"},
    )
    assert KEY not in text
    assert KEY.removeprefix("sk_us_") not in text
    assert "Zx9secretKEY" not in text
    assert JWT not in text and "eyJhbGciOiJIUzI1NiJ9" not in text
    assert REGISTERED not in text
    assert "desk:" not in text  # a password in an address goes with its user name
    assert "proxy.clinic.example:3128" in text
    assert "raised at line 3" in text  # the rest of the error is kept
    assert text.count("[redacted]") >= 8


HOME, WIN_LOCAL = "/home/desk", "/c/Users/desk/AppData/Local"


@pytest.mark.parametrize(
    ("platform_name", "environ", "expected"),
    [
        ("linux", {"HOME": HOME}, f"{HOME}/.local/share/vital-desktop"),
        ("linux", {"HOME": HOME, "XDG_DATA_HOME": "/data"}, "/data/vital-desktop"),
        ("linux", {"HOME": HOME, "XDG_DATA_HOME": "rel"}, f"{HOME}/.local/share/vital-desktop"),
        ("darwin", {"HOME": HOME}, f"{HOME}/Library/Application Support/vital-desktop"),
        ("win32", {"LOCALAPPDATA": WIN_LOCAL}, f"{WIN_LOCAL}/vital-desktop"),
    ],
)
def test_default_log_path_follows_the_platform(
    platform_name: str, environ: dict[str, str], expected: str
) -> None:
    path = default_log_path(environ, platform_name)
    assert path == Path(expected) / "logs" / "vital-desktop.log"


_QT_LOCATION = """
from PySide6.QtCore import QCoreApplication, QStandardPaths
app = QCoreApplication([])
app.setApplicationName("vital-desktop")  # as vital_desktop.qt.app.main names it
print(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation))
"""


@pytest.mark.parametrize("xdg", [None, "absolute", "relative/data"])
def test_default_log_path_is_where_qt_puts_app_data(tmp_path: Path, xdg: str | None) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.pop("XDG_DATA_HOME", None)
    if xdg == "absolute":
        env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    elif xdg:
        env["XDG_DATA_HOME"] = xdg
    result = subprocess.run(
        [sys.executable, "-c", _QT_LOCATION], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    qt_folder = Path(result.stdout.strip().splitlines()[-1])
    assert default_log_path(env) == qt_folder / "logs" / "vital-desktop.log"
