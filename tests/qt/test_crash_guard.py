"""An unexpected exception in a slot opens the crash window, and nothing is lost.

The real app runs as its own process (``vital_desktop.qt.app.main``) with a slot made to
raise; a timer drives it like a person at the desk would and prints what it saw.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

_DRIVER = """
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit, QPushButton
from PySide6.QtWidgets import QLabel
from vital_desktop.qt import app as app_module
from vital_desktop.qt.controllers.link_controller import LinkController

SECRET = "sk_us_Zx9secretKEYvalue0123456789abcdef"

def broken(self):
    raise ZeroDivisionError("a bug, not a user mistake, key " + SECRET)

LinkController.form = broken
qt_app = QApplication([])
state = {}

def dialogs():
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.objectName() == "crashDialog"]

def window_parts():
    for window in QApplication.topLevelWidgets():
        button = window.findChild(QPushButton, "generateButton")
        if button:
            return button, window.findChild(QLineEdit, "redirectUrlEdit")
    raise SystemExit("no link window")

def crash_once():
    button, field = window_parts()
    field.setText("https://clinic.example/done")
    button.click()
    QTimer.singleShot(300, report)

def report():
    found = dialogs()
    print("DIALOGS:", len(found), flush=True)
    dialog = found[0]
    print("VISIBLE:", dialog.isVisible(), "MODAL:", dialog.isModal(), flush=True)
    print("SENTENCE:", dialog.findChild(QLabel, "crashSentence").text(), flush=True)
    details = dialog.findChild(QPlainTextEdit, "crashDetails")
    print("READONLY:", details.isReadOnly(), flush=True)
    QGuiApplication.clipboard().clear()
    dialog.findChild(QPushButton, "copyDetailsButton").click()
    copied = QGuiApplication.clipboard().text()
    print("COPIED-MATCHES:", copied == details.toPlainText() and bool(copied), flush=True)
    print("DETAILS-START", flush=True)
    print(copied, flush=True)
    print("DETAILS-END", flush=True)
    button, field = window_parts()
    button.click()  # the same bug again, while the window is open
    QTimer.singleShot(300, second)

def second():
    found = dialogs()
    print("DIALOGS-AFTER-SECOND:", len(found), "VISIBLE:", found[0].isVisible(), flush=True)
    print("REPEATS:", found[0].findChild(QLabel, "crashRepeatLabel").text(), flush=True)
    button, field = window_parts()
    print("KEPT:", field.text(), flush=True)
    found[0].close()
    qt_app.quit()

QTimer.singleShot(1500, crash_once)
print("EXIT", app_module.main(["--demo"]), flush=True)
"""


def test_unexpected_error_in_a_slot_opens_the_crash_window(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("VITAL_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER], capture_output=True, text=True, timeout=60, env=env
    )
    out = result.stdout
    assert "EXIT 0" in out, out + result.stderr
    assert result.returncode == 0
    assert "DIALOGS: 1" in out
    assert "VISIBLE: True MODAL: False" in out
    assert "SENTENCE: Something went wrong, but nothing you typed was lost." in out
    assert "READONLY: True" in out
    assert "COPIED-MATCHES: True" in out
    details = out.split("DETAILS-START", 1)[1].split("DETAILS-END", 1)[0]
    assert "ZeroDivisionError: a bug, not a user mistake" in details
    assert "App: vital-desktop" in details and "Python: " in details  # the diagnostics
    assert "sk_us_" not in details and "Zx9secretKEY" not in details
    # A second crash updates the one window instead of stacking another.
    assert "DIALOGS-AFTER-SECOND: 1 VISIBLE: True" in out
    # (the broken slot runs on more than one signal, so the count is not exactly two)
    repeats = re.search(r"REPEATS: This has happened (\d+) times", out)
    assert repeats and int(repeats.group(1)) >= 2, out
    assert "KEPT: https://clinic.example/done" in out
    # The traceback went to the log file, scrubbed like every other record.
    log = tmp_path / "data" / "vital-desktop" / "logs" / "vital-desktop.log"
    text = log.read_text("utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text
    assert "Zx9secretKEY" not in text
