"""The hosted widget page driven with plain HTTP (form posts), no browser."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vital_desktop.sandbox import SandboxServer
from vital_desktop.sandbox.widget import with_query


def _page(url: str) -> httpx.Response:
    return httpx.get(url, follow_redirects=False)


def _post(server: SandboxServer, action: str, **form: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/link/{action}", data=form, follow_redirects=False)


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def test_page_lists_linkable_providers_with_stable_ids(api: Any) -> None:
    reply = api.link(api.new_user())
    page = _page(reply.body["link_web_url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for marker in (
        'id="connect-oura"',
        'id="connect-garmin"',
        'id="cancel"',
        'id="error-type"',
        'id="simulate-error"',
    ):
        assert marker in page.text
    assert 'id="connect-apple_health_kit"' not in page.text
    assert "<script" not in page.text and "http://" not in page.text.split("<body>")[1]


def test_page_honours_provider_and_filter(api: Any) -> None:
    user_id = api.new_user()
    one = _page(api.link(user_id, provider="fitbit").body["link_web_url"]).text
    assert 'id="connect-fitbit"' in one and 'id="connect-oura"' not in one
    some = _page(
        api.link(user_id, filter_on_providers=["oura", "apple_health_kit"]).body["link_web_url"]
    ).text
    assert 'id="connect-oura"' in some and 'id="connect-garmin"' not in some
    # A phone-only provider is shown but cannot be connected through the web.
    assert 'id="connect-apple_health_kit" disabled' in some


def test_connect_records_connection_and_redirects(api: Any) -> None:
    user_id = api.new_user()
    token = api.link(user_id, redirect_url="myapp://done?visit=7#top").body["link_token"]
    response = _post(api.server, "connect", token=token, provider="oura")
    assert response.status_code == 303
    assert response.headers["location"] == "myapp://done?visit=7&state=success#top"
    providers = api.call("GET", f"/v2/user/providers/{user_id}").body["providers"]
    assert [p["slug"] for p in providers] == ["oura"]
    again = _post(api.server, "connect", token=token, provider="oura")
    assert again.status_code == 400 and "token_consumed" in again.text


def test_connect_without_redirect_shows_result_page(api: Any) -> None:
    token = api.link(api.new_user()).body["link_token"]
    response = _post(api.server, "connect", token=token, provider="garmin")
    assert response.status_code == 200 and "Connected Garmin" in response.text


def test_connect_refuses_a_provider_the_link_does_not_offer(api: Any) -> None:
    user_id = api.new_user()
    token = api.link(user_id, provider="oura").body["link_token"]
    assert _post(api.server, "connect", token=token, provider="garmin").status_code == 400
    assert _post(api.server, "connect", token=token, provider="apple_health_kit").status_code == 400
    assert api.call("GET", f"/v2/user/providers/{user_id}").body == {"providers": []}


def test_cancel_and_errors_redirect_when_asked(api: Any) -> None:
    user_id = api.new_user()
    token = api.link(
        user_id,
        redirect_url="https://clinic.example/done",
        on_error="redirect",
        on_close="redirect",
    ).body["link_token"]
    cancel = _post(api.server, "cancel", token=token)
    assert cancel.status_code == 303
    query = _query(cancel.headers["location"])
    assert query["state"] == ["error"] and query["error_type"] == ["user_cancelled"]
    assert query["error"][0]
    error = _post(api.server, "error", token=token, error_type="provider_credential_error")
    assert _query(error.headers["location"])["error_type"] == ["provider_credential_error"]


def test_cancel_without_on_close_shows_a_page(api: Any) -> None:
    token = api.link(api.new_user(), redirect_url="https://clinic.example/done").body["link_token"]
    cancel = _post(api.server, "cancel", token=token)
    assert cancel.status_code == 200 and "user_cancelled" in cancel.text


def test_expired_token() -> None:
    with SandboxServer(link_ttl=0.2) as server:
        user_id = server.state.create_user("p")["user_id"]
        reply = httpx.post(
            f"{server.base_url}/v2/link/token",
            json={"user_id": user_id, "redirect_url": "https://x.example/", "on_error": "redirect"},
            headers={"x-vital-api-key": server.demo_key},
        ).json()
        time.sleep(0.3)
        page = _page(reply["link_web_url"])
        assert page.status_code == 303
        assert _query(page.headers["location"])["error_type"] == ["token_expired"]


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "é.é.é"])
def test_invalid_token_page(sandbox: SandboxServer, token: str) -> None:
    page = httpx.get(f"{sandbox.base_url}/link/", params={"token": token})
    assert page.status_code == 400 and "invalid_token" in page.text
    assert _post(sandbox, "connect", token=token, provider="oura").status_code == 400


def test_tampered_token_is_invalid_and_redirects_when_known(api: Any) -> None:
    token = api.link(api.new_user(), redirect_url="https://x.example/", on_error="redirect").body[
        "link_token"
    ]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    page = httpx.get(f"{api.server.base_url}/link/", params={"token": tampered})
    assert page.status_code == 303
    assert _query(page.headers["location"])["error_type"] == ["invalid_token"]


def test_everything_rendered_is_escaped(api: Any) -> None:
    page = httpx.get(f"{api.server.base_url}/_sandbox/landing", params={"<b>x": "<script>1"})
    assert "<script>1" not in page.text and "&lt;script&gt;1" in page.text
    token = '"><script>alert(1)</script>'
    bad = httpx.get(f"{api.server.base_url}/link/", params={"token": token})
    assert "<script>" not in bad.text


def test_with_query_keeps_redirects_header_safe() -> None:
    assert with_query("myapp://done", {"state": "success"}) == "myapp://done?state=success"
    assert "\r" not in with_query("https://x.example/a\r\nSet-Cookie: a=b", {"state": "success"})
    assert (
        with_query("https://x.example/?a=1", {"error": "a b"})
        == "https://x.example/?a=1&error=a%20b"
    )
