"""Start-up: flags, demo mode, accessible names, scaling and dark palettes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

from vital_desktop.qt.app import build_parser, parse_args
from vital_desktop.qt.widgets.connection_panel import Mode
from vital_desktop.qt.widgets.environment_banner import DEMO_TEXT

from .conftest import WindowFactory
from .helpers import CONTRACT_NAMES, child, decode_qr, wait_for_demo, wait_for_link

ROOT = Path(__file__).resolve().parents[2]


def test_link_ttl_and_demo_flags() -> None:
    args = parse_args(["--link-ttl", "2.5", "--demo"])
    assert args.link_ttl == 2.5 and args.demo is True
    defaults = parse_args([])
    # No flag: the lifetime comes from Preferences (ten minutes unless changed).
    assert defaults.link_ttl is None and defaults.demo is False


@pytest.mark.parametrize("argv", [[], ["--demo"], ["--demo", "--demo"]])
def test_the_usual_launches_parse_as_the_parser_would(argv: list[str]) -> None:
    # parse_args answers these without building the parser: the answer must not drift.
    assert parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--link-ttl", "soon"], "'soon' is not a number"),
        (["--link-ttl", "0"], "positive"),
        (["--bogus"], "unrecognized"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert needle in capsys.readouterr().err


def test_module_entry_point_help_and_bad_flag() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    ran = subprocess.run(
        [sys.executable, "-m", "vital_desktop", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert ran.returncode == 0
    assert "--link-ttl SECONDS" in ran.stdout and "--demo" in ran.stdout
    assert "--screenshot" not in ran.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "vital_desktop", "--link-ttl", "-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert bad.returncode == 2
    assert "link lifetime must be a positive number" in bad.stderr


def test_no_key_starts_demo_mode_with_a_practice_patient(
    qtbot: Any, open_window: WindowFactory
) -> None:
    window = open_window(environ={})
    assert window.connection.mode() is Mode.DEMO
    assert window.banner.text() == DEMO_TEXT
    wait_for_demo(qtbot, window)
    assert window.controller.demo.server is not None
    assert window.controller.demo.server.base_url.startswith("http://127.0.0.1:")
    edit = child(window, "userIdEdit")
    qtbot.waitUntil(lambda: bool(edit.text()), timeout=5000)
    assert window.controller.demo.server.state.has_user(edit.text())
    assert not child(window, "apiKeyEdit").isEnabled()
    window.controller.generate()
    link = wait_for_link(qtbot, window)
    assert link.startswith(window.controller.demo.server.base_url)
    window.shutdown()
    assert window.controller.demo.server is None


def test_demo_flag_wins_over_a_configured_key(qtbot: Any, open_window: WindowFactory) -> None:
    window = open_window(environ={"VITAL_API_KEY": "pk_us_real"}, demo=True)
    assert window.connection.mode() is Mode.DEMO
    wait_for_demo(qtbot, window)
    assert child(window, "apiKeyEdit").text() == ""


def test_configured_key_and_address_fill_the_form(qtbot: Any, open_window: WindowFactory) -> None:
    env = {"VITAL_API_KEY": " 'sk_eu_abc123' ", "VITAL_BASE_URL": "https://api.example.com/"}
    window = open_window(environ=env)
    assert window.connection.mode() is Mode.CUSTOM
    assert window.controller.demo.server is None
    assert child(window, "apiKeyEdit").text() == "sk_eu_abc123"
    assert window.connection.state().target.base_url == "https://api.example.com"


def _controls(root: QWidget) -> list[QWidget]:
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, QAbstractButton | QLineEdit | QComboBox | QAbstractItemView):
            continue
        parent = widget.parentWidget()
        inner = False
        while parent is not None and parent is not root:
            if isinstance(parent, QComboBox | QLineEdit):
                inner = True  # a combo's own line edit or popup, a line edit's clear button
            parent = parent.parentWidget()
        if not inner:
            found.append(widget)
    return found


def test_every_control_has_an_accessible_name(qtbot: Any, window: Any) -> None:
    for name in CONTRACT_NAMES:
        assert child(window, name).accessibleName(), name
    controls = _controls(window)
    assert len(controls) > 15
    unnamed = [w.objectName() or repr(w) for w in controls if not w.accessibleName()]
    assert unnamed == []


def test_labels_have_mnemonics_for_their_fields(qtbot: Any, window: Any) -> None:
    from PySide6.QtWidgets import QLabel

    buddies = {
        label.buddy().objectName(): label.text()
        for label in window.findChildren(QLabel)
        if label.buddy() is not None
    }
    for name in (
        "userIdEdit",
        "apiKeyEdit",
        "environmentCombo",
        "providerCombo",
        "redirectUrlEdit",
    ):
        assert "&" in buddies[name], name


def test_qr_stays_black_on_white_in_a_dark_palette(
    qtbot: Any, window: Any, patient_id: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    dark = QPalette(original)
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2b2c2f"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
    ):
        dark.setColor(role, QColor(colour))
    child(window, "userIdEdit").setText(patient_id)
    assert window.user_id.hint.styleSheet() == "color: #1e7b34;"
    app.setPalette(dark)
    try:
        qtbot.waitUntil(lambda: window.user_id.hint.styleSheet() == "color: #81c995;")
        window.controller.generate()
        link = wait_for_link(qtbot, window)
        qr = child(window, "qrCode")
        image = qr.grab().toImage()
        module = qr.module_px()
        side = qr.modules * module
        left = (qr.width() - side) // 2
        top = (qr.height() - side) // 2
        # The quiet zone's corner is white, not the dark window colour.
        assert image.pixelColor(left + 1, top + 1).name() == "#ffffff"
        assert decode_qr(image) == [link]
    finally:
        app.setPalette(original)


_SCALED = textwrap.dedent(
    """
    import os, sys, time
    from PySide6.QtWidgets import QApplication
    from vital_desktop.core.client import ClientSettings
    from vital_desktop.qt.main_window import LinkWindow
    from vital_desktop.qt.options import AppOptions
    sys.path.insert(0, "tests")
    from qt.helpers import decode_qr
    app = QApplication([])
    window = LinkWindow(AppOptions(environ={}, catalogue_delay_ms=0))
    hint = window.minimumSizeHint()
    window.resize(1180, 820)
    window.show()
    deadline = time.monotonic() + 10
    while not window.user_id.text() and time.monotonic() < deadline:
        app.processEvents()
    window.controller.generate()
    while not window.result.link_edit.text() and time.monotonic() < deadline:
        app.processEvents()
    app.processEvents()
    qr = window.result.qr
    picture = qr.grab()
    clipped = [b.objectName() for b in (window.generate_button, window.result.open_button,
               window.result.copy_button, window.result.save_qr_button)
               if b.width() < b.minimumSizeHint().width()]
    print(hint.width(), hint.height(), picture.devicePixelRatio(), qr.fits(),
          decode_qr(picture) == [window.result.link_edit.text()], clipped)
    window.shutdown()
    """
)


def test_layout_and_qr_hold_at_200_percent_scaling() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    env.pop("VITAL_API_KEY", None)
    ran = subprocess.run(
        [sys.executable, "-c", _SCALED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    width, height, ratio, fits, decoded, clipped = ran.stdout.strip().splitlines()[-1].split(" ", 5)
    # A 200 % desktop on a 2560x1600 screen has 1280x800 logical pixels to offer.
    assert int(width) <= 1280 and int(height) <= 800
    assert float(ratio) == 2.0
    assert fits == "True" and decoded == "True"
    assert clipped == "[]"
