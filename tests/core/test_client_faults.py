"""The stand-in's injected faults, seen through the client: retries, timeouts, bad replies."""

from __future__ import annotations

import time
from typing import Any

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer

from .helpers import assert_sent_by_contract, fast_settings


@pytest.fixture
def user_id(sandbox: SandboxServer) -> str:
    return str(sandbox.state.create_user("patient-1")["user_id"])


def _client(sandbox: SandboxServer, **settings: float) -> VitalClient:
    return VitalClient(sandbox.demo_key, custom_target(sandbox.base_url), fast_settings(**settings))


def _link(client: VitalClient, user_id: str) -> Any:
    return client.create_link_token(LinkTokenRequest.build(user_id))


def _attempts(sandbox: SandboxServer) -> int:
    return assert_sent_by_contract(sandbox.request_log.matching("POST", "/v2/link/token"))


def _fail(call, *args: Any) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(*args)
    assert info.value.message.endswith(".")
    return info.value


@pytest.mark.parametrize("status", [503, 429])
def test_retryable_fault_then_success(sandbox: SandboxServer, user_id: str, status: int) -> None:
    sandbox.faults.add(f"/v2/link/token={status},times=2")
    with _client(sandbox, max_retries=2) as client:
        link = _link(client, user_id)
    assert link.link_token
    assert _attempts(sandbox) == 3


@pytest.mark.parametrize("status", [503, 429])
def test_retries_are_bounded(sandbox: SandboxServer, user_id: str, status: int) -> None:
    sandbox.faults.add(f"/v2/link/token={status}")
    with _client(sandbox, max_retries=2) as client:
        err = _fail(_link, client, user_id)
    assert err.status == status
    assert err.kind is (ErrorKind.RATE_LIMITED if status == 429 else ErrorKind.SERVER_ERROR)
    assert _attempts(sandbox) == 3


def test_retry_after_is_honoured_and_capped(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("/v2/link/token=429,retry-after=0.3,times=1")
    with _client(sandbox, max_retries=1, retry_after_cap=5) as client:
        start = time.monotonic()
        _link(client, user_id)
        honoured = time.monotonic() - start
    assert honoured >= 0.3
    assert _attempts(sandbox) == 2
    sandbox.request_log.clear()
    sandbox.faults.add("/v2/link/token=429,retry-after=60,times=1")
    with _client(sandbox, max_retries=1, retry_after_cap=0.1) as client:
        start = time.monotonic()
        err = _fail(_link, client, user_id)
        gave_up = time.monotonic() - start
    assert err.kind is ErrorKind.RATE_LIMITED and err.retry_after == 60
    assert "about 60 seconds" in err.message
    assert gave_up < 2.0
    assert _attempts(sandbox) == 1


def test_rate_limited_error_carries_retry_after(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("/v2/link/token=429,retry-after=7")
    with _client(sandbox, max_retries=0) as client:
        err = _fail(_link, client, user_id)
    assert err.kind is ErrorKind.RATE_LIMITED
    assert err.retry_after == 7.0
    assert "Retry-After: 7 s" in err.detail


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, ErrorKind.SERVER_ERROR),
        (401, ErrorKind.UNAUTHORIZED),
        (403, ErrorKind.UNAUTHORIZED),
        (404, ErrorKind.NOT_FOUND),
        (422, ErrorKind.VALIDATION),
        (400, ErrorKind.BAD_REQUEST),
    ],
)
def test_other_faults_are_not_retried(
    sandbox: SandboxServer, user_id: str, status: int, kind: ErrorKind
) -> None:
    sandbox.faults.add(f"/v2/link/token={status}")
    with _client(sandbox, max_retries=3) as client:
        err = _fail(_link, client, user_id)
    assert err.kind is kind
    assert err.status == status
    assert err.endpoint == "POST /v2/link/token"
    assert f"HTTP status: {status}" in err.detail
    assert _attempts(sandbox) == 1


def test_slow_reply_times_out(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("/v2/link/token=slow=3")
    with _client(sandbox, read_timeout=0.2, max_retries=2) as client:
        start = time.monotonic()
        err = _fail(_link, client, user_id)
        elapsed = time.monotonic() - start
    assert err.kind is ErrorKind.TIMEOUT
    assert err.endpoint == "POST /v2/link/token"
    assert elapsed < 2.0
    assert _attempts(sandbox) == 1


def test_slow_reply_within_the_timeout_succeeds(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("/v2/link/token=slow=0.1")
    with _client(sandbox, read_timeout=3) as client:
        assert _link(client, user_id).link_web_url.startswith("http")


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("invalid-json", ErrorKind.BAD_RESPONSE),
        ("missing-fields", ErrorKind.BAD_RESPONSE),
        ("huge", ErrorKind.TOO_LARGE),
        ("drop", ErrorKind.CANNOT_CONNECT),
    ],
)
def test_bad_replies(sandbox: SandboxServer, user_id: str, action: str, kind: ErrorKind) -> None:
    sandbox.faults.add(f"/v2/link/token={action}")
    with _client(sandbox, max_retries=3) as client:
        err = _fail(_link, client, user_id)
    assert err.kind is kind
    assert err.endpoint == "POST /v2/link/token"
    assert _attempts(sandbox) == 1


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/v2/user", lambda c, u: c.create_user("new-patient")),
        ("/v2/user/resolve/{client_user_id}", lambda c, u: c.resolve_user("patient-1")),
        ("/v2/user/{user_id}", lambda c, u: c.get_user(u)),
        ("/v2/team/users/search", lambda c, u: c.search_users("patient")),
        ("/v2/user/providers/{user_id}", lambda c, u: c.connected_providers(u)),
        ("/v2/providers", lambda c, u: c.providers()),
        ("/v2/link/connect/demo", lambda c, u: c.demo_connect(u, "oura")),
        ("/v2/link/code/create", lambda c, u: c.create_link_code(u)),
        ("/v2/user/{user_id}/{provider}", lambda c, u: c.disconnect(u, "oura")),
    ],
)
def test_missing_fields_on_every_endpoint(
    sandbox: SandboxServer, user_id: str, path: str, call: Any
) -> None:
    sandbox.faults.add(f"{path}=missing-fields")
    with _client(sandbox) as client:
        err = _fail(call, client, user_id)
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert err.server_message
    assert_sent_by_contract(sandbox.request_log)


def test_huge_reply_is_not_read_whole(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("/v2/providers=huge")
    with _client(sandbox, max_response_bytes=64_000) as client:
        err = _fail(client.providers)
    assert err.kind is ErrorKind.TOO_LARGE
    assert "64000 bytes" in err.detail
