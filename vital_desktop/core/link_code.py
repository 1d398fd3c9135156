"""A phone-app link code and its countdown, counted on the server's clock.

A code (POST /v2/link/code/create) says when it expires as a time of day (``expires_at``).
A desk PC's clock may be minutes or hours wrong, so the lifetime is ``expires_at`` minus the
server's own "now" (the reply's Date header), and from then on it is counted on the boot
clock like a link token (see ``deadline.Deadline``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vital_desktop.core.clock import boot_clock
from vital_desktop.core.deadline import Deadline
from vital_desktop.core.models import LinkCode, parse_datetime

DEFAULT_CODE_LIFETIME = 3600.0  # seconds: the vendor's default when no expires_at is sent
MAX_CODE_LIFETIME = 24 * 3600.0  # a longer one is a broken clock or a misread, not a plan


def code_lifetime(expires_at: str, server_now: float | None, wall: float) -> float:
    """Seconds from the server's "now" (else ``wall``) to ``expires_at``, in [0, 24 h].

    An unreadable ``expires_at`` gives 0: a countdown that claims more than the code has
    would send a patient to type a dead code.
    """
    when = parse_datetime(expires_at)
    now = server_now if server_now is not None and math.isfinite(server_now) else wall
    if when is None or not math.isfinite(now):
        return 0.0
    return min(MAX_CODE_LIFETIME, max(0.0, when.timestamp() - now))


@dataclass(frozen=True)
class CodeSession:
    """One code handed to one patient, with its countdown (a ``Countdown``)."""

    user_id: str
    code: LinkCode
    deadline: Deadline

    @classmethod
    def issue(
        cls,
        user_id: str,
        code: LinkCode,
        *,
        clock: Callable[[], float] = boot_clock,
        wall: Callable[[], float] = time.time,
    ) -> CodeSession:
        """A session for a code that just arrived.

        Its lifetime is ``code.expires_at`` minus the server's "now" (``code.server_date``,
        else ``wall()``), never negative and at most 24 hours.
        """
        created_at = clock()
        lifetime = code_lifetime(code.expires_at, code.server_date, wall())
        return cls(user_id, code, Deadline(lifetime, clock, created_at))

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return self.deadline.remaining()

    def expired(self) -> bool:
        """True once nothing is left."""
        return self.deadline.expired()

    def in_warning(self) -> bool:
        """True in the last minute before expiry."""
        return self.deadline.in_warning()

    def countdown_text(self) -> str:
        """``"59:41 left"``, ``"1:00:00 left"`` or ``"Expired"``."""
        return self.deadline.countdown_text()

    def next_tick_in(self) -> float:
        """Seconds until ``countdown_text`` next changes."""
        return self.deadline.next_tick_in()

    def valid_for_seconds(self) -> int:
        """Whole seconds left, rounded down."""
        return self.deadline.valid_for_seconds()

    def expires_at_utc(self, wall: Callable[[], float] = time.time) -> datetime:
        """When the code stops working, on ``wall``'s clock (now + what is left), in UTC."""
        return self.deadline.expires_at_utc(wall)
