"""Generated inputs and generated server replies never crash the client.

Inputs: anything typed into the user id, provider, filter and redirect fields either
builds a request that matches the contract or raises VitalError INVALID_INPUT, and what
the client does send (recorded by the stand-in) validates against the contract.
Replies: whatever a server answers (any status, any JSON, any bytes, odd headers), every
call returns a model or raises VitalError, nothing else.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from contract import validate_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.models import (
    ConnectedProvider,
    DemoConnection,
    LinkCode,
    LinkToken,
    ProviderInfo,
    User,
)
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer

from .helpers import KEY, UID, Reply, ScriptedServer, assert_sent_by_contract, fast_settings

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLUGS = sorted(bundled_catalogue().slugs)

user_ids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: f'  "{str(u).upper()}"\n'),
    st.text(max_size=60),
    st.text(alphabet="0123456789abcdefABCDEF-{}", max_size=40),
)
slugs = st.one_of(
    st.sampled_from(SLUGS), st.text(max_size=20), st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
)
redirects = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.builds(
        lambda scheme, rest: f"{scheme}:{rest}",
        st.sampled_from(
            [
                "https",
                "http",
                "myapp",
                "javascript",
                "JaVaScRiPt",
                "data",
                "file",
                "x-y.z+w",
                "1bad",
                "",
            ]
        ),
        st.text(max_size=30),
    ),
    st.builds(lambda host: f"https://{host}/done", st.text(max_size=20)),
)
filters = st.one_of(st.none(), st.lists(slugs, max_size=5))


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[SandboxServer, VitalClient, str]]:
    server = SandboxServer()
    server.start()
    user_id = str(server.state.create_user("fuzz-patient")["user_id"])
    client = VitalClient(server.demo_key, custom_target(server.base_url), fast_settings())
    try:
        yield server, client, user_id
    finally:
        client.close()
        server.stop()


@FUZZ
@given(user_ids, st.one_of(st.none(), slugs), filters, redirects, st.booleans(), st.booleans())
def test_link_request_build_never_crashes(
    user_id: str,
    provider: str | None,
    filter_on: list[str] | None,
    redirect: str | None,
    on_error: bool,
    on_close: bool,
) -> None:
    try:
        request = LinkTokenRequest.build(
            user_id,
            provider,
            filter_on,
            redirect,
            on_error_redirect=on_error,
            on_close_redirect=on_close,
        )
    except VitalError as err:
        assert err.kind is ErrorKind.INVALID_INPUT
        assert err.field in ("user_id", "provider", "filter_on_providers", "redirect_url")
        assert err.message
        return
    body = request.to_json()
    validate_request("POST", "/v2/link/token", None, body)
    assert body.get("filter_on_providers", ["x"]) != []
    redirect_url = body.get("redirect_url")
    if redirect_url is not None:
        scheme = redirect_url.split(":", 1)[0].lower()
        assert scheme not in ("javascript", "data", "file")


@FUZZ
@given(st.booleans(), st.one_of(st.none(), slugs), filters, redirects)
def test_link_requests_that_go_out_match_the_contract(
    stand_in: tuple[SandboxServer, VitalClient, str],
    known_user: bool,
    provider: str | None,
    filter_on: list[str] | None,
    redirect: str | None,
) -> None:
    server, client, user_id = stand_in
    server.request_log.clear()
    try:
        request = LinkTokenRequest.build(
            user_id if known_user else UID, provider, filter_on, redirect
        )
    except VitalError as err:
        assert err.kind is ErrorKind.INVALID_INPUT
        return
    try:
        link = client.create_link_token(request)
    except VitalError as err:
        assert not known_user and err.kind is ErrorKind.NOT_FOUND
    else:
        assert known_user and link.link_web_url
    assert assert_sent_by_contract(server.request_log) == 1


@FUZZ
@given(
    st.sampled_from(["get_user", "connected_providers", "create_link_code", "resolve_user",
                     "search_users", "create_user", "disconnect", "demo_connect"]),
    st.one_of(user_ids, st.text(max_size=80)),
    slugs,
)  # fmt: skip
def test_other_calls_never_crash_and_match_the_contract(
    stand_in: tuple[SandboxServer, VitalClient, str], method: str, text: str, slug: str
) -> None:
    server, client, _ = stand_in
    server.request_log.clear()
    try:
        if method in ("disconnect", "demo_connect"):
            getattr(client, method)(text, slug)
        else:
            getattr(client, method)(text)
    except VitalError as err:
        assert err.message.endswith(".")
        if err.kind is ErrorKind.INVALID_INPUT:
            assert len(server.request_log) == 0
            return
    sent = server.request_log.snapshot()
    assert len(sent) == 1
    if method == "disconnect" and slug.strip() not in SLUGS:
        # The provider enum is open: a well-formed slug the spec lacks is sent on purpose.
        return
    assert_sent_by_contract(sent)


# ------------------------------------------------------------------ generated replies

FIELDS = [
    "user_id", "client_user_id", "team_id", "created_on", "connected_sources", "provider",
    "source", "slug", "name", "status", "providers", "error_details", "error_type",
    "error_message", "link_token", "link_web_url", "detail", "success", "code",
    "exchange_url", "expires_at", "supported_resources", "auth_type", "logo", "description",
    "loc", "msg",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from([UID, "https://link.example/?token=t", "oura", "connected"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=6),
    ),
    max_leaves=25,
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"[" * 5000, b"9" * 5000, b"\xef\xbb\xbf{}", b"NaN", b'{"a":1e999}']),
)
header_text = st.text(alphabet=string.ascii_letters + string.digits + " ,:-.", max_size=30)

CALLS: dict[str, Any] = {
    "create_link_token": (lambda c: c.create_link_token(LinkTokenRequest.build(UID)), LinkToken),
    "create_user": (lambda c: c.create_user("p-1"), User),
    "resolve_user": (lambda c: c.resolve_user("p-1"), User),
    "get_user": (lambda c: c.get_user(UID), User),
    "search_users": (lambda c: c.search_users("p-1"), list),
    "connected_providers": (lambda c: c.connected_providers(UID), list),
    "providers": (lambda c: c.providers(), list),
    "disconnect": (lambda c: c.disconnect(UID, "oura"), bool),
    "demo_connect": (lambda c: c.demo_connect(UID, "oura"), DemoConnection),
    "create_link_code": (lambda c: c.create_link_code(UID), LinkCode),
}
ITEM_TYPES = {
    "search_users": User,
    "connected_providers": ConnectedProvider,
    "providers": ProviderInfo,
}


@pytest.fixture(scope="module")
def replier() -> Iterator[tuple[ScriptedServer, VitalClient]]:
    server = ScriptedServer()
    settings_ = fast_settings(max_retries=1, retry_after_cap=0, max_response_bytes=4096)
    client = VitalClient(KEY, custom_target(server.base_url), settings_)
    try:
        yield server, client
    finally:
        client.close()
        server.stop()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(sorted(CALLS)),
    st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 503]),
    bodies,
    st.one_of(st.none(), header_text),
    st.sampled_from(["application/json", "text/html", ""]),
)
def test_any_reply_gives_a_model_or_a_vital_error(
    replier: tuple[ScriptedServer, VitalClient],
    call: str,
    status: int,
    body: bytes,
    retry_after: str | None,
    content_type: str,
) -> None:
    server, client = replier
    headers = {"content-type": content_type} if content_type else {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    server.reply = Reply(status, b"" if status == 204 else body, headers)
    run, expected = CALLS[call]
    try:
        result = run(client)
    except VitalError as err:
        assert isinstance(err.kind, ErrorKind)
        assert err.message.endswith(".") and err.endpoint
        assert KEY not in err.detail
        err.detail  # noqa: B018 - building the detail must not fail either
        return
    assert 200 <= status < 300
    assert isinstance(result, expected)
    if call in ITEM_TYPES:
        assert all(isinstance(item, ITEM_TYPES[call]) for item in result)
