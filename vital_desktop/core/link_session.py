"""A generated link and its deadline, kept on a monotonic clock.

The deadline is stored once; what is left is recomputed on every look, so sleep, suspend
and wall-clock changes can never extend a link's life.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest

DEFAULT_LINK_TTL = 600.0  # seconds: the seed's ten minutes; the vendor's guide now says 60
WARNING_SECONDS = 60.0


@dataclass
class LinkSession:
    """One link handed to one patient: the inputs, the link and when it stops working."""

    request: LinkTokenRequest
    link: LinkToken = field(repr=False)
    ttl: float = DEFAULT_LINK_TTL
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    created_at: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.ttl <= 0:
            raise ValueError("a link's lifetime must be positive")
        if self.created_at < 0:
            self.created_at = self.clock()

    @property
    def deadline(self) -> float:
        """The monotonic time at which the link expires."""
        return self.created_at + self.ttl

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.deadline - self.clock())

    def valid_for_seconds(self) -> int:
        """Whole seconds left (rounded down), for ``vital-link token --json``."""
        return int(self.remaining())

    def expires_at_utc(self, wall: Callable[[], float] = time.time) -> datetime:
        """When the link stops working, as an aware UTC datetime (now + what is left)."""
        return datetime.fromtimestamp(wall() + self.remaining(), tz=UTC)

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def in_warning(self) -> bool:
        """True in the last minute (or last sixth of a short lifetime) before expiry."""
        left = self.remaining()
        return 0.0 < left <= min(WARNING_SECONDS, self.ttl / 6 if self.ttl < 360 else 60)

    def countdown_text(self) -> str:
        """``"09:41 left"``, or ``"Expired"``."""
        return "Expired" if self.expired() else f"{format_mm_ss(self.remaining())} left"

    def next_tick_in(self) -> float:
        """Seconds until the displayed text next changes (for a timer that only ticks then)."""
        left = self.remaining()
        if left <= 0:
            return 0.0
        fraction = left - int(left)
        return fraction if fraction > 0.001 else 1.0


def format_mm_ss(seconds: float) -> str:
    """Whole seconds, rounded up (so 0.2 s left shows 00:01), as ``MM:SS``."""
    whole = int(-(-seconds // 1)) if seconds > 0 else 0
    minutes, secs = divmod(whole, 60)
    return f"{minutes:02d}:{secs:02d}"
