"""Notice a patient's new connection by polling GET /v2/user/providers, politely.

A link opened on the patient's phone redirects there, not to this desk, and a desktop has
no public address for webhooks, so the desk asks the API. ``ConnectionSnapshot`` records
what was connected when a link or code was handed out; ``compare`` says what is news since.
``PollSchedule`` spaces the questions out: a steady pace while all is well, exponential
backoff on failures, slower when the window is in the background, and jitter so many desks
never ask in step (in the manner of MusicBrainz Picard's ``ratecontrol``).
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from vital_desktop.core.i18n import translate
from vital_desktop.core.models import ConnectedProvider, parse_datetime

CONNECTED = "connected"
ERROR = "error"


@dataclass(frozen=True)
class ConnectionSnapshot:
    """Each provider's ``(created_on, status)`` by slug at one moment."""

    entries: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, providers: Sequence[ConnectedProvider]) -> ConnectionSnapshot:
        """The snapshot of a GET /v2/user/providers answer (the last entry of a slug wins)."""
        return cls(MappingProxyType({p.slug: (p.created_on, p.status) for p in providers}))

    def __contains__(self, slug: object) -> bool:
        return slug in self.entries

    def __len__(self) -> int:
        return len(self.entries)


class NewsKind(enum.Enum):
    """What changed about one provider since the snapshot."""

    CONNECTED = "connected"  # a provider that was not there is connected
    RECONNECTED = "reconnected"  # same provider, connected again (a new created_on)
    ERROR = "error"  # it went into error status (or arrived in it)
    RECOVERED = "recovered"  # it was in error and is connected again


@dataclass(frozen=True)
class ConnectionNews:
    """One piece of news: the provider as it is now, and what happened to it."""

    provider: ConnectedProvider
    kind: NewsKind


def _same_time(before: str, now: str) -> bool:
    # The same instant may be written "…Z" one time and "…+00:00" the next.
    a, b = parse_datetime(before), parse_datetime(now)
    if a is not None and b is not None:
        return a == b
    return before == now


def _before(created_on: str, since: datetime | None) -> bool:
    if since is None:
        return False
    when = parse_datetime(created_on)
    aware = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
    return when is not None and when < aware


def compare(
    before: ConnectionSnapshot,
    now: Sequence[ConnectedProvider],
    *,
    since: datetime | None = None,
) -> list[ConnectionNews]:
    """What is news in ``now`` compared with ``before``, in the order of ``now``.

    - a slug not in ``before``: CONNECTED (ERROR if it arrived in error status);
    - status error before, connected now: RECOVERED (whether or not ``created_on`` moved);
    - connected before, error now: ERROR;
    - still connected with another ``created_on``: RECONNECTED;
    - a provider that disappeared, or did not change, is not news.

    ``since`` (optional, on the server's clock) is when the link was made: a slug missing
    from ``before`` whose ``created_on`` is earlier is old, not news (for a snapshot that
    could not be taken when the link was made).
    """
    news: list[ConnectionNews] = []
    for provider in now:
        old = before.entries.get(provider.slug)
        status = provider.status
        if old is None:
            if _before(provider.created_on, since):
                continue
            kind = NewsKind.ERROR if status == ERROR else NewsKind.CONNECTED
            news.append(ConnectionNews(provider, kind))
            continue
        old_created, old_status = old
        if old_status == ERROR and status == CONNECTED:
            news.append(ConnectionNews(provider, NewsKind.RECOVERED))
        elif old_status != ERROR and status == ERROR:
            news.append(ConnectionNews(provider, NewsKind.ERROR))
        elif status == CONNECTED and not _same_time(old_created, provider.created_on):
            news.append(ConnectionNews(provider, NewsKind.RECONNECTED))
    return news


@dataclass
class PollSchedule:
    """How long to wait before the next poll.

    ``base`` seconds while all is well; after consecutive failures ``base * 2**failures`` up
    to ``maximum``; times ``inactive_factor`` while the window is not active; then spread by
    ± ``jitter`` (a fraction) from ``rng`` so desks started together drift apart. A
    ``base`` above ``maximum`` lifts ``maximum`` to it.
    """

    base: float = 3.0
    maximum: float = 30.0
    inactive_factor: float = 3.0
    jitter: float = 0.2
    rng: random.Random | None = None
    failures: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        numbers = (self.base, self.maximum, self.inactive_factor, self.jitter)
        if not all(math.isfinite(n) for n in numbers):
            raise ValueError("poll timings must be finite numbers")
        if not self.base > 0:
            raise ValueError("base must be a positive number of seconds")
        # A pace set slower than the cap (a setting of 60 s) raises the cap, not an error.
        self.maximum = max(self.maximum, self.base)
        if self.inactive_factor < 1:
            raise ValueError("inactive_factor must be at least 1 (background is never faster)")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be a fraction from 0 up to (not including) 1")
        if self.rng is None:
            self.rng = random.Random()

    def next_delay(self, *, failed: bool, window_active: bool) -> float:
        """Seconds to wait, given whether the poll just made failed and the window's focus."""
        self.failures = self.failures + 1 if failed else 0
        delay = self.base
        if self.failures:
            # Capped exponent: 2**failures overflows a float long before anyone cares.
            delay = min(self.maximum, self.base * 2.0 ** min(self.failures, 60))
        if not window_active:
            delay *= self.inactive_factor
        assert self.rng is not None  # set in __post_init__
        if self.jitter:
            delay *= 1.0 + self.rng.uniform(-self.jitter, self.jitter)
        return delay

    def reset(self) -> None:
        """Forget past failures (a new link, a new patient)."""
        self.failures = 0


def poll_sentence(failures: int) -> str:
    """The one quiet line shown while polling fails; empty when it does not."""
    if failures <= 0:
        return ""
    if failures < 5:
        return translate(
            "ConnectionWatch", "Could not check for the connection just now; trying again."
        )
    return translate(
        "ConnectionWatch",
        "Still could not check for the connection; trying again less often. "
        "Check the network if this stays.",
    )
