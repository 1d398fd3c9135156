"""A generated link and its deadline, kept on a clock that counts through sleep.

The lifetime is the shorter of the configured one and what the token itself says (its
``exp`` claim, read against the server's ``Date``). The deadline is stored once on the boot
clock; what is left is recomputed on every look, so suspend and wall-clock changes can never
extend a link's life.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from vital_desktop.core import token_claims
from vital_desktop.core.clock import boot_clock
from vital_desktop.core.deadline import (
    WARNING_SECONDS,
    Deadline,
    format_countdown,
    format_mm_ss,
)
from vital_desktop.core.link_defaults import DEFAULT_LINK_TTL as DEFAULT_LINK_TTL
from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest

LifetimeSource = Literal["setting", "token"]


@dataclass
class LinkSession:
    """One link handed to one patient: the inputs, the link and when it stops working.

    Build it with ``issue()`` so the token's own expiry is taken into account; the plain
    constructor trusts ``ttl`` (the setting) alone unless ``token_left`` is given.
    """

    request: LinkTokenRequest
    link: LinkToken = field(repr=False)
    ttl: float = DEFAULT_LINK_TTL
    clock: Callable[[], float] = field(default=boot_clock, repr=False)
    created_at: float = field(default=-1.0)
    # Seconds the token itself had left when it arrived (its ``exp`` on the server's clock),
    # or None when it carries no usable ``exp``.
    token_left: float | None = None

    def __post_init__(self) -> None:
        if not self.ttl > 0:  # also refuses NaN
            raise ValueError("a link's lifetime must be positive")
        if self.token_left is not None and not self.token_left >= 0:
            raise ValueError("a token's own remaining lifetime cannot be negative")
        if self.created_at < 0:
            self.created_at = self.clock()

    @classmethod
    def issue(
        cls,
        request: LinkTokenRequest,
        link: LinkToken,
        ttl: float = DEFAULT_LINK_TTL,
        *,
        clock: Callable[[], float] = boot_clock,
        wall: Callable[[], float] = time.time,
    ) -> LinkSession:
        """A session for a link that just arrived, living min(``ttl``, the token's own life).

        The token's ``exp`` is counted from the server's ``Date`` (``link.server_date``) so a
        desk clock that is wrong does not matter; without a ``Date`` it is counted from
        ``wall()``. A token already past its ``exp`` gives a session that is expired at once.
        """
        created_at = clock()
        server_now = link.server_date
        now = server_now if server_now is not None and math.isfinite(server_now) else wall()
        claims = token_claims.link_claims(link.link_token, link.link_web_url)
        left = token_claims.seconds_left(claims, now)
        return cls(request, link, ttl, clock, created_at, left)

    @property
    def lifetime(self) -> float:
        """The effective lifetime in seconds: the setting, or the token's if shorter."""
        return self.ttl if self.token_left is None else min(self.ttl, self.token_left)

    @property
    def lifetime_source(self) -> LifetimeSource:
        """Which bound set ``lifetime``: ``"setting"`` or ``"token"`` (its ``exp`` claim)."""
        if self.token_left is not None and self.token_left < self.ttl:
            return "token"
        return "setting"

    @property
    def deadline(self) -> float:
        """The time on ``clock`` at which the link expires."""
        return self.created_at + self.lifetime

    def as_deadline(self) -> Deadline:
        """This link's countdown as a ``Deadline`` (made afresh: the fields may change)."""
        return Deadline(self.lifetime, self.clock, self.created_at)

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return self.as_deadline().remaining()

    def valid_for_seconds(self) -> int:
        """Whole seconds left (rounded down), for ``vital-link token --json``."""
        return self.as_deadline().valid_for_seconds()

    def expires_at_utc(self, wall: Callable[[], float] = time.time) -> datetime:
        """When the link stops working, as an aware UTC datetime (now + what is left)."""
        return self.as_deadline().expires_at_utc(wall)

    def expired(self) -> bool:
        """True once nothing is left."""
        return self.as_deadline().expired()

    def in_warning(self) -> bool:
        """True in the last minute (or last sixth of a short lifetime) before expiry."""
        return self.as_deadline().in_warning()

    def countdown_text(self) -> str:
        """``"09:41 left"`` (``"1:02:03 left"`` from an hour up), or ``"Expired"``."""
        return self.as_deadline().countdown_text()

    def next_tick_in(self) -> float:
        """Seconds until the displayed text next changes (for a timer that only ticks then)."""
        return self.as_deadline().next_tick_in()


__all__ = [
    "DEFAULT_LINK_TTL",
    "WARNING_SECONDS",
    "LifetimeSource",
    "LinkSession",
    "format_countdown",
    "format_mm_ss",
]
