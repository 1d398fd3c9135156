"""Quitting while a slow server holds a request open must not freeze the app."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from vital_desktop.sandbox import SandboxServer

_DRIVER = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from vital_desktop.qt import app as app_module

qt_app = QApplication([])
user_id = sys.argv[1]

def generate_then_quit():
    for window in QApplication.topLevelWidgets():
        field = window.findChild(QLineEdit, "userIdEdit")
        button = window.findChild(QPushButton, "generateButton")
        if field and button:
            field.setText(user_id)
            button.click()
            print("generating:", button.text(), flush=True)
    QTimer.singleShot(700, qt_app.quit)

QTimer.singleShot(1000, generate_then_quit)
code = app_module.main([])
print("exited", code, flush=True)
"""


def test_quitting_mid_request_exits_promptly() -> None:
    with SandboxServer() as server:
        user_id = str(server.state.create_user("busy-quit")["user_id"])
        server.faults.add("/v2/link/token=slow=30")
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "VITAL_API_KEY": server.demo_key,
            "VITAL_BASE_URL": server.base_url,
        }
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", _DRIVER, user_id],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        elapsed = time.monotonic() - start
        # The request really was in flight when the app quit.
        assert server.request_log.matching("POST", "/v2/link/token")
    assert "generating: Asking Vital" in result.stdout, result.stdout + result.stderr
    assert "exited 0" in result.stdout, result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 12, f"the app took {elapsed:.1f} s to quit with a request in flight"
