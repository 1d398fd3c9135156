"""Drive the real window for ``scripts/screenshot.sh``: generate in demo mode, then grab it."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from vital_desktop.qt.main_window import LinkWindow

SETTLE_MS = 3200  # the countdown has visibly started (09:57 left)
GIVE_UP_MS = 30_000


def take_screenshot(window: LinkWindow, path: str) -> None:
    """Once the demo patient exists: generate, wait, save the window to ``path``, quit."""
    target = Path(path)

    def fail(reason: str) -> None:
        print(f"screenshot failed: {reason}", file=sys.stderr)
        QApplication.exit(1)

    def generate() -> None:
        window.filter_checklist.set_checked({"fitbit", "oura", "garmin", "withings"})
        window.controller.generate()

    def on_link(_session: object) -> None:
        QTimer.singleShot(SETTLE_MS, grab)

    def grab() -> None:
        screen = window.screen()
        picture = screen.grabWindow(window.winId())
        target.parent.mkdir(parents=True, exist_ok=True)
        if not picture.save(str(target), "PNG"):
            fail(f"could not write {target}")
            return
        print(f"saved {target} ({picture.width()}x{picture.height()})")
        QApplication.exit(0)

    window.controller.link_shown.connect(on_link)
    window.controller.request_failed.connect(lambda error: fail(error.message))
    if window.controller.demo.user_id:
        QTimer.singleShot(300, generate)
    else:
        window.controller.demo.ready.connect(lambda _user_id: QTimer.singleShot(300, generate))
    QTimer.singleShot(GIVE_UP_MS, lambda: fail("timed out"))
