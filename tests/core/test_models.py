"""Replies are parsed strictly: a missing or mistyped required field is BAD_RESPONSE."""

from __future__ import annotations

from typing import Any

import pytest

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.models import (
    ConnectedProvider,
    DemoConnection,
    LinkCode,
    LinkToken,
    ProviderInfo,
    User,
)
from vital_desktop.core.qr import MAX_QR_BYTES

EP = "GET /test"
UID = "1449752e-0d8a-40e0-9206-91ab099b2537"
TEAM = "2a2d4b0c-2f7e-4f54-8e5d-1f2bb0e9b6a1"


def _bad(call, value: Any) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(value, EP)
    err = info.value
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert err.endpoint == EP
    assert err.server_message
    assert "could not understand" in err.message
    return err


# ------------------------------------------------------------------ LinkToken

TOKEN = {"link_token": "tok.en", "link_web_url": "https://link.tryvital.io/?token=tok.en"}


def test_link_token() -> None:
    link = LinkToken.from_json(TOKEN, EP)
    assert (link.link_token, link.link_web_url) == (TOKEN["link_token"], TOKEN["link_web_url"])


def test_link_token_repr_hides_the_token() -> None:
    assert "tok.en" not in repr(LinkToken.from_json(TOKEN, EP))


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "tok",
        {"link_token": "t"},
        {"link_web_url": "https://x"},
        {"link_token": 1, "link_web_url": "https://x"},
        {"link_token": "", "link_web_url": "https://x"},
        {"link_token": "t", "link_web_url": ""},
        {"link_token": "t", "link_web_url": None},
    ],
)
def test_link_token_bad(value: Any) -> None:
    _bad(LinkToken.from_json, value)


@pytest.mark.parametrize(
    ("url", "allow_http", "reason"),
    [
        ("javascript:alert(1)", True, "not an https address (javascript)"),
        ("http://link.tryvital.io/?token=t", False, "not an https address (http)"),
        ("ftp://link.tryvital.io/?token=t", True, "not an https address (ftp)"),
        ("//link.tryvital.io/?token=t", False, "not an https address (no scheme)"),
        ("https:///?token=t", False, "names no host"),
        ("https://link.tryvital.io/?token=a b", False, "whitespace or control characters"),
        ("https://link.tryvital.io/?token=t\n", False, "whitespace or control characters"),
        ("https://link.tryvital.io/?token=t\u200b", False, "whitespace or control characters"),
        ("https://link.tryvital.io:99999/?token=t", False, "not a valid URL"),
        ("https://[::1/?token=t", False, "not a valid URL"),
        ("https://user:pw@link.tryvital.io/?token=t", False, "user name or password"),
        ("https://link.tryvital.io/?token=" + "t" * MAX_QR_BYTES, False, "longer than a QR"),
    ],
)
def test_link_web_url_that_cannot_be_handed_out_safely(
    url: str, allow_http: bool, reason: str
) -> None:
    with pytest.raises(VitalError) as info:
        LinkToken.from_json({"link_token": "t", "link_web_url": url}, EP, allow_http=allow_http)
    err = info.value
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert err.message.startswith("Vital sent a link the app cannot hand out safely")
    assert err.server_message and reason in err.server_message
    assert "token=" not in err.detail  # the reason never quotes the link


@pytest.mark.parametrize(
    ("url", "allow_http"),
    [
        ("https://link.tryvital.io/?token=t&env=sandbox&region=us", False),
        ("http://127.0.0.1:8765/link?token=t", True),
        ("https://link.tryvital.io/?token=" + "t" * (MAX_QR_BYTES - 40), False),
    ],
)
def test_link_web_url_that_is_fine(url: str, allow_http: bool) -> None:
    link = LinkToken.from_json({"link_token": "t", "link_web_url": url}, EP, allow_http=allow_http)
    assert link.link_web_url == url


# ------------------------------------------------------------------ User

SOURCE = {
    "provider": {"name": "Oura", "slug": "oura", "logo": "https://x"},
    "source": {"name": "Oura", "slug": "oura", "logo": "https://x"},
    "created_on": "2024-01-01T00:00:00+00:00",
}
USER = {
    "user_id": UID,
    "team_id": TEAM,
    "client_user_id": "patient-42",
    "created_on": "2024-01-01T00:00:00+00:00",
    "connected_sources": [SOURCE, {"source": {"slug": "fitbit"}, "created_on": "x"}],
}


def test_user() -> None:
    user = User.from_json(USER, EP)
    assert user == User(UID, "patient-42", TEAM, "2024-01-01T00:00:00+00:00", ("oura", "fitbit"))


def test_user_optional_fields() -> None:
    user = User.from_json({"user_id": UID, "client_user_id": "p"}, EP)
    assert (user.team_id, user.created_on, user.connected_slugs) == ("", "", ())


def test_user_skips_sources_without_slug() -> None:
    user = User.from_json({**USER, "connected_sources": [{"provider": {"name": "x"}}]}, EP)
    assert user.connected_slugs == ()


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"client_user_id": "p"},
        {"user_id": UID},
        {"user_id": 5, "client_user_id": "p"},
        {**USER, "connected_sources": None},
        {**USER, "connected_sources": {"oura": 1}},
        {**USER, "connected_sources": ["oura"]},
        {**USER, "team_id": 7},
    ],
)
def test_user_bad(value: Any) -> None:
    _bad(User.from_json, value)


# ------------------------------------------------------------------ ConnectedProvider


def test_connected_providers() -> None:
    value = {
        "providers": [
            {"name": "Oura", "slug": "oura", "status": "connected", "created_on": "c"},
            {
                "name": "Fitbit",
                "slug": "fitbit",
                "status": "error",
                "error_details": {"error_type": "token_refresh_failed", "error_message": "Re-link"},
            },
        ]
    }
    oura, fitbit = ConnectedProvider.list_from_json(value, EP)
    assert (oura.slug, oura.status, oura.error_type, oura.created_on) == (
        "oura",
        "connected",
        None,
        "c",
    )
    assert (fitbit.status, fitbit.error_type, fitbit.error_message) == (
        "error",
        "token_refresh_failed",
        "Re-link",
    )
    assert fitbit.created_on == ""


def test_connected_providers_empty() -> None:
    assert ConnectedProvider.list_from_json({"providers": []}, EP) == []


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        {"providers": None},
        {"providers": [1]},
        {"providers": [{"name": "Oura", "status": "connected"}]},
        {"providers": [{"slug": "oura", "name": "Oura"}]},
    ],
)
def test_connected_providers_bad(value: Any) -> None:
    _bad(ConnectedProvider.list_from_json, value)


def test_connected_provider_error_details_of_wrong_type_are_ignored() -> None:
    value = {
        "providers": [
            {
                "name": "Oura",
                "slug": "oura",
                "status": "error",
                "error_details": {"error_type": 5, "error_message": ["x"]},
            },
            {"name": "Oura", "slug": "oura", "status": "error", "error_details": "boom"},
        ]
    }
    first, second = ConnectedProvider.list_from_json(value, EP)
    assert first.error_type is None and first.error_message is None
    assert second.error_type is None


# ------------------------------------------------------------------ ProviderInfo


def test_provider_catalogue_reply() -> None:
    value = [
        {
            "name": "Oura",
            "slug": "oura",
            "description": "Ring",
            "logo": "https://logo",
            "auth_type": "oauth",
            "supported_resources": ["sleep", 3, "workouts"],
        },
        {"name": "X", "slug": "x_y", "logo": None, "auth_type": None, "supported_resources": {}},
    ]
    oura, other = ProviderInfo.list_from_json(value, EP)
    assert oura == ProviderInfo(
        "oura", "Oura", "Ring", "https://logo", "oauth", ("sleep", "workouts")
    )
    assert other == ProviderInfo("x_y", "X")


@pytest.mark.parametrize("value", [{}, None, [None], [{"name": "Oura"}], [{"slug": "oura"}]])
def test_provider_catalogue_bad(value: Any) -> None:
    _bad(ProviderInfo.list_from_json, value)


# ------------------------------------------------------------------ LinkCode, DemoConnection


def test_link_code() -> None:
    value = {
        "code": "skus1234abcd",
        "exchange_url": "tryvital://tryvital?code=skus1234abcd",
        "expires_at": "2025-01-01T00:00:00+00:00",
    }
    assert LinkCode.from_json(value, EP) == LinkCode(
        "skus1234abcd", "tryvital://tryvital?code=skus1234abcd", "2025-01-01T00:00:00+00:00"
    )


@pytest.mark.parametrize(
    "value",
    [[], {"code": "c", "exchange_url": "u"}, {"code": "c", "expires_at": "e"}, {"code": 1}],
)
def test_link_code_bad(value: Any) -> None:
    _bad(LinkCode.from_json, value)


def test_demo_connection() -> None:
    assert DemoConnection.from_json({"success": True, "detail": "ok"}, EP) == DemoConnection(
        True, "ok"
    )
    assert DemoConnection.from_json({"success": False}, EP) == DemoConnection(False, "")


@pytest.mark.parametrize("value", [[], {}, {"success": "true"}, {"success": 1}])
def test_demo_connection_bad(value: Any) -> None:
    _bad(DemoConnection.from_json, value)
