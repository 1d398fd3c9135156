"""Every HTTP failure becomes one VitalError with a sentence and the technical detail.

These run against ``scripted``, a real loopback HTTP server whose reply each test sets, so
body shapes the stand-in never produces (422 detail as a string or an object, odd 400s)
are covered too. Retries are counted on the server side.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from vital_desktop.core.client import VitalClient, _parse_retry_after
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.validation import LinkTokenRequest

from .helpers import KEY, UID, ScriptedServer, client_for

EXISTING = "1449752e-0d8a-40e0-9206-91ab099b2537"


def _link(client: VitalClient) -> None:
    client.create_link_token(LinkTokenRequest.build(UID))


def _fail(call, *args: Any) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(*args)
    err = info.value
    # One sentence, never a traceback, never the key.
    assert err.message.endswith(".")
    assert "Traceback" not in err.message and "\n" not in err.message
    assert KEY not in str(err) and KEY not in err.detail and KEY not in repr(err)
    assert err.__cause__ is None or isinstance(err.__cause__, VitalError)
    return err


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, ErrorKind.UNAUTHORIZED, "did not accept the API key"),
        (403, ErrorKind.UNAUTHORIZED, "did not accept the API key"),
        (404, ErrorKind.NOT_FOUND, "no such user"),
        (422, ErrorKind.VALIDATION, "rejected the request as invalid"),
        (400, ErrorKind.BAD_REQUEST, "refused the request"),
        (429, ErrorKind.RATE_LIMITED, "too many requests"),
        (500, ErrorKind.SERVER_ERROR, "(error 500)"),
        (502, ErrorKind.SERVER_ERROR, "(error 502)"),
        (503, ErrorKind.SERVER_ERROR, "(error 503)"),
        (409, ErrorKind.BAD_RESPONSE, "unexpected status (409)"),
        (302, ErrorKind.BAD_RESPONSE, "unexpected status (302)"),
        (418, ErrorKind.BAD_RESPONSE, "unexpected status (418)"),
    ],
)
def test_status_maps_to_kind(
    scripted: ScriptedServer, status: int, kind: ErrorKind, words: str
) -> None:
    body = {"detail": {"error_type": "X", "error_message": "The server's own words."}}
    scripted.set(status, json.dumps(body), location="https://elsewhere.example/")
    with client_for(scripted.base_url, max_retries=0) as client:
        err = _fail(_link, client)
    assert err.kind is kind
    assert words in err.message
    assert err.status == status
    assert err.endpoint == "POST /v2/link/token"
    assert f"HTTP status: {status}" in err.detail
    assert "Endpoint: POST /v2/link/token" in err.detail
    assert "Server said: The server's own words." in err.detail
    assert len(scripted.requests) == 1  # never followed a redirect, never retried


def test_unauthorized_names_the_key_environment(scripted: ScriptedServer) -> None:
    scripted.set(401, "")
    with client_for(scripted.base_url, key="pk_eu_abcdef0123") as client:
        err = _fail(client.providers)
    assert "production EU" in err.message
    assert err.server_message is None


@pytest.mark.parametrize(
    ("detail", "said"),
    [
        (
            [
                {"loc": ["body", "user_id"], "msg": "value is not a valid uuid", "type": "x"},
                {"loc": ["query", "limit"], "msg": "too big", "type": "y"},
            ],
            "user_id: value is not a valid uuid; query.limit: too big",
        ),
        ([{"msg": "no location"}, "plain item"], "no location; plain item"),
        ("User id is not valid", "User id is not valid"),
        ({"error_type": "INVALID_REQUEST", "error_message": "Bad user."}, "Bad user."),
        ({"message": "Another shape."}, "Another shape."),
        ({"code": 7}, '{"code": 7}'),
        (42, "42"),
    ],
)
def test_422_detail_shapes(scripted: ScriptedServer, detail: Any, said: str) -> None:
    scripted.set(422, json.dumps({"detail": detail}))
    with client_for(scripted.base_url) as client:
        err = _fail(_link, client)
    assert err.kind is ErrorKind.VALIDATION
    assert err.server_message == said
    assert said.rstrip(".") in err.message
    assert err.message.startswith("Vital rejected the request as invalid: ")
    assert len(scripted.requests) == 1


def test_422_without_a_body(scripted: ScriptedServer) -> None:
    scripted.set(422, "")
    with client_for(scripted.base_url) as client:
        err = _fail(_link, client)
    assert err.message == "Vital rejected the request as invalid."


def test_error_body_that_is_not_json_is_kept_as_text(scripted: ScriptedServer) -> None:
    scripted.set(500, "<html>Bad Gateway</html>", content_type="text/html")
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.SERVER_ERROR
    assert err.server_message == "<html>Bad Gateway</html>"


def test_long_server_message_is_shortened(scripted: ScriptedServer) -> None:
    scripted.set(400, json.dumps({"detail": "x" * 10_000}))
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.server_message is not None and len(err.server_message) <= 500


def test_duplicate_client_user_id_carries_the_existing_user(scripted: ScriptedServer) -> None:
    body = {
        "detail": {
            "error_type": "INVALID_REQUEST",
            "error_message": "Client user id already exists.",
            "user_id": EXISTING,
            "created_on": "2023-02-27T12:31:24+00:00",
        }
    }
    scripted.set(400, json.dumps(body))
    with client_for(scripted.base_url) as client:
        err = _fail(client.create_user, "patient-42")
    assert err.kind is ErrorKind.DUPLICATE_USER
    assert err.existing_user_id == EXISTING
    assert EXISTING in err.message
    assert f"Existing user_id: {EXISTING}" in err.detail
    assert err.endpoint == "POST /v2/user"
    assert len(scripted.requests) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_retryable_statuses_are_retried_max_retries_times(
    scripted: ScriptedServer, status: int
) -> None:
    scripted.set(status, "{}", retry_after="0")
    with client_for(scripted.base_url, max_retries=3) as client:
        err = _fail(_link, client)
    assert err.status == status
    assert len(scripted.requests) == 4  # the first try and three retries


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 500, 502, 504])
def test_other_statuses_are_never_retried(scripted: ScriptedServer, status: int) -> None:
    scripted.set(status, "{}", retry_after="0")
    with client_for(scripted.base_url, max_retries=3) as client:
        _fail(_link, client)
    assert len(scripted.requests) == 1


def test_retry_then_success(scripted: ScriptedServer) -> None:
    replies = iter([(503, "{}"), (429, "{}")])

    def answer(_: object):  # type: ignore[no-untyped-def]
        from .helpers import Reply

        status, body = next(replies, (200, '{"link_token":"t","link_web_url":"https://l/"}'))
        return Reply(status, body.encode(), {"retry-after": "0"})

    scripted.reply = answer
    with client_for(scripted.base_url, max_retries=2) as client:
        link = client.create_link_token(LinkTokenRequest.build(UID))
    assert link.link_token == "t"
    assert len(scripted.requests) == 3
    # The same body each time.
    assert len({r.body for r in scripted.requests}) == 1


def test_retry_after_beyond_the_cap_gives_up_at_once(scripted: ScriptedServer) -> None:
    scripted.set(429, "{}", retry_after="30")
    slept: list[float] = []
    client = VitalClient(
        KEY,
        client_for(scripted.base_url).target,
        client_for(scripted.base_url, max_retries=2, retry_after_cap=0.05).settings,
        sleep=slept.append,
    )
    with client:
        err = _fail(_link, client)
    assert slept == []
    assert len(scripted.requests) == 1
    assert err.kind is ErrorKind.RATE_LIMITED
    assert err.retry_after == 30.0
    assert "Wait about 30 seconds" in err.message
    assert "Retry-After: 30 s" in err.detail


def test_retry_after_below_the_cap_is_used_as_is(scripted: ScriptedServer) -> None:
    scripted.set(503, "{}", retry_after="0.03")
    slept: list[float] = []
    base = client_for(scripted.base_url, max_retries=1, retry_after_cap=5)
    with VitalClient(KEY, base.target, base.settings, sleep=slept.append) as client:
        _fail(_link, client)
    assert slept == [0.03]


def test_real_sleep_waits_for_retry_after(scripted: ScriptedServer) -> None:
    scripted.set(503, "{}", retry_after="0.2")
    with client_for(scripted.base_url, max_retries=1, retry_after_cap=0.5) as client:
        start = time.monotonic()
        _fail(_link, client)
        elapsed = time.monotonic() - start
    assert 0.2 <= elapsed < 2.0
    assert len(scripted.requests) == 2


def test_backoff_without_retry_after_grows(scripted: ScriptedServer) -> None:
    scripted.set(503, "{}")
    slept: list[float] = []
    base = client_for(scripted.base_url, max_retries=3, backoff=0.01, retry_after_cap=10)
    with VitalClient(KEY, base.target, base.settings, sleep=slept.append) as client:
        _fail(_link, client)
    assert slept == [0.01, 0.02, 0.04]


def test_zero_retries(scripted: ScriptedServer) -> None:
    scripted.set(503, "{}")
    with client_for(scripted.base_url, max_retries=0) as client:
        _fail(_link, client)
    assert len(scripted.requests) == 1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("nan", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert _parse_retry_after(header) == seconds


def test_parse_retry_after_http_date_in_the_future() -> None:
    from email.utils import formatdate

    value = _parse_retry_after(formatdate(time.time() + 120, usegmt=True))
    assert value is not None and 110 <= value <= 121
