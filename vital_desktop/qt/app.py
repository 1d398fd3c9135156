"""``vital-desktop``: parse the command line, build the application, show the link window."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from vital_desktop import __version__
from vital_desktop.core.link_defaults import DEFAULT_LINK_TTL

if TYPE_CHECKING:  # imported at run time only where needed: start-up is measured
    from vital_desktop.core.history import HistoryStore
    from vital_desktop.core.preferences import Preferences


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("the link lifetime must be a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vital-desktop",
        description=(
            "Get a one-time Vital (Junction) link for a patient and hand it over by browser "
            "or QR code. The API key comes from VITAL_API_KEY (kept for this session only); "
            "VITAL_BASE_URL sets a custom API address. Without a key the app starts in demo "
            "mode."
        ),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use a practice server on this computer, even when an API key is set",
    )
    parser.add_argument(
        "--link-ttl",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="how long the countdown runs (default: the Preferences setting, "
        f"{DEFAULT_LINK_TTL:g} s unless changed)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # For scripts/screenshot.sh: fill the demo form, generate, save a picture, quit.
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parsed flags; a bad flag prints a clear message and exits with status 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    if all(arg == "--demo" for arg in args):
        # The usual launches (no flag, or --demo): the same answer without building the
        # parser, whose first use costs 2.5 ms of start-up (gettext, locale).
        return argparse.Namespace(demo=bool(args), link_ttl=None, screenshot=None)
    return build_parser().parse_args(args)


def log_file_path() -> Path:
    """``<app data>/logs/vital-desktop.log`` in the platform's folder (never the cwd); the
    same path ``vital-link diagnostics`` reads."""
    from vital_desktop.core.diagnostics import default_log_path

    return default_log_path()


def open_history(preferences: Preferences) -> HistoryStore:
    """The hand-off history in the app-data folder, old rows purged (now, then daily)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from vital_desktop.core.history import HistoryError, HistoryStore, history_path

    keep_ids = preferences.value("store_client_ids")
    store = HistoryStore(history_path(os.environ), store_client_ids=keep_ids is not False)
    days = preferences.value("history_retention_days")

    def purge() -> None:
        try:
            store.purge_older_than(int(days) if isinstance(days, int) else 90)
        except HistoryError:
            pass  # the next purge tries again; the history still works

    purge()
    timer = QTimer(QApplication.instance())
    timer.setInterval(24 * 60 * 60 * 1000)
    timer.timeout.connect(purge)
    timer.start()
    return store


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    # First, before the window's modules: shiboken would read the source of each one.
    from vital_desktop.qt.pyside_startup import defer_feature_scan

    defer_feature_scan()

    from vital_desktop.qt import collector

    collector.pause()  # until the first paint: see collector.py

    from PySide6.QtCore import QCoreApplication, QSize
    from PySide6.QtWidgets import QApplication

    from vital_desktop.core.logsetup import configure_logging
    from vital_desktop.qt.i18n import install_translator
    from vital_desktop.qt.main_window import LinkWindow
    from vital_desktop.qt.options import options_from_preferences
    from vital_desktop.qt.settings_store import QSettingsStore, open_preferences

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("vital-desktop")
    configure_logging(path=log_file_path())
    # A second launch raises the running window and leaves, before it reads any setting or
    # touches the keychain (two copies would fight over both).
    instance = None
    if not args.screenshot:
        from vital_desktop.qt.single_instance import SingleInstance, raise_window

        instance = SingleInstance()
        if not instance.claim_or_notify():
            collector.resume()
            return 0
    store = QSettingsStore()
    preferences = open_preferences(store)
    # Texts are translated when a widget is made: the translator goes in before the window.
    install_translator(app, str(preferences.value("language") or "system"))
    app.setApplicationDisplayName(QCoreApplication.translate("App", "Vital link"))
    history = open_history(preferences)
    options = options_from_preferences(
        preferences, environ=dict(os.environ), demo=args.demo, link_ttl=args.link_ttl
    )
    options = replace(options, history=history)
    window = LinkWindow(options)
    window.install_menus(store)
    if instance is not None:
        instance.activation_requested.connect(lambda: raise_window(window))
    window.restore_geometry(store, QSize(1120, 780))
    window.show()
    collector.settle(window)
    if args.screenshot:
        from vital_desktop.qt.screenshot import take_screenshot

        take_screenshot(window, args.screenshot)
    try:
        return app.exec()
    finally:
        window.shutdown()
        history.close()
        if instance is not None:
            instance.close()
