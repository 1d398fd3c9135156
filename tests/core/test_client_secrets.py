"""The API key never appears in a message, a detail, a repr or a log line.

A loopback server that echoes the request headers back (in the error body, in a plain-text
body, in a 422 detail list) checks that even a server quoting the key cannot leak it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import VitalError
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer

from .helpers import KEY, UID, Reply, ScriptedServer, Seen, client_for, fast_settings

LOGGERS = ("vital_desktop", "httpx", "httpcore", "")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _echo(status: int, shape: str) -> Any:
    def answer(seen: Seen) -> Reply:
        key = seen.headers.get("x-vital-api-key", "")
        headers = {"content-type": "application/json", "x-echo": key}
        if shape == "detail-string":
            body = json.dumps({"detail": f"Key {key} is not valid"})
        elif shape == "detail-list":
            body = json.dumps({"detail": [{"loc": ["header", key], "msg": f"bad {key}"}]})
        elif shape == "detail-object":
            body = json.dumps({"detail": {"error_message": f"bad key {key}", "key": key}})
        elif shape == "detail-other":
            body = json.dumps({"detail": {"key": key}})
        elif shape == "duplicate":
            body = json.dumps({"detail": {"user_id": UID, "error_message": f"dup {key}"}})
        elif shape == "text":
            headers["content-type"] = "text/plain"
            body = f"headers were: {seen.headers!r}"
        else:  # a 200 reply that echoes the key in an otherwise useless body
            body = json.dumps({"echo": key})
        return Reply(status, body.encode(), headers)

    return answer


@pytest.mark.parametrize(
    ("status", "shape"),
    [
        (401, "detail-string"),
        (403, "detail-object"),
        (404, "detail-other"),
        (422, "detail-list"),
        (422, "detail-string"),
        (422, "detail-object"),
        (400, "detail-string"),
        (400, "duplicate"),
        (429, "detail-string"),
        (500, "text"),
        (503, "detail-list"),
        (418, "text"),
        (200, "echo"),
    ],
)
def test_server_echoing_the_key_cannot_leak_it(
    scripted: ScriptedServer, debug_logs: pytest.LogCaptureFixture, status: int, shape: str
) -> None:
    scripted.reply = _echo(status, shape)
    with client_for(scripted.base_url, max_retries=1) as client:
        with pytest.raises(VitalError) as info:
            client.create_link_token(LinkTokenRequest.build(UID))
        client_repr = repr(client)
    err = info.value
    assert scripted.requests[0].headers["x-vital-api-key"] == KEY  # it was sent
    for text in (str(err), err.message, err.detail, repr(err), client_repr, debug_logs.text):
        assert KEY not in text
        assert KEY[6:] not in text
    if status != 200:
        assert "[redacted]" in err.detail or status in (418, 500)
    for record in debug_logs.records:
        assert KEY not in record.getMessage()


def test_key_with_paste_junk_is_redacted_as_cleaned(scripted: ScriptedServer) -> None:
    scripted.reply = _echo(401, "detail-string")
    with VitalClient(f'  "{KEY}"\n', custom_target(scripted.base_url), fast_settings()) as client:
        with pytest.raises(VitalError) as info:
            client.providers()
    assert scripted.requests[0].headers["x-vital-api-key"] == KEY
    assert KEY not in info.value.detail
    assert "Key [redacted] is not valid" in info.value.detail


def test_successful_calls_log_no_key(
    sandbox: SandboxServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    user = sandbox.state.create_user("p")
    with VitalClient(sandbox.demo_key, custom_target(sandbox.base_url), fast_settings()) as client:
        client.create_link_token(LinkTokenRequest.build(user["user_id"]))
        client.providers()
        text = repr(client)
    assert sandbox.demo_key not in text
    assert debug_logs.records, "httpx/httpcore should have logged something at DEBUG"
    assert sandbox.demo_key not in debug_logs.text


def test_retry_log_line_has_no_key(
    sandbox: SandboxServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    user = sandbox.state.create_user("p")
    sandbox.faults.add("/v2/link/token=503,times=1")
    with VitalClient(sandbox.demo_key, custom_target(sandbox.base_url), fast_settings()) as client:
        client.create_link_token(LinkTokenRequest.build(user["user_id"]))
    retry_lines = [r for r in debug_logs.records if "retrying" in r.getMessage()]
    assert len(retry_lines) == 1
    assert sandbox.demo_key not in debug_logs.text


def test_network_errors_never_carry_the_key(closed_port: int) -> None:
    with client_for(f"http://127.0.0.1:{closed_port}") as client:
        with pytest.raises(VitalError) as info:
            client.providers()
    assert KEY not in info.value.detail and KEY not in repr(info.value)


@pytest.mark.parametrize(
    "key",
    ["sk_us_abc\ndef", "sk_us_abc def", "sk_us_abcé", "mg_" + KEY[6:], "pk_us_\tsecret"],
)
def test_refused_keys_are_not_quoted(key: str) -> None:
    with pytest.raises(VitalError) as info:
        VitalClient(key, custom_target("http://127.0.0.1:9"))
    err = info.value
    for text in (str(err), err.detail, repr(err)):
        assert key not in text


def test_key_is_not_an_attribute_anyone_prints() -> None:
    client = VitalClient(KEY, custom_target("http://127.0.0.1:9"))
    with client:
        assert KEY not in repr(client) and KEY not in str(client)
        assert KEY not in repr(client.key_info) and KEY not in repr(client.target)
