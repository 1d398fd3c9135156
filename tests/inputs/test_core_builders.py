"""Hostile text in every core builder: refused with a field and a sentence, or a request
that validates against the contract, encodes as UTF-8 and carries no hidden character.

What is sent is also checked where it lands: the stand-in records each request and
``tests/contract.py`` validates it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from contract import validate_request
from core.helpers import assert_sent_by_contract, fast_settings
from hypothesis import given
from hypothesis import strategies as st

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import clean_key, custom_target, inspect_key
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.link_form import LinkForm, build_code_request, build_request
from vital_desktop.core.patient_lookup import create_patient, find_patients
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import LinkTokenRequest, validate_client_user_id
from vital_desktop.sandbox import SandboxServer

from .hostile import (
    FEW,
    HOSTILE,
    PASTES,
    SLUGS,
    encodable,
    hidden_characters,
    hostile_or_paste,
    hostile_text,
    refused_properly,
)

LINK_FIELDS = ("user_id", "provider", "filter_on_providers", "redirect_url")
CATALOGUE = bundled_catalogue()
slugs = st.one_of(st.sampled_from(SLUGS), st.sampled_from(sorted(CATALOGUE.slugs)), hostile_text)
maybe = st.one_of(st.none(), hostile_or_paste)


def _clean_body(body: dict[str, object]) -> None:
    """What may go out: the contract's shape, UTF-8 text, no control or invisible character."""
    validate_request("POST", "/v2/link/token", None, body)
    assert encodable(body)
    for value in body.values():
        for text in value if isinstance(value, list) else [value]:
            assert not hidden_characters(str(text)), body
    redirect = body.get("redirect_url")
    if isinstance(redirect, str):
        scheme = redirect.split(":", 1)[0].strip().lower()
        assert scheme not in ("javascript", "data", "file", "vbscript", "blob", "about")


def _picker_problem(typed: str) -> str:
    """The sentence the window's provider picker gives for text that names no provider."""
    text = typed.strip()[:40]
    return f"“{text}” is not in the provider list; pick one from the list or clear it."


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[SandboxServer, VitalClient, str]]:
    server = SandboxServer()
    server.start()
    user_id = str(server.state.create_user("inputs-patient")["user_id"])
    client = VitalClient(server.demo_key, custom_target(server.base_url), fast_settings())
    try:
        yield server, client, user_id
    finally:
        client.close()
        server.stop()


@HOSTILE
@given(hostile_or_paste, maybe, st.lists(slugs, max_size=4), maybe, st.booleans())
def test_link_token_request_build(
    user_id: str, provider: str | None, filter_on: list[str], redirect: str | None, close: bool
) -> None:
    try:
        request = LinkTokenRequest.build(
            user_id, provider, filter_on, redirect, on_close_redirect=close
        )
    except VitalError as error:
        refused_properly(error, LINK_FIELDS)
        return
    _clean_body(request.to_json())


@HOSTILE
@given(st.sampled_from([None, "https://clinic.example/done"]), hostile_or_paste)
def test_a_valid_form_with_one_hostile_redirect(base: str | None, redirect: str) -> None:
    """The redirect alone hostile, so the refusal (or the body) is about the redirect."""
    try:
        request = LinkTokenRequest.build("1b4e28ba-2fa1-41d2-883f-0016d3cca427", "oura", None,
                                         redirect if base is None else base + redirect)  # fmt: skip
    except VitalError as error:
        refused_properly(error, ("redirect_url",))
        return
    _clean_body(request.to_json())


@HOSTILE
@given(
    hostile_or_paste,
    st.one_of(st.none(), slugs),
    st.one_of(st.none(), hostile_text.map(_picker_problem)),
    st.lists(slugs, max_size=3),
    st.one_of(st.just(""), hostile_or_paste),
    st.one_of(st.floats(allow_nan=True), st.sampled_from([60.0, 3600.0, 86_400.0])),
)
def test_link_form_build_request_and_build_code_request(
    user_id: str,
    provider: str | None,
    provider_problem: str | None,
    filter_slugs: list[str],
    redirect: str,
    lifetime: float,
) -> None:
    form = LinkForm(user_id, provider, provider_problem, tuple(filter_slugs), redirect)
    try:
        request = build_request(form, CATALOGUE)
    except VitalError as error:
        refused_properly(error, LINK_FIELDS)
    else:
        _clean_body(request.to_json())
    try:
        code = build_code_request(form, CATALOGUE, lifetime)
    except VitalError as error:
        refused_properly(error, ("user_id", "provider", "code_lifetime"))
        return
    assert math.isfinite(code.lifetime) and 60 <= code.lifetime <= 86_400
    provider_info = CATALOGUE.get(code.provider)
    assert provider_info is not None and not provider_info.linkable
    validate_request("POST", "/v2/link/code/create", {"user_id": code.user_id}, None)


@HOSTILE
@given(st.booleans(), maybe, st.lists(slugs, max_size=3), maybe)
def test_link_requests_the_stand_in_receives_match_the_contract(
    stand_in: tuple[SandboxServer, VitalClient, str],
    known: bool,
    provider: str | None,
    filter_on: list[str],
    redirect: str | None,
) -> None:
    server, client, user_id = stand_in
    server.request_log.clear()
    try:
        request = LinkTokenRequest.build(
            user_id if known else "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b",
            provider,
            filter_on,
            redirect,
        )
    except VitalError:
        assert len(server.request_log) == 0
        return
    try:
        client.create_link_token(request)
    except VitalError as error:
        assert not known and error.kind is ErrorKind.NOT_FOUND, error
    assert assert_sent_by_contract(server.request_log) == 1


@HOSTILE
@given(hostile_or_paste)
def test_validate_client_user_id(text: str) -> None:
    try:
        clean = validate_client_user_id(text)
    except VitalError as error:
        refused_properly(error, ("client_user_id",))
        return
    assert clean and clean == clean.strip() and len(clean) <= 256
    assert not hidden_characters(clean) and encodable(clean)
    validate_request("POST", "/v2/user", None, {"client_user_id": clean})


@HOSTILE
@given(hostile_or_paste, st.booleans())
def test_patient_lookup_and_create_send_only_what_the_contract_allows(
    stand_in: tuple[SandboxServer, VitalClient, str], text: str, create: bool
) -> None:
    server, client, _ = stand_in
    server.request_log.clear()
    try:
        if create:
            user, _created = create_patient(client, text)
            assert user.user_id
        else:
            find_patients(client, text)
    except VitalError as error:
        assert error.message.rstrip()[-1] in ".?)", error.message
        if error.kind is ErrorKind.INVALID_INPUT:
            # Refused before anything went out, or after a lookup by UUID that was sent.
            assert error.field in ("client_user_id", "query", "user_id"), error.field
    assert_sent_by_contract(server.request_log)


@FEW
@given(st.sampled_from(PASTES[:-1]))  # the last one is a UUID padded with spaces
def test_pastes_are_refused_before_sending(
    stand_in: tuple[SandboxServer, VitalClient, str], paste: str
) -> None:
    """A 100 kB paste as a clinic id, a search or a redirect never reaches the network."""
    server, client, user_id = stand_in
    server.request_log.clear()
    for call in (
        lambda: client.create_user(paste),
        lambda: client.resolve_user(paste),
        lambda: client.search_users(paste),
        lambda: LinkTokenRequest.build(user_id, None, None, paste),
    ):
        with pytest.raises(VitalError) as caught:
            call()
        refused_properly(caught.value, ("client_user_id", "query", "redirect_url"))
    assert len(server.request_log) == 0


@HOSTILE
@given(st.one_of(hostile_or_paste, st.builds(lambda h: f"https://{h}/", hostile_text)))
def test_custom_target_refuses_or_gives_an_address_the_client_can_use(text: str) -> None:
    try:
        target = custom_target(text)
    except VitalError as error:
        refused_properly(error, ("base_url",))
        return
    url = target.base_url
    assert not hidden_characters(url) and not any(ch.isspace() for ch in url)
    assert url.startswith(("https://", "http://"))
    assert "@" not in url.split("/", 3)[2]  # no user name or password before the host
    # The client takes it: httpx neither refuses nor fails to encode the address.
    VitalClient("sk_us_0123456789abcdef", target, fast_settings()).close()


@HOSTILE
@given(st.one_of(hostile_or_paste, st.builds(lambda a, b: a + b, st.sampled_from(
    ["sk_us_", "sk_eu_", "pk_us_", "pk_eu_", "mg_", " sk_us_"]), hostile_text)))  # fmt: skip
def test_inspect_key_and_clean_key(key: str) -> None:
    cleaned = clean_key(key)
    assert cleaned == cleaned.strip()
    try:
        info = inspect_key(key)
    except VitalError as error:
        assert error.field == "api_key" and error.kind in (
            ErrorKind.KEY_MISSING,
            ErrorKind.KEY_REFUSED,
            ErrorKind.KEY_MALFORMED,
        )
        assert error.message.rstrip()[-1] in ".?)"
        secret = cleaned[6:]
        if len(secret) >= 4:
            assert secret not in error.message  # the key is never quoted back
        return
    assert info.environment and info.region
    assert all("!" <= ch <= "~" for ch in cleaned), ascii(cleaned)  # a header value
