"""A countdown on a clock that counts through sleep: shared by link tokens and link codes.

The deadline is stored once on the boot clock (``created_at + lifetime``); what is left is
recomputed on every look, so suspend and wall-clock changes can never extend a life.
``Countdown`` is what a label needs to count anything down (a ``LinkSession``, a
``CodeSession`` or a bare ``Deadline``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from vital_desktop.core.clock import boot_clock
from vital_desktop.core.i18n import translate

WARNING_SECONDS = 60.0


@runtime_checkable
class Countdown(Protocol):
    """Anything that counts down to an expiry: what the window's countdown label reads."""

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        ...

    def expired(self) -> bool:
        """True once nothing is left."""
        ...

    def in_warning(self) -> bool:
        """True in the short stretch just before expiry."""
        ...

    def countdown_text(self) -> str:
        """``"09:41 left"``, ``"1:02:03 left"`` or ``"Expired"``."""
        ...

    def next_tick_in(self) -> float:
        """Seconds until ``countdown_text`` next changes."""
        ...

    def valid_for_seconds(self) -> int:
        """Whole seconds left, rounded down."""
        ...

    def expires_at_utc(self, wall: Callable[[], float] = time.time) -> datetime:
        """When it stops working, as an aware UTC datetime."""
        ...


@dataclass(frozen=True)
class Deadline:
    """``lifetime`` seconds from ``created_at`` on ``clock`` (the boot clock by default).

    ``created_at`` defaults to the clock's reading when the deadline is made. A lifetime of
    zero is allowed (a code that arrived already expired); negative or non-finite is not.
    """

    lifetime: float
    clock: Callable[[], float] = field(default=boot_clock, repr=False, compare=False)
    created_at: float = -1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lifetime) and self.lifetime >= 0):
            raise ValueError("a lifetime must be a finite, non-negative number of seconds")
        if self.created_at < 0:
            # Frozen: the one place the field is filled in after construction.
            object.__setattr__(self, "created_at", self.clock())

    @property
    def ends_at(self) -> float:
        """The reading of ``clock`` at which the deadline passes."""
        return self.created_at + self.lifetime

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.ends_at - self.clock())

    def expired(self) -> bool:
        """True once nothing is left."""
        return self.remaining() <= 0.0

    def in_warning(self) -> bool:
        """True in the last minute (or last sixth of a lifetime under six minutes)."""
        left = self.remaining()
        lifetime = self.lifetime
        return 0.0 < left <= min(WARNING_SECONDS, lifetime / 6 if lifetime < 360 else 60)

    def countdown_text(self) -> str:
        """``"09:41 left"``, ``"1:02:03 left"`` from an hour up, or ``"Expired"``."""
        if self.expired():
            return translate("Countdown", "Expired")
        return translate("Countdown", "{time} left").format(time=format_countdown(self.remaining()))

    def next_tick_in(self) -> float:
        """Seconds until the displayed text next changes (for a timer that only ticks then)."""
        left = self.remaining()
        if left <= 0:
            return 0.0
        fraction = left - int(left)
        return fraction if fraction > 0.001 else 1.0

    def valid_for_seconds(self) -> int:
        """Whole seconds left (rounded down), for ``--json`` output."""
        return int(self.remaining())

    def expires_at_utc(self, wall: Callable[[], float] = time.time) -> datetime:
        """When it passes, as an aware UTC datetime (``wall()`` now + what is left)."""
        return datetime.fromtimestamp(wall() + self.remaining(), tz=UTC)


def _whole_seconds(seconds: float) -> int:
    # Rounded up, so 0.2 s left still shows a second rather than a premature zero.
    return int(-(-seconds // 1)) if seconds > 0 else 0


def format_mm_ss(seconds: float) -> str:
    """Whole seconds, rounded up (so 0.2 s left shows 00:01), as ``MM:SS``."""
    minutes, secs = divmod(_whole_seconds(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def format_countdown(seconds: float) -> str:
    """``MM:SS`` below an hour, ``H:MM:SS`` from an hour up (seconds rounded up)."""
    whole = _whole_seconds(seconds)
    if whole < 3600:
        return format_mm_ss(whole)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
