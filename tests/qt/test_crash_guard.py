"""An unexpected exception in a slot shows a sentence in the window, and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys

_DRIVER = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget
from vital_desktop.qt import app as app_module
from vital_desktop.qt.controllers.link_controller import LinkController

def broken(self):
    raise ZeroDivisionError("a bug, not a user mistake")

LinkController.form = broken
qt_app = QApplication([])

def click_then_report():
    for window in QApplication.topLevelWidgets():
        button = window.findChild(QPushButton, "generateButton")
        if button:
            field = window.findChild(QLineEdit, "redirectUrlEdit")
            field.setText("https://clinic.example/done")
            button.click()
            area = window.findChild(QWidget, "messageArea")
            print("MESSAGE:", area.text(), flush=True)
            print("DETAILS:", area.details_text(), flush=True)
            print("KEPT:", field.text(), flush=True)
    qt_app.quit()

QTimer.singleShot(1500, click_then_report)
print("EXIT", app_module.main(["--demo"]), flush=True)
"""


def test_unexpected_error_in_a_slot_becomes_a_sentence() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("VITAL_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER], capture_output=True, text=True, timeout=60, env=env
    )
    out = result.stdout
    assert "EXIT 0" in out, out + result.stderr
    assert "MESSAGE: Something unexpected stopped the app" in out
    assert "ZeroDivisionError" in out.split("DETAILS:", 1)[1]
    assert "KEPT: https://clinic.example/done" in out
