"""On a computer without any keychain, the window never loads keyring (nor cryptography).

With ``VITAL_API_KEY`` set and no session bus, no keyring variable or config file, the
window shows what it always showed (the key from the variable; *Remember* greyed out with
the no-keychain sentence) and makes a link, and keyring is still not in the process: its
plug-in scan and the Secret Service's cryptography would cost about 14 MB for nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vital_desktop.core.keystore import NO_KEYCHAIN
from vital_desktop.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_us_" + "0123456789abcdef" * 2 + "c0de"

_DRIVER = textwrap.dedent(
    """
    import json, os, sys, time
    from PySide6.QtWidgets import QApplication
    from vital_desktop.qt.main_window import LinkWindow
    from vital_desktop.qt.options import AppOptions
    app = QApplication([])
    environ = {"VITAL_API_KEY": sys.argv[1], "VITAL_BASE_URL": sys.argv[2]}
    window = LinkWindow(AppOptions(environ=environ, catalogue_delay_ms=0))
    window.show()
    controller = window.controller
    deadline = time.monotonic() + 30

    def wait(condition):
        while not condition() and time.monotonic() < deadline:
            app.processEvents()
        assert condition(), "timed out"

    wait(lambda: controller.keys is not None)  # the keychain has been looked for
    window.user_id.edit.setText(sys.argv[3])
    wait(lambda: window.generate_button.isEnabled() and not controller.busy)
    window.generate_button.click()
    wait(lambda: bool(window.result.link_edit.text()))
    window.result.qr.grab()
    panel = window.connection
    print(json.dumps({
        "link": window.result.link_edit.text().startswith(sys.argv[2]),
        "loaded": [m for m in ("keyring", "secretstorage", "cryptography") if m in sys.modules],
        "remember_enabled": panel.remember_key_check.isEnabled(),
        "remember_tip": panel.remember_key_check.toolTip(),
        "label": panel.key_in_use_label.text(),
        "usable": controller.keys.store.usable,
    }))
    window.shutdown()
    """
)


def test_with_a_key_and_no_keychain_keyring_is_never_loaded(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "VITAL_API_KEY")
    }
    for name in ("XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / name).mkdir()
        env[name] = str(tmp_path / name)
    env.update(HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from vital_desktop.core.keychain_choice import keyring_finds_nothing as f;print(f())",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    if probe.stdout.strip() != "True":
        pytest.skip("this computer may have a keychain (a session bus, or keyring set up)")
    user_id = str(sandbox.state.create_user("no-keychain")["user_id"])
    ran = subprocess.run(
        [sys.executable, "-c", _DRIVER, KEY, sandbox.base_url, user_id],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    report = json.loads(ran.stdout.strip().splitlines()[-1])
    assert report == {
        "link": True,
        "loaded": [],
        "remember_enabled": False,
        "remember_tip": NO_KEYCHAIN,
        "label": "Using sk_us_…c0de from VITAL_API_KEY",
        "usable": False,
    }
