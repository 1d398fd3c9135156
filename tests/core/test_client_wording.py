"""What the desk reads: 404s by endpoint and body, Retry-After of any shape, unsafe links,
and server texts that echo the key (in any case, cut short, without its prefix).

All against ``scripted``, a real loopback HTTP server.
"""

from __future__ import annotations

import json
import math
import time
from email.utils import formatdate
from typing import Any

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.retry_after import MAX_RETRY_AFTER, parse_retry_after, wait_phrase
from vital_desktop.core.validation import LinkTokenRequest

from .helpers import KEY, UID, ScriptedServer, client_for

VITAL_404 = json.dumps({"detail": {"error_type": "NOT_FOUND", "error_message": "No user."}})


def _fail(call, *args: Any) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(*args)
    err = info.value
    assert err.message.endswith(".") and "\n" not in err.message
    return err


# ------------------------------------------------------------------ 404 wording


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body><h1>404 Not Found</h1></body></html>", "text/html"),
        ("", "text/plain"),
        (json.dumps({"error": "not found"}), "application/json"),
        (json.dumps(["detail"]), "application/json"),
    ],
)
def test_404_that_is_not_vital_shaped_blames_the_address(
    scripted: ScriptedServer, body: str, content_type: str
) -> None:
    scripted.set(404, body, content_type=content_type)
    with client_for(scripted.base_url) as client:
        err = _fail(client.get_user, UID)
    assert err.message == (
        f"Nothing at 127.0.0.1:{scripted.port} answers like the Vital API: check the API address."
    )
    assert "no such user" not in err.message
    assert err.status == 404


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.providers(),
        lambda client: client.search_users("patient"),
        lambda client: client.create_user("patient-42"),
    ],
    ids=["providers", "search", "create-user"],
)
def test_404_from_an_endpoint_without_a_user_blames_the_address(
    scripted: ScriptedServer, call: Any
) -> None:
    scripted.set(404, VITAL_404)  # Vital-shaped, yet "no such user" means nothing here
    with client_for(scripted.base_url) as client:
        err = _fail(call, client)
    assert err.message.startswith("Nothing at 127.0.0.1:")
    assert "check the API address" in err.message


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.get_user(UID),
        lambda client: client.resolve_user("patient-42"),
        lambda client: client.connected_providers(UID),
        lambda client: client.create_link_token(LinkTokenRequest.build(UID)),
        lambda client: client.create_link_code(UID),
    ],
    ids=["get-user", "resolve", "connections", "link-token", "link-code"],
)
def test_vital_404_on_a_user_endpoint_is_no_such_user(scripted: ScriptedServer, call: Any) -> None:
    scripted.set(404, VITAL_404)
    with client_for(scripted.base_url) as client:
        err = _fail(call, client)
    assert err.kind is ErrorKind.NOT_FOUND
    assert "no such user" in err.message


# ------------------------------------------------------------------ Retry-After


@pytest.mark.parametrize(
    ("header", "wording"),
    [
        ("1", "Wait about 1 second and try again."),
        ("0.3", "Wait about 1 second and try again."),
        ("30", "Wait about 30 seconds and try again."),
        ("120", "Wait about 2 minutes and try again."),
        ("10800", "Wait about 3 hours and try again."),
        ("86400", "Wait about 24 hours and try again."),
        ("-5", "Wait about 1 second and try again."),
        ("nan", "Wait a minute and try again."),
        ("soon", "Wait a minute and try again."),
        ("1e12", "Vital asked the app to wait more than a day"),
        ("1e400", "Vital asked the app to wait more than a day"),
        ("inf", "Vital asked the app to wait more than a day"),
        ("99999999999999999999999999", "Vital asked the app to wait more than a day"),
        ("Wed, 21 Oct 9999 07:28:00 GMT", "Vital asked the app to wait more than a day"),
        ("Wed, 21 Oct 99999 07:28:00 GMT", "Vital asked the app to wait more than a day"),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wait about 1 second and try again."),
        ("Wed, 99 Foo 2015 07:28:00 GMT", "Wait a minute and try again."),
    ],
)
def test_429_wording_for_any_retry_after(
    scripted: ScriptedServer, header: str, wording: str
) -> None:
    scripted.set(429, "{}", retry_after=header)
    slept: list[float] = []
    base = client_for(scripted.base_url, max_retries=1, retry_after_cap=0.5)
    with VitalClient(KEY, base.target, base.settings, sleep=slept.append) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.RATE_LIMITED
    assert wording in err.message
    assert "a minute" not in err.message or wording.endswith("a minute and try again.")
    if err.retry_after is not None:
        assert 0 <= err.retry_after <= MAX_RETRY_AFTER
    assert all(0 <= s <= 0.5 for s in slept)
    err.detail  # noqa: B018 - the detail renders whatever the number


def test_retry_after_http_date_an_hour_ahead(scripted: ScriptedServer) -> None:
    scripted.set(429, "{}", retry_after=formatdate(time.time() + 3600, usegmt=True))
    with client_for(scripted.base_url, max_retries=0) as client:
        err = _fail(client.providers)
    assert "Wait about 60 minutes and try again." in err.message


def test_503_beyond_the_cap_says_how_long(scripted: ScriptedServer) -> None:
    scripted.set(503, "{}", retry_after="120")
    with client_for(scripted.base_url, retry_after_cap=1) as client:
        err = _fail(client.providers)
    assert err.message == "Vital's servers had a problem (error 503). Try again in about 2 minutes."
    assert len(scripted.requests) == 1


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (None, "a minute"),
        (math.nan, "a minute"),
        (0, "about 1 second"),
        (1, "about 1 second"),
        (1.6, "about 2 seconds"),
        (89, "about 89 seconds"),
        (90, "about 2 minutes"),
        (60 * 60, "about 60 minutes"),
        (3 * 3600, "about 3 hours"),
        (86_401, "more than a day"),
    ],
)
def test_wait_phrase(seconds: float | None, phrase: str) -> None:
    assert wait_phrase(seconds) == phrase


def test_parse_retry_after_is_bounded_and_never_raises() -> None:
    values = ["1e308", "-1e308", "1e999", "+inf", "NaN", "0x10", "٣", "\x00", " ", "5 s"]
    values += ["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 +9999"]
    for value in values:
        parsed = parse_retry_after(value)
        assert parsed is None or 0 <= parsed <= MAX_RETRY_AFTER


# ------------------------------------------------------------------ unsafe links


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://link.tryvital.io/?token=a b",
        "https://link.tryvital.io/?token=a\u0007b",
        "https:///?token=t",
        "https://link.tryvital.io/?token=" + "t" * 3000,
    ],
)
def test_unsafe_link_is_refused(scripted: ScriptedServer, url: str) -> None:
    scripted.set(200, json.dumps({"link_token": "t", "link_web_url": url}))
    with client_for(scripted.base_url) as client:
        err = _fail(client.create_link_token, LinkTokenRequest.build(UID))
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert err.message.startswith("Vital sent a link the app cannot hand out safely")


def test_plain_http_link_is_fine_from_a_loopback_api(scripted: ScriptedServer) -> None:
    url = f"http://127.0.0.1:{scripted.port}/link?token=t"
    scripted.set(200, json.dumps({"link_token": "t", "link_web_url": url}))
    with client_for(scripted.base_url) as client:
        assert client.create_link_token(LinkTokenRequest.build(UID)).link_web_url == url


# ------------------------------------------------------------------ near echoes of the key

ECHOES = [
    KEY.upper(),
    KEY.lower(),
    KEY[6:],  # without its prefix
    KEY[6:].swapcase(),
    KEY[10:24],  # a fragment
    "SK_US_" + KEY[6:],
]


@pytest.mark.parametrize("echo", ECHOES)
def test_provider_name_echoing_the_key_is_not_shown(scripted: ScriptedServer, echo: str) -> None:
    scripted.set(
        200,
        json.dumps([{"slug": "oura", "name": f"Oura {echo}", "description": f"about {echo} here"}]),
    )
    with client_for(scripted.base_url) as client:
        (provider,) = client.providers()
    assert provider.name == "Oura [redacted]"
    assert provider.description == "about [redacted] here"


@pytest.mark.parametrize("echo", ECHOES)
def test_error_texts_echoing_the_key_are_redacted(scripted: ScriptedServer, echo: str) -> None:
    scripted.set(422, json.dumps({"detail": f"key {echo} is odd"}))
    with client_for(scripted.base_url) as client:
        err = _fail(client.create_link_token, LinkTokenRequest.build(UID))
    for text in (err.message, err.detail, repr(err)):
        assert echo not in text and echo.lower() not in text.lower()
    assert "key [redacted] is odd" in err.message


def test_duplicate_user_id_echoing_the_key_is_redacted(scripted: ScriptedServer) -> None:
    scripted.set(400, json.dumps({"detail": {"user_id": KEY.lower()}}))
    with client_for(scripted.base_url) as client:
        err = _fail(client.create_user, "patient-42")
    assert err.kind is ErrorKind.DUPLICATE_USER
    assert KEY.lower() not in err.message and err.existing_user_id == "[redacted]"


def test_encoding_header_echoing_the_key_is_redacted(scripted: ScriptedServer) -> None:
    scripted.set(200, b"[]", content_encoding=KEY.lower())
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert KEY.lower()[:20] not in err.detail and "[redacted]" in err.detail
