"""The window reopens where it was, unless that place is on a screen that is gone."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from vital_desktop.qt.geometry import (
    GEOMETRY_KEY,
    place_on_screen,
    restore_window_geometry,
    save_window_geometry,
    saved_frame,
)
from vital_desktop.qt.settings_store import QSettingsStore

Shown = Callable[[QWidget], QWidget]


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "vital-desktop.ini"


def _store(path: Path) -> QSettingsStore:
    return QSettingsStore(QSettings(str(path), QSettings.Format.IniFormat))


@pytest.fixture
def show(qtbot: Any) -> Shown:
    def shown(window: QWidget) -> QWidget:
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return shown


def _available() -> QRect:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def _save(window: QWidget, path: Path) -> None:
    store = _store(path)
    save_window_geometry(window, store)
    assert store.sync() is None


def _assert_placed_as_at_first_start(window: QWidget, size: QSize) -> None:
    """Where ``place_on_screen`` puts a fresh window of ``size``: centred, fitting."""
    fresh = QWidget()
    fresh.resize(size)
    place_on_screen(fresh)
    assert (window.pos(), window.size()) == (fresh.pos(), fresh.size())
    fresh.deleteLater()


def test_size_and_place_come_back_in_the_next_run(
    settings_file: Path, show: Shown, qtbot: Any
) -> None:
    first = QWidget()
    first.resize(420, 300)
    first.move(37, 53)  # anywhere but the centre, which is where a fresh window goes
    show(first)
    before = first.geometry()
    _save(first, settings_file)
    raw = _store(settings_file).get(GEOMETRY_KEY)
    assert isinstance(raw, str) and base64.b64decode(raw)  # base64 text in the store

    second = QWidget()
    assert restore_window_geometry(second, _store(settings_file)) is True
    show(second)
    qtbot.waitUntil(lambda: second.geometry() == before)


def test_a_place_on_a_screen_that_is_gone_is_moved_onto_this_one(
    settings_file: Path, show: Shown, qtbot: Any
) -> None:
    gone = QWidget()
    gone.resize(300, 200)
    gone.move(_available().right() + 3000, 40)  # was on a monitor to the right, unplugged
    show(gone)
    _save(gone, settings_file)
    raw = _store(settings_file).get(GEOMETRY_KEY)
    frame = saved_frame(base64.b64decode(str(raw)))
    assert frame is not None and not frame.intersects(_available())

    window = QWidget()
    window.resize(300, 200)
    assert restore_window_geometry(window, _store(settings_file)) is False
    # Placed as at a first start (centred), not merely pushed in to the nearest edge.
    _assert_placed_as_at_first_start(window, QSize(300, 200))
    show(window)
    qtbot.waitUntil(lambda: _available().contains(window.frameGeometry()))


def test_a_place_partly_on_this_screen_is_kept(settings_file: Path, show: Shown) -> None:
    available = _available()
    partly = QWidget()
    partly.resize(300, 200)
    partly.move(available.right() - 150, available.top() + 10)  # half hangs off the edge
    show(partly)
    _save(partly, settings_file)
    assert restore_window_geometry(QWidget(), _store(settings_file)) is True


@pytest.mark.parametrize("raw", [None, "", "not base64!", base64.b64encode(b"junk" * 20).decode()])
def test_nothing_or_damaged_bytes_fall_back_to_a_centred_window(
    settings_file: Path, show: Shown, qtbot: Any, raw: str | None
) -> None:
    store = _store(settings_file)
    if raw is not None:
        store.set(GEOMETRY_KEY, raw)
    window = QWidget()
    assert restore_window_geometry(window, store, QSize(320, 240)) is False
    _assert_placed_as_at_first_start(window, QSize(320, 240))
    show(window)
    qtbot.waitUntil(lambda: _available().contains(window.frameGeometry()))
