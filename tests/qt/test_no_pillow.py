"""The window draws its QR code with QPainter: Pillow is never loaded into it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

_DRIVER = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtWidgets import QApplication
    from vital_desktop.qt.main_window import LinkWindow
    from vital_desktop.qt.options import AppOptions
    app = QApplication([])
    window = LinkWindow(AppOptions(environ={}, catalogue_delay_ms=0))
    window.show()
    deadline = time.monotonic() + 20
    while not window.user_id.text() and time.monotonic() < deadline:
        app.processEvents()
    window.controller.generate()
    while not window.result.link_edit.text() and time.monotonic() < deadline:
        app.processEvents()
    window.result.qr.grab()
    print(bool(window.result.link_edit.text()), "PIL" in sys.modules, "qrcode" in sys.modules)
    window.shutdown()
    """
)


def test_a_link_and_its_code_are_shown_without_importing_pillow() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("VITAL_API_KEY", None)
    ran = subprocess.run(
        [sys.executable, "-c", _DRIVER], capture_output=True, text=True, timeout=60, env=env
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.split() == ["True", "False", "False"], ran.stdout + ran.stderr[-2000:]
