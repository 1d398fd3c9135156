"""Deferring shiboken's per-import source scan keeps ``from __feature__ import`` working.

Each case runs in a fresh interpreter: the scan is a process-wide patch of PySide6's
import hook, and feature switching, once on, stays on for the process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MODULES = {
    # Qt at module level, in a function only, and not at all.
    "uses_qt_globally": """
        from PySide6.QtWidgets import QWidget

        def title(widget: QWidget) -> str:
            return widget.windowTitle()
        """,
    "uses_qt_in_a_function": """
        def title(widget: object) -> str:
            from PySide6.QtWidgets import QWidget

            assert isinstance(widget, QWidget)
            return widget.windowTitle()
        """,
    "plain_python": """
        def title(widget: object) -> str:
            return getattr(widget, "windowTitle")()
        """,
    "snake": """
        from __feature__ import snake_case
        from PySide6.QtWidgets import QWidget

        def titled(text: str) -> QWidget:
            widget = QWidget()
            widget.set_window_title(text)
            assert widget.window_title() == text
            return widget
        """,
}

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
app = QApplication([])
deferred = None
if sys.argv[2] == "defer":
    from vital_desktop.qt.pyside_startup import defer_feature_scan
    deferred = defer_feature_scan()
import plain_python, uses_qt_globally, uses_qt_in_a_function
feature = sys.modules["shibokensupport.feature"]
before = feature._is_initialized
import snake
widget = snake.titled("Vital link")
names = ("plain_python", "uses_qt_globally", "uses_qt_in_a_function", "snake")
print(json.dumps({
    "deferred": deferred,
    "initialized_before_snake": before,
    "table": {name: feature.pyside_feature_dict.get(name) for name in names},
    # after snake_case was switched on, modules that use Qt still see Qt's own names
    "titles": [uses_qt_globally.title(widget), uses_qt_in_a_function.title(widget)],
}))
"""


def _run(tmp_path: Path, mode: str) -> dict[str, object]:
    for name, source in MODULES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), mode],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )
    assert ran.returncode == 0, ran.stderr
    result: dict[str, object] = json.loads(ran.stdout.strip().splitlines()[-1])
    return result


def test_features_work_and_modules_are_classified_as_shiboken_would(tmp_path: Path) -> None:
    deferred = _run(tmp_path, "defer")
    assert deferred["deferred"] is True
    assert deferred["initialized_before_snake"] is False  # nothing switched features on
    assert deferred["titles"] == ["Vital link", "Vital link"]
    # The same table as with shiboken's own scan at every import.
    plain = _run(tmp_path, "plain")
    assert plain["deferred"] is None
    assert deferred["table"] == plain["table"]
    assert deferred["table"] == {
        "plain_python": -1,
        "uses_qt_globally": 0,
        "uses_qt_in_a_function": 0,
        "snake": 1,
    }


def test_deferral_is_idempotent_and_harmless_without_features() -> None:
    code = textwrap.dedent(
        """
        import sys
        from vital_desktop.qt.pyside_startup import defer_feature_scan
        assert defer_feature_scan() is True
        assert defer_feature_scan() is True
        import json, decimal  # imported after: noted, not read
        feature = sys.modules["shibokensupport.feature"]
        assert feature._is_initialized is False
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        label = QLabel("ok")
        assert label.text() == "ok"
        print("fine")
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "fine"
