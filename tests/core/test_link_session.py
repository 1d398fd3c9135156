"""A link's countdown: an injected boot clock, and the shorter of the setting and the token.

The ``issue()`` tests fetch real links from the stand-in over loopback HTTP with the real
client, then count with injected clocks: ``boot`` (counts through sleep) and ``wall`` (the
desk's time of day, which a user or NTP may change).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.clock import boot_clock
from vital_desktop.core.environments import custom_target
from vital_desktop.core.link_session import (
    DEFAULT_LINK_TTL,
    WARNING_SECONDS,
    LinkSession,
    format_mm_ss,
)
from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer, tokens

from .helpers import ScriptedServer, client_for, fast_settings

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


# ------------------------------------------------------------------ issue(): the token's life


def _fetch_link(ttl: float = 600.0, **server: Any) -> LinkToken:
    """A fresh link from a stand-in started with ``server`` options, via the real client."""
    with SandboxServer(link_ttl=ttl, **server) as sandbox:
        target = custom_target(sandbox.base_url)
        with VitalClient(sandbox.demo_key, target, fast_settings()) as client:
            user = client.create_user("patient-1")
            return client.create_link_token(LinkTokenRequest.build(user.user_id))


def _issue(link: LinkToken, ttl: float = DEFAULT_LINK_TTL, **kwargs: Any) -> LinkSession:
    return LinkSession.issue(LinkTokenRequest.build(UID), link, ttl, **kwargs)


def _crafted(claims: dict[str, Any], server_date: float | None) -> LinkToken:
    token = tokens.encode(claims, b"not-the-desk's-business")
    return LinkToken(token, f"https://link.tryvital.io/?token={quote(token)}", server_date)


def test_a_server_lifetime_shorter_than_the_setting_wins() -> None:
    link = _fetch_link(ttl=120)
    assert link.server_date is not None
    session = _issue(link, 600, clock=FakeClock(), wall=time.time)
    # exp and Date are whole seconds, read a moment apart
    assert session.remaining() == pytest.approx(120, abs=1.5)
    assert session.lifetime == session.remaining()
    assert session.lifetime_source == "token"
    assert session.ttl == 600


def test_a_setting_shorter_than_the_server_lifetime_wins() -> None:
    session = _issue(_fetch_link(ttl=3600), 600, clock=FakeClock(), wall=time.time)
    assert session.remaining() == 600.0
    assert session.lifetime == 600.0 and session.lifetime_source == "setting"


@pytest.mark.parametrize(
    ("server_offset", "desk_offset"),
    [(3600, 0), (-3600, 0), (0, 7200), (0, -7200), (3600, -3600)],
    ids=["server-1h-ahead", "server-1h-behind", "desk-2h-ahead", "desk-2h-behind", "both-off"],
)
def test_a_wrong_clock_on_either_side_is_corrected_by_the_date_header(
    server_offset: float, desk_offset: float
) -> None:
    link = _fetch_link(ttl=300, clock_offset=server_offset)
    assert link.server_date == pytest.approx(time.time() + server_offset, abs=5)
    session = _issue(link, 600, clock=FakeClock(), wall=lambda: time.time() + desk_offset)
    assert session.remaining() == pytest.approx(300, abs=1.5)
    assert session.lifetime_source == "token"


def test_without_a_date_header_the_desk_wall_clock_is_used() -> None:
    link = _fetch_link(ttl=300, date_header=False)
    assert link.server_date is None
    right = _issue(link, 600, clock=FakeClock(), wall=time.time)
    assert right.remaining() == pytest.approx(300, abs=1.5)
    # the desk clock 200 s fast: nothing to correct it with, so 200 s are lost
    fast = _issue(link, 600, clock=FakeClock(), wall=lambda: time.time() + 200)
    assert fast.remaining() == pytest.approx(100, abs=1.5)
    assert fast.lifetime_source == "token"


def test_a_token_already_expired_on_arrival_is_expired_at_once() -> None:
    link = _fetch_link(ttl=300, date_header=False)
    session = _issue(link, 600, clock=FakeClock(), wall=lambda: time.time() + 3600)
    assert session.expired() and session.remaining() == 0.0
    assert session.lifetime == 0.0 and session.lifetime_source == "token"
    assert session.countdown_text() == "Expired"
    assert not session.in_warning() and session.next_tick_in() == 0.0
    assert session.valid_for_seconds() == 0


def _scripted_link(scripted: ScriptedServer, token: str) -> LinkToken:
    url = f"https://link.tryvital.io/?token={quote(token, safe='')}&env=sandbox&region=us"
    scripted.set(body=json.dumps({"link_token": token, "link_web_url": url}))
    with client_for(scripted.base_url) as client:
        return client.create_link_token(LinkTokenRequest.build(UID))


@pytest.mark.parametrize(
    "token",
    [
        tokens.encode({"aud": "https://link.tryvital.io/", "sub": UID, "user_id": UID}, b"k"),
        tokens.encode({"sub": UID, "exp": True}, b"k"),
        tokens.encode({"sub": UID, "exp": "soon"}, b"k"),
        tokens.encode({"sub": UID, "exp": 10**13}, b"k"),  # milliseconds, not seconds
        "opaque-not-a-jwt",
    ],
    ids=["no-exp", "bool-exp", "string-exp", "absurd-exp", "opaque"],
)
def test_a_token_without_a_usable_exp_lives_as_long_as_the_setting(
    scripted: ScriptedServer, token: str
) -> None:
    link = _scripted_link(scripted, token)
    assert link.server_date is not None
    session = _issue(link, 450, clock=FakeClock(), wall=time.time)
    assert session.remaining() == 450.0
    assert session.lifetime == 450.0 and session.lifetime_source == "setting"
    assert session.token_left is None


def test_nan_exp_is_ignored() -> None:
    # JSON has no NaN, but Python's parser accepts the literal: a server might send it.
    payload = base64.urlsafe_b64encode(b'{"exp": NaN}').rstrip(b"=").decode()
    link = LinkToken(f"e30.{payload}.sig", "https://link.tryvital.io/?token=x", 1000.0)
    assert _issue(link, 300, clock=FakeClock(), wall=time.time).lifetime_source == "setting"


def test_the_token_inside_the_web_url_is_read_when_link_token_is_opaque() -> None:
    inner = tokens.encode({"exp": 5_000 + 90}, b"k")
    link = LinkToken("opaque", f"https://link.tryvital.io/?token={quote(inner)}&env=sandbox", 5000)
    session = _issue(link, 600, clock=FakeClock(), wall=time.time)
    assert session.remaining() == 90.0 and session.lifetime_source == "token"


def test_a_simulated_suspend_costs_the_time_slept() -> None:
    boot = FakeClock(5000.0)
    stopped_monotonic = FakeClock(200.0)  # what a clock that stops during sleep would say
    session = _issue(_fetch_link(ttl=600), 600, clock=boot, wall=time.time)
    before = session.remaining()
    assert before == pytest.approx(600, abs=1.5)
    boot.advance(300)  # the lid was closed for five minutes: boot time moves, ...
    assert stopped_monotonic() == 200.0  # ... a stopping monotonic clock would not
    assert session.remaining() == pytest.approx(before - 300)
    boot.advance(before - 300)
    assert session.expired()


def test_a_wall_clock_change_does_not_move_the_deadline() -> None:
    boot, wall = FakeClock(5000.0), FakeClock(1_800_000_000.0)
    link = _crafted({"exp": 1_800_000_000 + 240}, server_date=1_800_000_000.0)
    session = _issue(link, 600, clock=boot, wall=wall)
    boot.advance(40)
    assert session.remaining() == 200.0
    for jump in (3600.0, -86_400.0, 10 * 365 * 86_400.0):
        wall.advance(jump)  # the user (or NTP) sets the date: only the boot clock counts
        assert session.remaining() == 200.0
        assert session.deadline == 5240.0


def test_expiry_time_and_whole_seconds_agree_with_remaining() -> None:
    boot, wall = FakeClock(), FakeClock(1_800_000_000.0)
    session = _issue(_fetch_link(ttl=120), 600, clock=boot, wall=wall)
    boot.advance(10.4)
    wall.advance(10.4)
    left = session.remaining()
    assert left == pytest.approx(109.6, abs=1.5)
    assert session.valid_for_seconds() == int(left)
    expected = datetime.fromtimestamp(wall() + left, tz=UTC)
    assert session.expires_at_utc(wall) == expected
    assert session.expires_at_utc(wall).tzinfo is UTC


def test_warning_follows_the_effective_lifetime() -> None:
    # A 120 s token under a 600 s setting warns in the last sixth (20 s), not the last minute.
    link = _crafted({"exp": 10_120}, server_date=10_000.0)
    clock = FakeClock()
    session = _issue(link, 600, clock=clock, wall=time.time)
    assert session.lifetime == 120.0
    clock.advance(120 - 30)
    assert not session.in_warning()
    clock.advance(10.5)
    assert session.in_warning()


def test_the_boot_clock_is_the_default() -> None:
    request = LinkTokenRequest.build(UID)
    assert LinkSession(request, LINK).clock is boot_clock
    assert LinkSession.issue(request, LINK).clock is boot_clock
    session = LinkSession.issue(request, LINK, 30)
    assert 0 < session.remaining() <= 30.0


def test_a_negative_token_lifetime_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        LinkSession(LinkTokenRequest.build(UID), LINK, token_left=-1.0)
