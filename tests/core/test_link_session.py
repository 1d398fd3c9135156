"""A link's countdown runs on an injected monotonic clock and never extends the link."""

from __future__ import annotations

import pytest

from vital_desktop.core.link_session import (
    DEFAULT_LINK_TTL,
    WARNING_SECONDS,
    LinkSession,
    format_mm_ss,
)
from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest

UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
LINK = LinkToken("secret-token", "https://link.tryvital.io/?token=secret-token")


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _session(clock: FakeClock, ttl: float = DEFAULT_LINK_TTL) -> LinkSession:
    return LinkSession(LinkTokenRequest.build(UID), LINK, ttl=ttl, clock=clock)


def test_default_lifetime_is_ten_minutes() -> None:
    assert DEFAULT_LINK_TTL == 600.0
    clock = FakeClock()
    session = LinkSession(LinkTokenRequest.build(UID), LINK, clock=clock)
    assert session.created_at == 1000.0
    assert session.deadline == 1600.0
    assert session.remaining() == 600.0
    assert session.countdown_text() == "10:00 left"


def test_countdown_follows_the_clock_to_expiry() -> None:
    clock = FakeClock()
    session = _session(clock)
    clock.advance(18.5)
    assert session.remaining() == pytest.approx(581.5)
    assert session.countdown_text() == "09:42 left"  # rounded up
    assert not session.expired() and not session.in_warning()
    clock.advance(581.5 - 0.2)
    assert session.countdown_text() == "00:01 left"
    assert session.in_warning()
    clock.advance(0.2)
    assert session.expired()
    assert session.remaining() == 0.0
    assert session.countdown_text() == "Expired"
    assert not session.in_warning()
    clock.advance(3600)
    assert session.remaining() == 0.0 and session.expired()


def test_deadline_is_fixed_once() -> None:
    clock = FakeClock()
    session = _session(clock)
    deadline = session.deadline
    clock.advance(100)
    assert session.deadline == deadline
    assert session.remaining() == 500.0


def test_explicit_created_at_is_kept() -> None:
    clock = FakeClock(50.0)
    session = LinkSession(LinkTokenRequest.build(UID), LINK, ttl=60, clock=clock, created_at=20.0)
    assert session.deadline == 80.0
    assert session.remaining() == 30.0


@pytest.mark.parametrize("ttl", [0, -1])
def test_lifetime_must_be_positive(ttl: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        _session(FakeClock(), ttl=ttl)


def test_warning_is_the_last_minute_for_long_lifetimes() -> None:
    assert WARNING_SECONDS == 60.0
    clock = FakeClock()
    session = _session(clock, ttl=600)
    clock.advance(539.9)
    assert not session.in_warning()
    clock.advance(0.2)
    assert session.in_warning()


def test_warning_is_the_last_sixth_for_short_lifetimes() -> None:
    clock = FakeClock()
    session = _session(clock, ttl=60)
    clock.advance(49.9)
    assert not session.in_warning()
    clock.advance(0.2)
    assert session.in_warning()


def test_next_tick_lands_when_the_text_changes() -> None:
    clock = FakeClock()
    session = _session(clock, ttl=10)
    assert session.next_tick_in() == 1.0  # 10.000 left: the text changes in one second
    clock.advance(0.25)
    assert session.next_tick_in() == pytest.approx(0.75)
    text = session.countdown_text()
    clock.advance(session.next_tick_in() - 0.01)
    assert session.countdown_text() == text
    clock.advance(0.02)
    assert session.countdown_text() != text
    clock.advance(100)
    assert session.next_tick_in() == 0.0


def test_repr_hides_the_link() -> None:
    assert "secret-token" not in repr(_session(FakeClock()))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (-5, "00:00"),
        (0.2, "00:01"),
        (1, "00:01"),
        (59.01, "01:00"),
        (60, "01:00"),
        (600, "10:00"),
        (3599.5, "60:00"),
        (3725, "62:05"),
    ],
)
def test_format_mm_ss(seconds: float, text: str) -> None:
    assert format_mm_ss(seconds) == text
