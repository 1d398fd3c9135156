"""Noticing a patient's connection: snapshots and news from the stand-in, and the poll pace.

The news tests poll the stand-in over loopback HTTP with the real client while the patient's
side is played through the widget, the demo endpoint and the state's test hooks.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.connection_watch import (
    ConnectionNews,
    ConnectionSnapshot,
    NewsKind,
    PollSchedule,
    compare,
    poll_sentence,
)
from vital_desktop.core.models import ConnectedProvider
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer


def _p(slug: str, created: str = "2030-01-01T00:00:00+00:00", status: str = "connected"
       ) -> ConnectedProvider:  # fmt: skip
    return ConnectedProvider(slug, slug.title(), status, created)


def _kinds(news: list[ConnectionNews]) -> list[tuple[str, NewsKind]]:
    return [(n.provider.slug, n.kind) for n in news]


# ------------------------------------------------------------------ compare


def test_compare_rules() -> None:
    before = ConnectionSnapshot.of(
        [_p("oura"), _p("garmin"), _p("fitbit", status="error"), _p("polar"), _p("whoop")]
    )
    now = [
        _p("oura"),  # unchanged
        _p("garmin", "2030-01-02T00:00:00+00:00"),  # reconnected
        _p("fitbit", "2030-01-03T00:00:00Z"),  # recovered (its created_on moved too)
        _p("polar", status="error"),  # went wrong
        _p("strava"),  # new
        _p("wahoo", status="error"),  # new, but arrived broken
    ]  # whoop disappeared: not news
    assert _kinds(compare(before, now)) == [
        ("garmin", NewsKind.RECONNECTED),
        ("fitbit", NewsKind.RECOVERED),
        ("polar", NewsKind.ERROR),
        ("strava", NewsKind.CONNECTED),
        ("wahoo", NewsKind.ERROR),
    ]
    assert compare(before, now)[1].provider is now[2]


def test_the_same_instant_written_differently_is_not_a_reconnection() -> None:
    before = ConnectionSnapshot.of([_p("oura", "2030-01-01T00:00:00+00:00")])
    assert compare(before, [_p("oura", "2030-01-01T00:00:00Z")]) == []
    assert compare(before, [_p("oura", "2030-01-01T01:00:00+01:00")]) == []
    # Unreadable times are compared as text.
    odd = ConnectionSnapshot.of([_p("oura", "yesterday")])
    assert _kinds(compare(odd, [_p("oura", "today")])) == [("oura", NewsKind.RECONNECTED)]
    # Still in error with another created_on: nothing new to tell the desk.
    broken = ConnectionSnapshot.of([_p("oura", status="error")])
    assert compare(broken, [_p("oura", "2031-01-01T00:00:00Z", status="error")]) == []


def test_since_drops_old_connections_when_there_was_no_snapshot() -> None:
    since = datetime(2030, 6, 1, tzinfo=UTC)
    now = [_p("oura", "2030-01-01T00:00:00Z"), _p("garmin", "2030-06-01T00:00:05Z")]
    assert _kinds(compare(ConnectionSnapshot(), now, since=since)) == [
        ("garmin", NewsKind.CONNECTED)
    ]
    naive = since.replace(tzinfo=None)  # taken as UTC
    assert _kinds(compare(ConnectionSnapshot(), now, since=naive)) == [
        ("garmin", NewsKind.CONNECTED)
    ]
    assert len(compare(ConnectionSnapshot(), now)) == 2


def test_snapshot_is_by_slug() -> None:
    snap = ConnectionSnapshot.of([_p("oura", status="error")])
    assert "oura" in snap and len(snap) == 1
    assert snap.entries["oura"] == ("2030-01-01T00:00:00+00:00", "error")
    assert len(ConnectionSnapshot()) == 0


# ------------------------------------------------------------------ against the stand-in


@pytest.fixture
def patient(sandbox: SandboxServer) -> str:
    return str(sandbox.state.create_user("watch-patient")["user_id"])


def test_news_of_every_kind_from_the_stand_in(
    sandbox: SandboxServer, api: VitalClient, patient: str
) -> None:
    state = sandbox.state
    before = ConnectionSnapshot.of(api.connected_providers(patient))
    assert len(before) == 0

    # The patient connects Oura through the web widget (a link token, spent once).
    link = api.create_link_token(LinkTokenRequest.build(patient, provider="oura"))
    form = {"token": link.link_token, "provider": "oura"}
    first = httpx.post(f"{sandbox.base_url}/link/connect", data=form)
    assert first.status_code == 200 and 'data-state="success"' in first.text
    again = httpx.post(f"{sandbox.base_url}/link/connect", data=form)
    assert again.status_code == 400 and "token_consumed" in again.text
    # ...and Fitbit through the sandbox's demo endpoint.
    assert api.demo_connect(patient, "fitbit").success
    now = api.connected_providers(patient)
    assert {p.slug for p in now} == {"oura", "fitbit"}
    assert all(p.status == "connected" and p.created_datetime is not None for p in now)
    assert sorted(_kinds(compare(before, now))) == [
        ("fitbit", NewsKind.CONNECTED), ("oura", NewsKind.CONNECTED)
    ]  # fmt: skip

    before = ConnectionSnapshot.of(now)
    state.set_connection_error(patient, "oura", "token_refresh_failed", "Refresh failed.")
    now = api.connected_providers(patient)
    (news,) = compare(before, now)
    assert news.kind is NewsKind.ERROR and news.provider.in_error
    assert news.provider.error_type == "token_refresh_failed"
    assert news.provider.error_message == "Refresh failed."
    assert news.provider.errored_at is not None

    before = ConnectionSnapshot.of(now)
    state.reconnect(patient, "oura")
    assert _kinds(compare(before, api.connected_providers(patient))) == [
        ("oura", NewsKind.RECOVERED)
    ]

    # A reconnection of a healthy connection shows as a later created_on, even in the
    # same second as the first connection.
    before = ConnectionSnapshot.of(api.connected_providers(patient))
    old = next(p for p in api.connected_providers(patient) if p.slug == "fitbit")
    state.reconnect(patient, "fitbit")
    (news,) = compare(before, api.connected_providers(patient))
    assert news.kind is NewsKind.RECONNECTED
    assert news.provider.created_datetime > old.created_datetime  # type: ignore[operator]


def test_a_code_redeemed_in_the_phone_app_appears(
    sandbox: SandboxServer, api: VitalClient, patient: str
) -> None:
    from vital_desktop.sandbox.state import CodeRefused

    before = ConnectionSnapshot.of(api.connected_providers(patient))
    code = api.create_link_code(patient)
    sandbox.state.redeem_code(code.code, "apple_health_kit")
    (news,) = compare(before, api.connected_providers(patient))
    assert news.kind is NewsKind.CONNECTED and news.provider.slug == "apple_health_kit"
    with pytest.raises(CodeRefused) as refused:
        sandbox.state.redeem_code(code.code, "apple_health_kit")
    assert refused.value.error_type == "token_consumed"


# ------------------------------------------------------------------ PollSchedule


def test_steady_pace_backoff_cap_and_reset_without_jitter() -> None:
    schedule = PollSchedule(base=3, maximum=30, jitter=0)
    assert schedule.next_delay(failed=False, window_active=True) == 3
    assert [schedule.next_delay(failed=True, window_active=True) for _ in range(5)] == [
        6, 12, 24, 30, 30
    ]  # fmt: skip
    assert schedule.failures == 5
    assert schedule.next_delay(failed=False, window_active=True) == 3  # a success resets
    schedule.next_delay(failed=True, window_active=True)
    schedule.reset()
    assert schedule.failures == 0
    assert schedule.next_delay(failed=False, window_active=True) == 3
    for _ in range(2000):  # no overflow however long the outage
        delay = schedule.next_delay(failed=True, window_active=True)
    assert delay == 30


def test_an_inactive_window_polls_less_often() -> None:
    schedule = PollSchedule(base=3, maximum=30, inactive_factor=3, jitter=0)
    assert schedule.next_delay(failed=False, window_active=False) == 9
    for _ in range(10):
        delay = schedule.next_delay(failed=True, window_active=False)
    assert delay == 90


def test_jitter_spreads_delays_within_the_fraction() -> None:
    schedule = PollSchedule(base=10, jitter=0.2, rng=random.Random(7))
    delays = [schedule.next_delay(failed=False, window_active=True) for _ in range(200)]
    assert all(8 <= d <= 12 for d in delays)
    assert len(set(delays)) > 150  # desks started together drift apart
    same = PollSchedule(base=10, jitter=0.2, rng=random.Random(7))
    assert same.next_delay(failed=False, window_active=True) == delays[0]


def test_bad_settings_are_refused_and_a_slow_base_lifts_the_cap() -> None:
    for kwargs in ({"base": 0}, {"base": float("nan")}, {"inactive_factor": 0.5},
                   {"jitter": 1.0}, {"jitter": -0.1}):  # fmt: skip
        with pytest.raises(ValueError):
            PollSchedule(**kwargs)  # type: ignore[arg-type]
    slow = PollSchedule(base=60, jitter=0)
    assert slow.maximum == 60 and slow.next_delay(failed=True, window_active=True) == 60


def test_poll_sentence() -> None:
    assert poll_sentence(0) == ""
    assert poll_sentence(1) == "Could not check for the connection just now; trying again."
    assert poll_sentence(4) == poll_sentence(1)
    assert "less often" in poll_sentence(9) and "network" in poll_sentence(9)
