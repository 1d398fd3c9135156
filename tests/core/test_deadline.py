"""Deadline: the shared countdown of links and codes, on an injected boot clock."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from vital_desktop.core.deadline import Countdown, Deadline, format_countdown
from vital_desktop.core.link_code import CodeSession
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.models import LinkCode, LinkToken
from vital_desktop.core.validation import LinkTokenRequest

UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


class FakeClock:
    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_counts_down_on_its_clock_and_expires() -> None:
    clock = FakeClock()
    deadline = Deadline(600.0, clock)
    assert deadline.created_at == 500.0 and deadline.ends_at == 1100.0
    assert deadline.remaining() == 600.0 and deadline.countdown_text() == "10:00 left"
    clock.now += 18.5
    assert deadline.remaining() == 581.5
    assert deadline.countdown_text() == "09:42 left"
    assert deadline.valid_for_seconds() == 581
    assert deadline.next_tick_in() == pytest.approx(0.5)
    assert not deadline.in_warning()
    clock.now += 541.5
    assert deadline.in_warning() and deadline.countdown_text() == "00:40 left"
    clock.now += 40
    assert deadline.expired() and deadline.countdown_text() == "Expired"
    assert deadline.remaining() == 0.0 and deadline.next_tick_in() == 0.0
    clock.now += 1e6  # never negative
    assert deadline.remaining() == 0.0 and not deadline.in_warning()


def test_hours_are_shown_from_an_hour_up() -> None:
    clock = FakeClock()
    deadline = Deadline(3723.0, clock)
    assert deadline.countdown_text() == "1:02:03 left"
    clock.now += 123
    assert deadline.countdown_text() == "1:00:00 left"
    clock.now += 0.5  # 3599.5 s rounds up to a full hour
    assert deadline.countdown_text() == "1:00:00 left"
    clock.now += 1
    assert deadline.countdown_text() == "59:59 left"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (0.2, "00:01"), (59.5, "01:00"), (3599.0, "59:59"), (3599.2, "1:00:00"),
     (3600, "1:00:00"), (3723, "1:02:03"), (86_400, "24:00:00")],
)  # fmt: skip
def test_format_countdown(seconds: float, text: str) -> None:
    assert format_countdown(seconds) == text


def test_a_zero_lifetime_is_expired_at_once_and_bad_ones_are_refused() -> None:
    assert Deadline(0.0, FakeClock()).expired()
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            Deadline(bad, FakeClock())


def test_expires_at_utc_is_wall_now_plus_what_is_left() -> None:
    clock = FakeClock()
    deadline = Deadline(90.0, clock)
    clock.now += 30
    when = deadline.expires_at_utc(wall=lambda: 1_700_000_000.0)
    assert when == datetime.fromtimestamp(1_700_000_060.0, UTC)


def test_warning_is_the_last_sixth_of_a_short_lifetime() -> None:
    clock = FakeClock()
    deadline = Deadline(60.0, clock)
    clock.now += 49
    assert not deadline.in_warning()
    clock.now += 2
    assert deadline.in_warning()


def test_link_session_delegates_to_deadline() -> None:
    clock = FakeClock()
    session = LinkSession(
        LinkTokenRequest.build(UID), LinkToken("t", "https://l/?token=t"), ttl=3723, clock=clock
    )
    assert session.as_deadline() == Deadline(3723.0, clock, 500.0)
    # The hour format comes from Deadline: LinkSession has no countdown text of its own.
    assert session.countdown_text() == "1:02:03 left"
    clock.now += 3723
    assert session.expired() and session.countdown_text() == "Expired"


def test_links_codes_and_deadlines_are_all_countdowns() -> None:
    clock = FakeClock()
    session = LinkSession(LinkTokenRequest.build(UID), LinkToken("t", "https://l/"), clock=clock)
    code = CodeSession(UID, LinkCode("skus0123abcd", "tryvital://x", "2030-01-01T00:00:00Z"),
                       Deadline(10, clock))  # fmt: skip
    for thing in (session, code, Deadline(5, clock)):
        assert isinstance(thing, Countdown)
    assert not isinstance(object(), Countdown)
