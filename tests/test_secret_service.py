"""End to end with a real Secret Service: gnome-keyring in a private D-Bus session.

Every step is its own process in its own D-Bus session (``tests/secret_service.sh``), all
sharing one keyring folder in a temporary HOME, so what one step stores the next one reads
from the keyring file, as on a desk PC after a restart. ``vital-link key`` and the window's
panel with its KeyController (a small driver script) both go through it.

Needs Debian's ``dbus-daemon`` and ``gnome-keyring`` (``dbus-bin`` for a readiness check):
without them the tests skip, and fail when ``VITAL_REQUIRE_XVFB=1`` (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vital_desktop.sandbox import SandboxServer

HERE = Path(__file__).resolve().parent
WRAPPER = HERE / "secret_service.sh"
KEY = "sk_us_" + "f00dfacefeedbeef" * 2 + "a1b2"
OTHER = "sk_eu_" + "0badc0ffee0ddf00" * 2 + "c3d4"

Run = Callable[..., subprocess.CompletedProcess[str]]

DRIVER = r'''
"""Drive the real connection panel and KeyController against the keyring found here."""
import json
import sys

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from vital_desktop.core.environments import Environment, Region
from vital_desktop.core.keystore import KeyStore
from vital_desktop.qt.controllers.key_controller import KeyController
from vital_desktop.qt.widgets.connection_panel import ConnectionPanel


def wait(condition, what, timeout_ms=15000):
    waited = 0
    while not condition():
        if waited > timeout_ms:
            raise SystemExit(f"timed out waiting for {what}")
        QTest.qWait(20)
        waited += 20


app = QApplication([])
step, key = sys.argv[1], sys.stdin.read().strip()
store = KeyStore()
panel = ConnectionPanel()
controller = KeyController(panel, store, {})
controller.start()
panel.show()
report = {"backend": store.backend_name, "usable": store.usable}
stored = lambda: store.load(Environment.SANDBOX, Region.US)
if step == "remember":
    panel.remember_key_check.click()
    panel.api_key_edit.setFocus()
    QApplication.clipboard().setText(key)
    panel.api_key_edit.paste()
    wait(lambda: stored() == key, "the key in the keychain")
elif step == "reload":
    report["field_is_key"] = panel.api_key_edit.text() == key
    report["ready"] = panel.state().ready
    report["checked"] = panel.remember_key_check.isChecked()
    report["label"] = panel.key_in_use_label.text()
    panel.forget_key_button.click()
    wait(lambda: stored() is None, "the key to be gone")
    report["field_after_forget"] = panel.api_key_edit.text()
report["label_at_end"] = panel.key_in_use_label.text()
print(json.dumps(report))
'''


@pytest.fixture
def keyring_home(tmp_path: Path) -> Iterator[Path]:
    """A temporary HOME for the keyring; the tools, or a skip (a failure in CI)."""
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        reason = (
            f"{' and '.join(missing)} not installed (apt-get install dbus-daemon dbus-bin "
            "gnome-keyring)"
        )
        if os.environ.get("VITAL_REQUIRE_XVFB") == "1":
            pytest.fail(f"{reason}, but VITAL_REQUIRE_XVFB=1")
        pytest.skip(reason)
    home = tmp_path / "home"
    home.mkdir()
    yield home


@pytest.fixture
def run_in_session(keyring_home: Path) -> Iterator[Run]:
    """Run a command in a fresh D-Bus session with gnome-keyring unlocked on ``keyring_home``."""
    runtime = Path(tempfile.mkdtemp(prefix="vk-run-"))  # short: it holds sockets
    runtime.chmod(0o700)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "VITAL_API_KEY")
        and not name.startswith(("GNOME_KEYRING", "XDG_"))
    }
    env.update(
        HOME=str(keyring_home),
        XDG_DATA_HOME=str(keyring_home / ".local" / "share"),
        XDG_CONFIG_HOME=str(keyring_home / ".config"),
        XDG_CACHE_HOME=str(keyring_home / ".cache"),
        XDG_STATE_HOME=str(keyring_home / ".local" / "state"),
        XDG_RUNTIME_DIR=str(runtime),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]),
    )

    def run(*argv: str, stdin: str = "", extra: dict[str, str] | None = None) -> Any:
        result = subprocess.run(
            ["sh", str(WRAPPER), *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env={**env, **(extra or {})},
            cwd=str(keyring_home),
            timeout=90,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    yield run
    shutil.rmtree(runtime, ignore_errors=True)


def vital_link(*argv: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "vital_desktop.cli.main", *argv)


def no_plain_copy(home: Path, *keys: str) -> None:
    """No file under ``home`` holds a key in the clear (the keyring file is encrypted)."""
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for key in keys:
                assert key.encode() not in data, f"{path} holds a key in plain text"


def test_vital_link_key_through_gnome_keyring(
    run_in_session: Run, keyring_home: Path, sandbox: SandboxServer
) -> None:
    stored = run_in_session(*vital_link("key", "set"), stdin=KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "sk_us_…a1b2" in stored.stdout and "SecretService" in stored.stdout
    run_in_session(*vital_link("key", "set"), stdin=OTHER)
    assert list((keyring_home / ".local/share/keyrings").glob("*.keyring"))

    # A later session (a restart) reads it back.
    status = run_in_session(*vital_link("key", "status"))
    assert status.returncode == 0, status.stderr
    assert "sandbox-us     sk_us_…a1b2" in status.stdout
    assert "sandbox-eu     sk_eu_…c3d4" in status.stdout
    assert KEY not in status.stdout

    # token uses it when VITAL_API_KEY is unset.
    user_id = str(sandbox.state.create_user("keyring-e2e")["user_id"])
    args = ("token", "--user-id", user_id, "--env", "sandbox", "--region", "us")
    token = run_in_session(*vital_link(*args), extra={"VITAL_BASE_URL": sandbox.base_url})
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith(sandbox.base_url)

    forget = run_in_session(*vital_link("key", "forget", "--env", "sandbox", "--region", "us"))
    assert forget.returncode == 0 and "Removed the sandbox US key" in forget.stdout
    status = run_in_session(*vital_link("key", "status"))
    assert "sandbox-us     (none)" in status.stdout
    assert "sandbox-eu     sk_eu_…c3d4" in status.stdout
    no_plain_copy(keyring_home, KEY, OTHER)


def test_the_window_remembers_and_forgets_through_gnome_keyring(
    run_in_session: Run, keyring_home: Path, tmp_path: Path
) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")

    first = run_in_session(sys.executable, str(driver), "remember", stdin=KEY)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["usable"] and "SecretService" in report["backend"]
    assert report["label_at_end"] == "Using sk_us_…a1b2 from the keychain"

    # The CLI sees what the window stored ...
    status = run_in_session(*vital_link("key", "status"))
    assert "sandbox-us     sk_us_…a1b2" in status.stdout

    # ... and the next start of the window loads it, and Forget removes it.
    second = run_in_session(sys.executable, str(driver), "reload", stdin=KEY)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report["field_is_key"] and report["ready"] and report["checked"]
    assert report["label"] == "Using sk_us_…a1b2 from the keychain"
    assert report["field_after_forget"] == ""
    assert "removed" in report["label_at_end"]
    status = run_in_session(*vital_link("key", "status"))
    assert "sandbox-us     (none)" in status.stdout
    no_plain_copy(keyring_home, KEY)
