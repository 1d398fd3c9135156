"""What the window's start-up leaves for later: modules not imported before the first paint.

The app is started for real (``vital_desktop.qt.app.main``) in a fresh interpreter with its
own HOME, settings and lock; at the window's first paint the child notes ``sys.modules``
and a few facts about the window, then quits. Behaviour only, never timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each is loaded on first use (a record to log, the keychain after the first paint, a
# dialog, a crash, a connection error to word): none is needed to show the window.
NOT_BEFORE_FIRST_PAINT = (
    "logging.handlers",
    "socket",
    "vital_desktop.core.keystore",
    "vital_desktop.qt.controllers.key_controller",
    "vital_desktop.core.staff_words",
    "vital_desktop.qt.crash_dialog",
    "vital_desktop.qt.views.history_view",
    "vital_desktop.qt.controllers.history_controller",
    "vital_desktop.qt.controllers.preferences_controller",
    "vital_desktop.qt.views.preferences_dialog",
    "vital_desktop.core.client",
    "vital_desktop.sandbox",
    "httpx",
    "ssl",
    "keyring",
)

CHILD = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from vital_desktop.qt import app as app_module

seen = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if not seen and event.type() == QEvent.Type.Paint:
            window = next(w for w in QApplication.topLevelWidgets() if w.isVisible())
            feature = sys.modules.get("shibokensupport.feature")
            seen.update(
                modules=sorted(sys.modules),
                title=window.windowTitle(),
                details_made=window.findChild(QWidget, "messageDetails") is not None,
                features_started=getattr(feature, "_is_initialized", None),
            )
            QTimer.singleShot(0, QApplication.instance().quit)
        return False

real_exec = QApplication.exec

def exec_and_watch(*_args):
    probe = FirstPaint()
    QApplication.instance().installEventFilter(probe)
    QApplication.instance()._probe = probe
    return real_exec()

QApplication.exec = exec_and_watch
code = app_module.main(sys.argv[1:])
print("SEEN " + json.dumps(seen))
sys.exit(code)
"""


def _start(tmp_path: Path, *args: str, **environ: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITAL_")}
    for name in ("config", "data", "cache", "runtime"):
        (tmp_path / name).mkdir(mode=0o700, exist_ok=True)
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        **environ,
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    ran = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    line = next(line for line in ran.stdout.splitlines() if line.startswith("SEEN "))
    seen: dict[str, object] = json.loads(line[len("SEEN ") :])
    return seen


def _loaded_too_early(seen: dict[str, object]) -> list[str]:
    modules = set(seen["modules"])  # type: ignore[arg-type]
    return [name for name in NOT_BEFORE_FIRST_PAINT if name in modules]


def test_demo_start_up_leaves_these_for_later(tmp_path: Path) -> None:
    seen = _start(tmp_path, "--demo")
    assert seen["title"] == "Vital link for a patient"
    assert _loaded_too_early(seen) == []
    assert seen["details_made"] is False  # the message strip's details: on first use
    assert seen["features_started"] is False  # shiboken's source scan still deferred


def test_start_up_with_a_key_leaves_these_for_later(tmp_path: Path) -> None:
    seen = _start(
        tmp_path,
        VITAL_API_KEY="sk_us_" + "a" * 32,
        VITAL_BASE_URL="http://127.0.0.1:9",
    )
    assert seen["title"] == "Vital link for a patient"
    assert _loaded_too_early(seen) == []
