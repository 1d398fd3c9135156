"""Network failures and odd replies: timeouts, refused, DNS, TLS, oversized, not JSON.

All on loopback: a closed port, a name under ``.invalid`` (which never resolves), an https
URL to a plain-HTTP port, a self-signed TLS server, and ``scripted`` replies.
"""

from __future__ import annotations

import gzip
import json
import time

import pytest

from vital_desktop.core.client import ClientSettings, VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import ErrorCategory, ErrorKind, VitalError

from .helpers import KEY, UID, Reply, ScriptedServer, Seen, client_for

USER = {"user_id": UID, "client_user_id": "p", "team_id": "t", "created_on": "c"}


def _fail(call, *args: object) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(*args)
    err = info.value
    assert err.message.endswith(".") and "\n" not in err.message
    assert KEY not in str(err) and KEY not in err.detail and KEY not in repr(err)
    return err


def test_cannot_connect_to_a_closed_port(closed_port: int) -> None:
    with client_for(f"http://127.0.0.1:{closed_port}") as client:
        err = _fail(client.get_user, UID)
    assert err.kind is ErrorKind.CANNOT_CONNECT
    assert err.category is ErrorCategory.NETWORK and err.exit_code == 4
    assert f"127.0.0.1:{closed_port}" in err.message
    assert err.endpoint == "GET /v2/user/{user_id}"
    assert err.server_message and "ConnectError" in err.server_message


def test_dns_failure() -> None:
    # RFC 6761: names under .invalid never resolve, so nothing leaves the machine.
    with client_for("https://api.vital-desktop-test.invalid") as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.DNS
    assert "api.vital-desktop-test.invalid could not be found" in err.message
    assert err.category is ErrorCategory.NETWORK


def test_tls_failure_on_a_plain_http_port(scripted: ScriptedServer) -> None:
    with client_for(f"https://127.0.0.1:{scripted.port}") as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TLS
    assert "secure connection" in err.message
    assert scripted.requests == []


def test_tls_failure_on_a_self_signed_certificate(tls_server: ScriptedServer) -> None:
    tls_server.set(200, "[]")
    with client_for(tls_server.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TLS
    assert err.server_message and "CERTIFICATE_VERIFY_FAILED" in err.server_message
    assert tls_server.requests == []  # the key was never sent to an unverified host


def test_read_timeout(scripted: ScriptedServer) -> None:
    def slow(_: Seen) -> Reply:
        time.sleep(1.0)
        return Reply(200, b"[]")

    scripted.reply = slow
    with client_for(scripted.base_url, read_timeout=0.2, max_retries=3) as client:
        start = time.monotonic()
        err = _fail(client.providers)
        elapsed = time.monotonic() - start
    assert err.kind is ErrorKind.TIMEOUT
    assert "did not answer in time" in err.message
    assert elapsed < 0.9
    assert len(scripted.requests) == 1  # a timeout is never retried


def test_timeouts_are_explicit() -> None:
    settings = ClientSettings(connect_timeout=1.5, read_timeout=7.0)
    client = VitalClient(KEY, custom_target("http://127.0.0.1:9"), settings)
    with client:
        timeout = client._http.timeout
    assert (timeout.connect, timeout.read) == (1.5, 7.0)
    defaults = ClientSettings()
    assert (defaults.connect_timeout, defaults.read_timeout) == (5.0, 20.0)
    assert defaults.max_retries == 2 and defaults.retry_after_cap == 10.0


def test_dropped_connection(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(drop=True)
    with client_for(scripted.base_url, max_retries=3) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.CANNOT_CONNECT
    assert err.server_message and "RemoteProtocolError" in err.server_message
    assert len(scripted.requests) == 1  # not retried


def test_truncated_reply(scripted: ScriptedServer) -> None:
    # Promises 100 bytes, sends 2, closes: incomplete, not a timeout.
    def answer(_: Seen) -> Reply:
        return Reply(200, b"[]", {"content-length": "100", "connection": "close"})

    scripted.reply = answer
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.CANNOT_CONNECT


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"<html>hello</html>", "reply is not JSON"),
        (b"", "reply is not JSON"),
        (b"\xff\xfe\x00garbage", "reply is not JSON"),
        (b"[" * 100_000, "reply is not JSON"),
        (b"1" * 5000, "reply is not JSON"),  # int() refuses more than 4300 digits
        (b"{}", "field 'user_id' is missing or not a string"),
        (b"[]", "reply is not a JSON object"),
        (json.dumps({**USER, "user_id": None}).encode(), "field 'user_id' is missing"),
    ],
)
def test_reply_that_cannot_be_understood(scripted: ScriptedServer, body: bytes, what: str) -> None:
    scripted.set(200, body)
    with client_for(scripted.base_url) as client:
        err = _fail(client.get_user, UID)
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert "could not understand" in err.message
    assert err.server_message is not None and what in err.server_message
    assert err.endpoint == "GET /v2/user/{user_id}"


def test_error_reply_with_a_huge_integer_is_still_an_error(scripted: ScriptedServer) -> None:
    scripted.set(500, b'{"detail": ' + b"9" * 5000 + b"}")
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.SERVER_ERROR


def test_corrupt_gzip_reply(scripted: ScriptedServer) -> None:
    scripted.set(200, b"this is not gzip at all", content_encoding="gzip")
    with client_for(scripted.base_url) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.BAD_RESPONSE


def test_gzip_reply_is_understood(scripted: ScriptedServer) -> None:
    scripted.set(200, gzip.compress(json.dumps(USER).encode()), content_encoding="gzip")
    with client_for(scripted.base_url) as client:
        assert client.get_user(UID).user_id == UID


def test_oversized_reply_with_content_length_is_refused(scripted: ScriptedServer) -> None:
    scripted.set(200, b"[" + b"0," * 600 + b"0]")
    with client_for(scripted.base_url, max_response_bytes=1000) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TOO_LARGE
    assert err.server_message == "reply exceeded 1000 bytes"
    assert err.status == 200


def test_oversized_streamed_reply_is_capped(scripted: ScriptedServer) -> None:
    # Chunked transfer, no content-length: the cap must count what is read.
    scripted.reply = Reply(200, b"[" + b"0," * 2_000_000 + b"0]", chunked=True)
    with client_for(scripted.base_url, max_response_bytes=20_000) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TOO_LARGE
    assert err.server_message == "reply exceeded 20000 bytes"


def test_chunked_reply_under_the_cap_is_read(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(200, b"[" + b" " * 30_000 + b"]", chunked=True)
    with client_for(scripted.base_url, max_response_bytes=40_000) as client:
        assert client.providers() == []


def test_oversized_gzip_bomb_is_capped_after_decoding(scripted: ScriptedServer) -> None:
    bomb = gzip.compress(b"[" + b"0," * 2_000_000 + b"0]")
    assert len(bomb) < 50_000
    scripted.set(200, bomb, content_encoding="gzip")
    with client_for(scripted.base_url, max_response_bytes=100_000) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TOO_LARGE


def test_reply_just_under_the_cap_is_read(scripted: ScriptedServer) -> None:
    body = json.dumps([]).encode().ljust(1000)
    scripted.set(200, body)
    with client_for(scripted.base_url, max_response_bytes=1000) as client:
        assert client.providers() == []
