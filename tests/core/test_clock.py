"""The boot clock: the sleep-counting clock of this platform, chosen on purpose."""

from __future__ import annotations

import sys
import time

import pytest

from vital_desktop.core.clock import BOOT_CLOCK_NAME, boot_clock, select_boot_clock

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux clocks")


@linux_only
def test_on_linux_it_is_clock_boottime() -> None:
    assert BOOT_CLOCK_NAME == "CLOCK_BOOTTIME"
    before = time.clock_gettime(time.CLOCK_BOOTTIME)
    reading = boot_clock()
    after = time.clock_gettime(time.CLOCK_BOOTTIME)
    assert before <= reading <= after


def test_it_never_goes_backwards() -> None:
    readings = [boot_clock() for _ in range(1000)]
    assert readings == sorted(readings)


@linux_only
def test_macos_gets_its_sleep_counting_clock_monotonic() -> None:
    # Linux defines the same constant, so the choice for macOS can be checked here.
    read, name = select_boot_clock("darwin")
    assert name == "CLOCK_MONOTONIC"
    before = time.clock_gettime(time.CLOCK_MONOTONIC)
    assert before <= read() <= time.clock_gettime(time.CLOCK_MONOTONIC)


def test_windows_without_its_api_and_unknown_platforms_fall_back_and_say_so() -> None:
    if sys.platform == "win32":
        pytest.skip("Windows has the interrupt-time API")
    for platform in ("win32", "sunos5"):
        read, name = select_boot_clock(platform)
        assert read is time.monotonic
        assert "may stop during sleep" in name


@pytest.mark.skipif(sys.platform != "win32", reason="Windows clocks")
def test_on_windows_it_is_the_interrupt_time() -> None:
    assert BOOT_CLOCK_NAME in {"QueryInterruptTime", "GetTickCount64"}
    assert boot_clock() > 0
