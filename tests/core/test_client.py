"""The client against the stand-in over real HTTP: every call, every request by contract.

Each test ends by validating everything the client sent (``sandbox.request_log``) against
tests/openapi-subset.json. Local validation failures must send nothing at all.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from contract import validate_response

from vital_desktop.core.client import DEMO_PROVIDERS, VitalClient
from vital_desktop.core.environments import (
    Environment,
    Region,
    custom_target,
    standard_target,
)
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.models import LinkCode, LinkToken, User
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer

from .helpers import UID, assert_sent_by_contract, fast_settings


@pytest.fixture
def user(sandbox: SandboxServer) -> dict[str, Any]:
    return sandbox.state.create_user("patient-42")


def _sent(sandbox: SandboxServer) -> list[Any]:
    entries = sandbox.request_log.snapshot()
    assert_sent_by_contract(entries)
    return entries


# ------------------------------------------------------------------ happy paths


def test_create_link_token(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    request = LinkTokenRequest.build(
        user["user_id"].upper(),
        provider="oura",
        filter_on_providers=["oura", "fitbit"],
        redirect_url="myclinic://done",
        on_error_redirect=True,
        on_close_redirect=True,
    )
    link = api.create_link_token(request)
    assert isinstance(link, LinkToken)
    assert link.link_token
    query = parse_qs(urlsplit(link.link_web_url).query)
    assert query["token"] == [link.link_token]
    assert query["env"] == ["sandbox"] and query["region"] == ["us"]
    (entry,) = _sent(sandbox)
    assert (entry.method, entry.path) == ("POST", "/v2/link/token")
    assert entry.body == {
        "user_id": user["user_id"],
        "provider": "oura",
        "filter_on_providers": ["oura", "fitbit"],
        "redirect_url": "myclinic://done",
        "on_error": "redirect",
        "on_close": "redirect",
    }
    assert "x-vital-api-key" in entry.header_names


def test_minimal_link_token_request_sends_only_user_id(
    sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]
) -> None:
    api.create_link_token(LinkTokenRequest.build(user["user_id"], filter_on_providers=[]))
    (entry,) = _sent(sandbox)
    assert entry.body == {"user_id": user["user_id"]}


def test_create_user(sandbox: SandboxServer, api: VitalClient) -> None:
    created = api.create_user("  patient-7  ")
    assert isinstance(created, User)
    assert created.client_user_id == "patient-7"
    assert uuid.UUID(created.user_id)
    (entry,) = _sent(sandbox)
    assert entry.body == {"client_user_id": "patient-7"}
    assert sandbox.state.resolve("patient-7")["user_id"] == created.user_id


def test_create_user_twice_gives_the_existing_user(
    sandbox: SandboxServer, api: VitalClient
) -> None:
    first = api.create_user("patient-9")
    with pytest.raises(VitalError) as info:
        api.create_user("patient-9")
    err = info.value
    assert err.kind is ErrorKind.DUPLICATE_USER
    assert err.existing_user_id == first.user_id
    assert err.status == 400 and err.endpoint == "POST /v2/user"
    # The caller can carry on with that user.
    assert api.get_user(err.existing_user_id).client_user_id == "patient-9"
    assert len(_sent(sandbox)) == 3


def test_resolve_user(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    found = api.resolve_user("patient-42")
    assert found.user_id == user["user_id"]
    (entry,) = _sent(sandbox)
    assert entry.method == "GET" and entry.path.startswith("/v2/user/resolve/")


@pytest.mark.parametrize("client_id", ["a/b", "MRN 0042", "é☃?#&", "%2F", "x.y"])
def test_resolve_user_with_awkward_ids(
    sandbox: SandboxServer, api: VitalClient, client_id: str
) -> None:
    created = sandbox.state.create_user(client_id)
    assert api.resolve_user(client_id).user_id == created["user_id"]
    _sent(sandbox)


@pytest.mark.parametrize("client_id", [".", ".."])
def test_resolve_user_dot_segments_stay_in_the_path(
    sandbox: SandboxServer, api: VitalClient, client_id: str
) -> None:
    # "." and ".." must not be resolved away by URL normalization (".." would otherwise
    # turn GET /v2/user/resolve/.. into GET /v2/user, a different endpoint).
    created = sandbox.state.create_user(client_id)
    assert api.resolve_user(client_id).user_id == created["user_id"]
    (entry,) = _sent(sandbox)
    assert entry.path.startswith("/v2/user/resolve/")


def test_resolve_unknown_user(sandbox: SandboxServer, api: VitalClient) -> None:
    with pytest.raises(VitalError) as info:
        api.resolve_user("nobody")
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert info.value.status == 404
    assert info.value.endpoint == "GET /v2/user/resolve/{client_user_id}"
    _sent(sandbox)


def test_get_user(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    sandbox.state.connect(user["user_id"], "oura")
    got = api.get_user(f" {user['user_id'].upper()} ")
    assert got.user_id == user["user_id"]
    assert got.client_user_id == "patient-42"
    assert got.connected_slugs == ("oura",)
    (entry,) = _sent(sandbox)
    assert entry.path == f"/v2/user/{user['user_id']}"


def test_get_unknown_user(sandbox: SandboxServer, api: VitalClient) -> None:
    with pytest.raises(VitalError) as info:
        api.get_user(str(uuid.uuid4()))
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert "no such user" in info.value.message
    _sent(sandbox)


def test_search_users(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    sandbox.state.create_user("other")
    found = api.search_users(" patient-42 ")
    assert [u.user_id for u in found] == [user["user_id"]]
    assert [u.user_id for u in api.search_users(user["user_id"])] == [user["user_id"]]
    assert api.search_users("no-such-patient") == []
    entries = _sent(sandbox)
    assert entries[0].query == {"query_id": "patient-42"}


def test_connected_providers(
    sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]
) -> None:
    assert api.connected_providers(user["user_id"]) == []
    sandbox.state.connect(user["user_id"], "fitbit")
    (fitbit,) = api.connected_providers(user["user_id"])
    assert fitbit.slug == "fitbit" and fitbit.status == "connected"
    assert len(_sent(sandbox)) == 2


def test_provider_catalogue(sandbox: SandboxServer, api: VitalClient) -> None:
    providers = api.providers()
    slugs = {p.slug for p in providers}
    assert {"oura", "fitbit", "apple_health_kit"} <= slugs
    assert all(p.name for p in providers)
    merged = bundled_catalogue().merged_with_server(providers)
    assert merged.get("apple_health_kit") is not None
    assert not merged.get("apple_health_kit").linkable  # type: ignore[union-attr]
    (entry,) = _sent(sandbox)
    assert (entry.method, entry.path) == ("GET", "/v2/providers")


def test_disconnect(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    sandbox.state.connect(user["user_id"], "oura")
    assert api.disconnect(user["user_id"], " oura ") is True
    assert api.connected_providers(user["user_id"]) == []
    entries = _sent(sandbox)
    assert (entries[0].method, entries[0].path) == ("DELETE", f"/v2/user/{user['user_id']}/oura")


@pytest.mark.parametrize("provider", DEMO_PROVIDERS)
def test_demo_connect(
    sandbox: SandboxServer, api: VitalClient, user: dict[str, Any], provider: str
) -> None:
    result = api.demo_connect(user["user_id"], provider)
    assert result.success is True
    assert [p.slug for p in api.connected_providers(user["user_id"])] == [provider]
    entries = _sent(sandbox)
    assert entries[0].body == {"user_id": user["user_id"], "provider": provider}


def test_create_link_code(sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]) -> None:
    code = api.create_link_code(user["user_id"])
    assert isinstance(code, LinkCode)
    validate_response(
        "POST",
        "/v2/link/code/create",
        200,
        {"code": code.code, "exchange_url": code.exchange_url, "expires_at": code.expires_at},
    )
    (entry,) = _sent(sandbox)
    assert entry.query == {"user_id": user["user_id"]}
    assert entry.body is None


def test_headers(sandbox: SandboxServer, api: VitalClient) -> None:
    api.providers()
    (entry,) = _sent(sandbox)
    names = {n.lower() for n in entry.header_names}
    assert {"x-vital-api-key", "accept", "user-agent"} <= names


# ------------------------------------------------------------------ keys and targets


def test_wrong_key_is_unauthorized(sandbox: SandboxServer) -> None:
    # The stand-in is sandbox US: an EU key (allowed locally for a custom URL) is refused.
    wrong = "sk_eu_" + "0" * 32
    with VitalClient(wrong, custom_target(sandbox.base_url), fast_settings()) as client:
        with pytest.raises(VitalError) as info:
            client.providers()
    err = info.value
    assert err.kind is ErrorKind.UNAUTHORIZED
    assert err.status in (401, 403)
    assert wrong not in str(err) and wrong not in err.detail


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("", ErrorKind.KEY_MISSING),
        ("mg_" + "a" * 32, ErrorKind.KEY_REFUSED),
        ("nonsense", ErrorKind.KEY_MALFORMED),
        ("pk_eu_" + "a" * 32, ErrorKind.KEY_MISMATCH),
    ],
)
def test_bad_key_is_refused_before_any_request(
    sandbox: SandboxServer, key: str, kind: ErrorKind
) -> None:
    target = standard_target(Environment.SANDBOX, Region.US)
    with pytest.raises(VitalError) as info:
        VitalClient(key, target, fast_settings())
    assert info.value.kind is kind
    assert len(sandbox.request_log) == 0


def test_custom_target_accepts_any_environment_key(sandbox: SandboxServer) -> None:
    # With a custom base URL the key alone describes the environment: no mismatch.
    with VitalClient("pk_eu_" + "a" * 32, custom_target(sandbox.base_url)) as client:
        assert client.key_info.environment is Environment.PRODUCTION
        assert client.key_info.region is Region.EU
        assert client.target.custom


def test_repr_names_target_and_key_kind_only(api: VitalClient, sandbox: SandboxServer) -> None:
    text = repr(api)
    assert sandbox.demo_key not in text
    assert re.fullmatch(
        r"VitalClient\(target='Custom \(http://127\.0\.0\.1:\d+\)', key=sandbox US key\)", text
    )


# ------------------------------------------------------------------ invalid input sends nothing


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.get_user("not-a-uuid"), "user_id"),
        (lambda c: c.get_user(""), "user_id"),
        (lambda c: c.connected_providers("123"), "user_id"),
        (lambda c: c.create_link_code("../x"), "user_id"),
        (lambda c: c.disconnect("nope", "oura"), "user_id"),
        (lambda c: c.disconnect(UID, "Oura Ring"), "provider"),
        (lambda c: c.disconnect(UID, "../../v2/user"), "provider"),
        (lambda c: c.disconnect(UID, ""), "provider"),
        (lambda c: c.demo_connect(UID, "garmin"), "provider"),
        (lambda c: c.demo_connect("x", "oura"), "user_id"),
        (lambda c: c.create_user(""), "client_user_id"),
        (lambda c: c.create_user("a\nb"), "client_user_id"),
        (lambda c: c.create_user("x" * 300), "client_user_id"),
        (lambda c: c.resolve_user("   "), "client_user_id"),
        (lambda c: c.search_users("  "), "query"),
        (lambda c: c.search_users(" 7 "), "query"),  # query_id has minLength 2
    ],
)
def test_invalid_input_sends_nothing(
    sandbox: SandboxServer, api: VitalClient, call: Any, field: str
) -> None:
    with pytest.raises(VitalError) as info:
        call(api)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert info.value.field == field
    assert info.value.message.endswith(".")
    assert len(sandbox.request_log) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user_id": "nope"},
        {"user_id": UID, "provider": "acme_ring"},
        {"user_id": UID, "filter_on_providers": ["oura", "x y"]},
        {"user_id": UID, "redirect_url": "javascript:alert(1)"},
        {"user_id": UID, "redirect_url": "data:text/html,hi"},
        {"user_id": UID, "redirect_url": "file:///etc/passwd"},
        {"user_id": UID, "on_close_redirect": True},
    ],
)
def test_invalid_link_request_never_leaves_the_machine(
    sandbox: SandboxServer, api: VitalClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(VitalError) as info:
        api.create_link_token(LinkTokenRequest.build(**kwargs))
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert len(sandbox.request_log) == 0


def test_disconnect_accepts_a_well_formed_unknown_slug(
    sandbox: SandboxServer, api: VitalClient, user: dict[str, Any]
) -> None:
    # The provider enum is open: a slug the bundled table lacks may still be disconnected.
    with pytest.raises(VitalError) as info:
        api.disconnect(user["user_id"], "acme_ring")
    assert info.value.kind is not ErrorKind.INVALID_INPUT
    assert len(sandbox.request_log) == 1
