"""Link endpoints, the provider catalogue, auth and routing errors of the stand-in."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from contract import validate_response

from vital_desktop.core.environments import Environment, Region
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.sandbox import SandboxServer

UNKNOWN = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


def _claims(token: str) -> dict[str, Any]:
    header, payload, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert signature
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_link_token_is_a_jwt_with_documented_claims(api: Any) -> None:
    user_id = api.new_user()
    before = time.time()
    reply = api.link(user_id, provider="oura", redirect_url="myapp://done")
    token, url = reply.body["link_token"], reply.body["link_web_url"]
    claims = _claims(token)
    assert claims["user_id"] == user_id and claims["sub"] == user_id
    assert claims["team_id"] == api.server.state.team_id
    assert claims["aud"] == f"{api.server.base_url}/link/"
    assert before - 1 <= claims["iat"] <= time.time()
    assert claims["exp"] - claims["iat"] == 600
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{api.server.base_url}/link/"
    assert parse_qs(parts.query) == {"token": [token], "env": ["sandbox"], "region": ["us"]}
    # Each call mints a fresh token.
    assert api.link(user_id).body["link_token"] != token


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"user_id": "nope"}, ["body", "user_id"]),
        ({}, ["body", "user_id"]),
        ({"user_id": UNKNOWN, "filter_on_providers": []}, ["body", "filter_on_providers"]),
        (
            {"user_id": UNKNOWN, "filter_on_providers": ["oura", "x"]},
            ["body", "filter_on_providers", 1],
        ),
        ({"user_id": UNKNOWN, "provider": "myspace"}, ["body", "provider"]),
        ({"user_id": UNKNOWN, "on_error": "close"}, ["body", "on_error"]),
        ({"user_id": UNKNOWN, "on_close": True}, ["body", "on_close"]),
        ({"user_id": UNKNOWN, "redirect_url": 3}, ["body", "redirect_url"]),
    ],
)
def test_link_token_422(api: Any, fields: dict[str, Any], loc: list[Any]) -> None:
    reply = api.call("POST", "/v2/link/token", json=fields, valid_request=False)
    assert reply.status == 422
    assert loc in [item["loc"] for item in reply.body["detail"]]


def test_link_token_body_must_be_an_object(api: Any) -> None:
    for raw in (b"[]", b"not json", b""):
        reply = api.call(
            "POST",
            "/v2/link/token",
            content=raw,
            valid_request=False,
            headers={"content-type": "application/json"},
        )
        assert reply.status == 422, raw


def test_link_token_unknown_user_is_404(api: Any) -> None:
    reply = api.call("POST", "/v2/link/token", json={"user_id": UNKNOWN})
    assert reply.status == 404
    assert reply.body["detail"]["error_type"] == "USER_NOT_FOUND"


def test_link_code(api: Any) -> None:
    user_id = api.new_user()
    reply = api.call("POST", "/v2/link/code/create", params={"user_id": user_id})
    code = reply.body["code"]
    assert re.fullmatch(r"skus[0-9a-f]{8}", code)
    assert reply.body["exchange_url"] == f"tryvital://tryvital?code={code}"
    expires = datetime.fromisoformat(reply.body["expires_at"]).timestamp()
    assert abs(expires - (time.time() + 3600)) < 5
    chosen = api.call(
        "POST",
        "/v2/link/code/create",
        params={"user_id": user_id, "expires_at": "2030-01-01T00:00:00+00:00"},
    )
    assert chosen.body["expires_at"] == "2030-01-01T00:00:00+00:00"
    assert api.call("POST", "/v2/link/code/create", params={"user_id": UNKNOWN}).status == 404
    missing = api.call("POST", "/v2/link/code/create", valid_request=False)
    assert missing.status == 422 and missing.body["detail"][0]["loc"] == ["query", "user_id"]
    bad = api.call("POST", "/v2/link/code/create", params={"user_id": "x"}, valid_request=False)
    assert bad.status == 422


def test_demo_connection(api: Any) -> None:
    user_id = api.new_user()
    reply = api.call(
        "POST", "/v2/link/connect/demo", json={"user_id": user_id, "provider": "fitbit"}
    )
    assert reply.body == {"success": True, "detail": f"Connected user {user_id} to provider fitbit"}
    not_demo = api.call(
        "POST",
        "/v2/link/connect/demo",
        json={"user_id": user_id, "provider": "garmin"},
        valid_request=False,
    )
    assert not_demo.status == 422
    assert (
        api.call(
            "POST", "/v2/link/connect/demo", json={"user_id": UNKNOWN, "provider": "oura"}
        ).status
        == 404
    )
    not_v4 = api.call(
        "POST",
        "/v2/link/connect/demo",
        json={"user_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "provider": "oura"},
        valid_request=False,
    )
    assert not_v4.status == 422 and not_v4.body["detail"][0]["type"] == "uuid_version"


def test_demo_connection_is_sandbox_only() -> None:
    with SandboxServer(environment=Environment.PRODUCTION, region=Region.EU) as server:
        assert server.demo_key.startswith("pk_eu_")
        user_id = server.state.create_user("p")["user_id"]
        response = httpx.post(
            f"{server.base_url}/v2/link/connect/demo",
            json={"user_id": user_id, "provider": "oura"},
            headers={"x-vital-api-key": server.demo_key},
        )
        assert response.status_code == 400
        token = httpx.post(
            f"{server.base_url}/v2/link/token",
            json={"user_id": user_id},
            headers={"x-vital-api-key": server.demo_key},
        ).json()
        assert token["link_web_url"].endswith("&env=production&region=eu")
        code = httpx.post(
            f"{server.base_url}/v2/link/code/create",
            params={"user_id": user_id},
            headers={"x-vital-api-key": server.demo_key},
        ).json()
        assert code["code"].startswith("pkeu")


def test_provider_catalogue(api: Any) -> None:
    providers = api.call("GET", "/v2/providers").body
    assert len(providers) == 41
    assert [p["slug"] for p in providers] == [p.slug for p in bundled_catalogue()]
    by_slug = {p["slug"]: p for p in providers}
    assert by_slug["oura"]["auth_type"] == "oauth"
    assert by_slug["apple_health_kit"]["auth_type"] == "sdk"
    assert by_slug["omron_ble"]["auth_type"] == "sdk"
    assert by_slug["manual"]["auth_type"] == "app"
    assert by_slug["freestyle_libre"]["auth_type"] == "email"
    assert all(p["description"] and p["logo"] for p in providers)


@pytest.mark.parametrize("key", [None, "", "sk_eu_abc", "pk_us_abc", "mg_us_abc", "sk_us_"])
def test_bad_key_is_401_and_never_echoed(sandbox: SandboxServer, key: str | None) -> None:
    headers = {} if key is None else {"x-vital-api-key": key}
    response = httpx.get(f"{sandbox.base_url}/v2/providers", headers=headers)
    assert response.status_code == 401
    body = response.json()
    validate_response("GET", "/v2/providers", 401, body)
    assert body["detail"]["error_type"] == "INVALID_API_KEY"
    if key and len(key) > len("sk_us_"):  # a bare prefix is named in the hint itself
        assert key not in response.text


def test_unknown_route_404_and_wrong_method_405(api: Any) -> None:
    missing = api.http.get("/v2/nothing/here")
    assert missing.status_code == 404 and "detail" in missing.json()
    wrong = api.http.put("/v2/user")
    assert wrong.status_code == 405 and "detail" in wrong.json()
    wrong = api.http.post("/v2/providers")
    assert wrong.status_code == 405


def test_request_log_never_holds_the_key(api: Any) -> None:
    user_id = api.new_user()
    api.link(user_id, provider="oura")
    log = api.server.request_log.snapshot()
    assert [(r.method, r.path) for r in log] == [("POST", "/v2/user"), ("POST", "/v2/link/token")]
    assert log[1].body == {"user_id": user_id, "provider": "oura"}
    assert "x-vital-api-key" in log[1].header_names
    assert api.server.demo_key not in repr(log)
    api.http.post("/v2/user", content=f'{{"client_user_id": "{api.server.demo_key}"}}')
    assert api.server.demo_key not in repr(api.server.request_log.snapshot())
    api.server.request_log.clear()
    assert len(api.server.request_log) == 0
