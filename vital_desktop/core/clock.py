"""A clock for link deadlines that keeps counting while the computer sleeps.

A link token dies on the server's schedule whether or not the desk PC was suspended, so a
countdown must not pause during sleep (as ``time.monotonic`` does on Linux and macOS) and
must not jump when someone changes the wall clock (as ``time.time`` does). Per platform:

- **Linux**: ``clock_gettime(CLOCK_BOOTTIME)``, ``CLOCK_MONOTONIC`` plus time spent
  suspended; never set by the user or NTP.
- **macOS**: ``clock_gettime(CLOCK_MONOTONIC)``. Apple's clock_gettime(3) documents it as
  continuing to increment while the system is asleep (it reads mach continuous time).
  ``time.monotonic`` there is ``mach_absolute_time``, the same as ``CLOCK_UPTIME_RAW``, which
  stops during sleep, so it is not used.
- **Windows**: ``QueryInterruptTime`` (Windows 10 and later), the *biased* interrupt-time
  count, which Microsoft documents as including time in sleep and hibernation (the
  "unbiased" variants exclude it) and as unaffected by clock changes. Where it is missing,
  ``GetTickCount64``, which is the same count in milliseconds. ``time.monotonic`` is
  ``GetTickCount64`` up to Python 3.12 but ``QueryPerformanceCounter`` from 3.13, whose
  behaviour across sleep Microsoft does not promise, so the choice is made explicitly here.
- **Anything else**: ``time.monotonic`` (may stop during sleep; ``BOOT_CLOCK_NAME`` says so).

Only differences between two readings mean anything; the origin is arbitrary.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial

ClockReading = Callable[[], float]


def _clock_gettime(name: str) -> ClockReading | None:
    clock_id = getattr(time, name, None)
    if not isinstance(clock_id, int):
        return None
    read: ClockReading = partial(time.clock_gettime, clock_id)
    try:
        read()
    except OSError:  # the constant exists but this kernel refuses it
        return None
    return read


def _windows_clock() -> tuple[ClockReading, str] | None:
    import ctypes  # here, not at the top: only Windows needs it, and start-up is measured

    win_dll = getattr(ctypes, "WinDLL", None)  # absent off Windows
    if win_dll is None:
        return None
    try:
        kernel32 = win_dll("kernel32")
    except OSError:
        return None
    query = getattr(kernel32, "QueryInterruptTime", None)
    if query is not None:
        query.restype = None
        query.argtypes = [ctypes.POINTER(ctypes.c_uint64)]

        def interrupt_time() -> float:
            count = ctypes.c_uint64()
            query(ctypes.byref(count))
            return count.value / 1e7  # 100-nanosecond units

        return interrupt_time, "QueryInterruptTime"
    ticks = getattr(kernel32, "GetTickCount64", None)
    if ticks is None:
        return None
    ticks.restype = ctypes.c_uint64
    ticks.argtypes = []

    def tick_count() -> float:
        return float(ticks()) / 1000.0

    return tick_count, "GetTickCount64"


def select_boot_clock(platform: str = sys.platform) -> tuple[ClockReading, str]:
    """The sleep-counting clock for ``platform`` and a name for it (for logs and tests)."""
    if platform.startswith("linux"):
        read = _clock_gettime("CLOCK_BOOTTIME")
        if read is not None:
            return read, "CLOCK_BOOTTIME"
    elif platform == "darwin":
        read = _clock_gettime("CLOCK_MONOTONIC")
        if read is not None:
            return read, "CLOCK_MONOTONIC"
    elif platform == "win32":
        chosen = _windows_clock()
        if chosen is not None:
            return chosen
    return time.monotonic, "time.monotonic (may stop during sleep)"


_READ, BOOT_CLOCK_NAME = select_boot_clock()


def boot_clock() -> float:
    """Seconds on a clock that counts through sleep and ignores wall-clock changes."""
    return _READ()
