"""Link codes: the client's create_link_code, LinkCode's checks, CodeSession's countdown.

Codes come from the stand-in (or a scripted server for odd replies) over loopback HTTP;
time is injected: ``boot`` counts the countdown, ``wall`` is the desk's time of day.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate
from typing import Any

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.link_code import (
    DEFAULT_CODE_LIFETIME,
    MAX_CODE_LIFETIME,
    CodeSession,
    code_lifetime,
)
from vital_desktop.core.models import LinkCode, parse_datetime
from vital_desktop.sandbox import SandboxServer

from .helpers import UID, Reply, ScriptedServer, client_for


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _code_reply(expires_at: str, date: float | None = None, code: str = "skus0123abcd") -> Reply:
    headers = {"content-type": "application/json"}
    if date is not None:
        headers["date"] = formatdate(date, usegmt=True)
    body = {"code": code, "exchange_url": f"tryvital://tryvital?code={code}",
            "expires_at": expires_at}  # fmt: skip
    return Reply(200, json.dumps(body).encode(), headers)


@pytest.fixture
def patient(sandbox: SandboxServer) -> str:
    return str(sandbox.state.create_user("desk-patient")["user_id"])


def test_default_code_lives_an_hour_on_the_server_clock(
    sandbox: SandboxServer, api: VitalClient, patient: str
) -> None:
    code = api.create_link_code(patient)
    assert code.server_date is not None and abs(code.server_date - time.time()) < 5
    session = CodeSession.issue(patient, code, clock=FakeClock(), wall=lambda: 0.0)
    # Counted from the server's Date, not from the (absurd) desk wall clock.
    assert DEFAULT_CODE_LIFETIME - 2 <= session.remaining() <= DEFAULT_CODE_LIFETIME
    assert session.user_id == patient and session.code == code
    sent = sandbox.request_log.snapshot()[-1]
    assert sent.query == {"user_id": patient}


def test_expires_at_is_sent_as_utc_and_honoured(
    sandbox: SandboxServer, api: VitalClient, patient: str
) -> None:
    plus_two = timezone(timedelta(hours=2))
    wanted = datetime.now(plus_two).replace(microsecond=0) + timedelta(minutes=15)
    code = api.create_link_code(patient, expires_at=wanted)
    sent = sandbox.request_log.snapshot()[-1]
    assert sent.query["expires_at"].endswith("Z")
    assert parse_datetime(sent.query["expires_at"]) == wanted
    assert code.expires_at_datetime == wanted
    clock = FakeClock()
    session = CodeSession.issue(patient, code, clock=clock)
    assert 15 * 60 - 3 <= session.remaining() <= 15 * 60
    assert "left" in session.countdown_text() and not session.expired()
    clock.now += 15 * 60
    assert session.expired() and session.countdown_text() == "Expired"


def test_a_naive_expires_at_is_utc(sandbox: SandboxServer, api: VitalClient, patient: str) -> None:
    naive = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(hours=2)
    code = api.create_link_code(patient, expires_at=naive)
    assert code.expires_at_datetime == naive.replace(tzinfo=UTC)


def test_a_past_expires_at_is_refused_by_the_server(api: VitalClient, patient: str) -> None:
    with pytest.raises(VitalError) as caught:
        api.create_link_code(patient, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert caught.value.kind is ErrorKind.VALIDATION and caught.value.status == 422
    assert "expires_at" in (caught.value.server_message or "")


@pytest.mark.parametrize("offset", [-7200.0, 0.0, 7200.0])
def test_the_lifetime_follows_the_server_date_not_the_desk_clock(offset: float) -> None:
    # The server's clock is hours off the desk's: the code still lives its 20 minutes.
    with (
        SandboxServer(clock_offset=offset) as server,
        client_for(server.base_url, server.demo_key) as client,
    ):
        user = str(server.state.create_user("p")["user_id"])
        wanted = datetime.fromtimestamp(server.state.now() + 1200, UTC)
        code = client.create_link_code(user, expires_at=wanted)
    assert code.server_date is not None
    session = CodeSession.issue(user, code, clock=FakeClock(), wall=time.time)
    assert session.remaining() == pytest.approx(1200, abs=2)


def test_without_a_date_header_the_desk_clock_is_used() -> None:
    with (
        SandboxServer(date_header=False, clock_offset=-600) as server,
        client_for(server.base_url, server.demo_key) as client,
    ):
        user = str(server.state.create_user("p")["user_id"])
        code = client.create_link_code(user)
        sent = server.request_log.snapshot()[-1]
    assert code.server_date is None and sent.query == {"user_id": user}
    # The server says an hour from its own now; the desk, 10 minutes ahead, sees 50.
    session = CodeSession.issue(user, code, clock=FakeClock(), wall=time.time)
    assert session.remaining() == pytest.approx(3000, abs=2)
    expires = code.expires_at_datetime
    assert expires is not None
    wall = expires.timestamp() - 60
    later = CodeSession.issue(user, code, clock=FakeClock(), wall=lambda: wall)
    assert later.remaining() == 60.0
    assert later.expires_at_utc(wall=lambda: wall) == expires


@pytest.mark.parametrize(
    ("expires_at", "server_now", "lifetime"),
    [
        ("2030-01-01T01:00:00Z", "2030-01-01T00:00:00Z", 3600.0),
        ("2030-01-01T01:00:00+01:00", "2030-01-01T00:00:00Z", 0.0),  # already past
        ("2030-01-01T00:00:00-01:00", "2030-01-01T00:00:00Z", 3600.0),
        ("2030-01-01T00:30:00.123456", "2030-01-01T00:00:00Z", 1800.123456),
        ("2031-01-01T00:00:00Z", "2030-01-01T00:00:00Z", MAX_CODE_LIFETIME),  # capped
        ("not a time", "2030-01-01T00:00:00Z", 0.0),
    ],
)
def test_code_lifetime(expires_at: str, server_now: str, lifetime: float) -> None:
    now = parse_datetime(server_now)
    assert now is not None
    assert code_lifetime(expires_at, now.timestamp(), wall=0.0) == pytest.approx(lifetime)


def test_an_expired_code_gives_a_session_expired_at_once(scripted: ScriptedServer) -> None:
    scripted.reply = _code_reply("2020-01-01T00:00:00Z", date=1_800_000_000.0)
    with client_for(scripted.base_url) as client:
        session = CodeSession.issue(UID, client.create_link_code(UID), clock=FakeClock())
    assert session.expired() and session.valid_for_seconds() == 0


URL, WHEN = "tryvital://x", "2030-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "abcd0123abcd", "exchange_url": URL, "expires_at": WHEN},
        {"code": "skus0123ABCD", "exchange_url": URL, "expires_at": WHEN},
        {"code": "skus0123", "exchange_url": URL, "expires_at": WHEN},
        {"code": "skus0123abcd\n<b>", "exchange_url": URL, "expires_at": WHEN},
        {"code": "skus0123abcd", "exchange_url": "", "expires_at": WHEN},
        {"code": "skus0123abcd", "exchange_url": "  ", "expires_at": WHEN},
        {"code": "skus0123abcd", "exchange_url": URL + "\u202e", "expires_at": WHEN},
        {"code": "skus0123abcd", "exchange_url": URL, "expires_at": "soon"},
        {"code": "skus0123abcd", "exchange_url": URL},
    ],
)
def test_a_reply_that_is_not_a_code_is_a_bad_response(
    scripted: ScriptedServer, body: dict[str, Any]
) -> None:
    scripted.reply = Reply(200, json.dumps(body).encode())
    with client_for(scripted.base_url) as client, pytest.raises(VitalError) as caught:
        client.create_link_code(UID)
    assert caught.value.kind is ErrorKind.BAD_RESPONSE


@pytest.mark.parametrize("code", ["skus0123abcd", "pkeu89abcdef", "skeu00000000-extra"])
def test_codes_of_every_environment_and_region_are_accepted(code: str) -> None:
    parsed = LinkCode.from_json(
        {"code": code, "exchange_url": f"tryvital://tryvital?code={code}",
         "expires_at": "2030-01-01T00:00:00+00:00"}, "EP", server_date=5.0
    )  # fmt: skip
    assert parsed.code == code and parsed.server_date == 5.0
    assert code not in repr(parsed)  # single use, but a credential until then
