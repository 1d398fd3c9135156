"""The window opens at a size that fits the screen it is on, centred, task bar excluded."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

from vital_desktop.qt.geometry import centred, initial_window_size, place_on_screen

PREFERRED = QSize(1120, 780)  # what the link window asks for
MINIMUM = QSize(900, 640)

# Available geometry in logical pixels: screen minus task bar.
LAPTOP_1366x768 = QRect(0, 0, 1366, 728)
FULL_HD_AT_150_PERCENT = QRect(0, 0, 1280, 680)  # 1920x1080 / 1.5 = 1280x720, minus 40
SECOND_SCREEN_LEFT = QRect(-1280, 40, 1280, 680)  # task bar on top, screen to the left


def _fits(size: QSize, available: QRect) -> bool:
    return size.width() <= available.width() and size.height() <= available.height()


@pytest.mark.parametrize("available", [LAPTOP_1366x768, FULL_HD_AT_150_PERCENT])
def test_small_and_scaled_screens_get_a_window_that_fits(available: QRect) -> None:
    size = initial_window_size(available, PREFERRED, MINIMUM)
    assert _fits(size, available)
    assert size.width() >= MINIMUM.width() and size.height() >= MINIMUM.height()
    assert size.width() == PREFERRED.width()  # room enough across: keep the preferred width
    assert size.height() == available.height()  # not enough down: use all there is


def test_a_big_screen_gets_the_preferred_size() -> None:
    assert initial_window_size(QRect(0, 0, 2560, 1400), PREFERRED, MINIMUM) == PREFERRED


def test_the_screen_wins_over_a_minimum_that_does_not_fit() -> None:
    size = initial_window_size(FULL_HD_AT_150_PERCENT, PREFERRED, QSize(1400, 900))
    assert size == QSize(1280, 680)


def test_a_preferred_size_below_the_minimum_grows() -> None:
    assert initial_window_size(LAPTOP_1366x768, QSize(300, 200), MINIMUM) == MINIMUM


def test_centred_on_a_screen_that_does_not_start_at_the_origin() -> None:
    corner = centred(SECOND_SCREEN_LEFT, QSize(1120, 600))
    assert (corner.x(), corner.y()) == (-1280 + 80, 40 + 40)
    # Taller than the screen: pinned to the top, never above it.
    assert centred(SECOND_SCREEN_LEFT, QSize(1000, 900)).y() == 40


def _available(window: QWidget) -> QRect:
    screen = window.screen()
    assert screen is not None
    return screen.availableGeometry()


def test_place_on_screen_fits_a_real_window_before_it_is_shown(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    available = _available(window)
    window.resize(available.width() * 2, available.height() * 2)
    size = place_on_screen(window)  # leaves room for a title bar not drawn yet
    window.show()
    qtbot.waitExposed(window)
    assert size == window.size()
    assert window.width() < available.width() and window.height() < available.height()
    assert available.contains(window.frameGeometry())


def test_place_on_screen_centres_a_shown_window_with_its_real_frame(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    available = _available(window)
    window.resize(available.width() + 500, available.height() // 2)
    window.show()
    qtbot.waitExposed(window)
    place_on_screen(window)
    qtbot.waitUntil(lambda: available.contains(window.frameGeometry()))
    frame = window.frameGeometry()
    assert frame.width() <= available.width()
    # Centred: the same gap on either side, give or take a pixel of rounding.
    assert abs((frame.left() - available.left()) - (available.right() - frame.right())) <= 1
    assert abs((frame.top() - available.top()) - (available.bottom() - frame.bottom())) <= 1


def test_place_on_screen_keeps_a_window_that_already_fits(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(320, 240)
    assert place_on_screen(window) == QSize(320, 240)
