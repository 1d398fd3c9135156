"""Connections and link codes in the stand-in: created_on, status, error_details, single use.

Every reply is checked against the API description by the ``api`` contract client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from vital_desktop.sandbox import SandboxServer
from vital_desktop.sandbox.state import CONNECTION_ERROR_TYPES, CodeRefused, SandboxState


def _providers(api: Any, user_id: str) -> dict[str, dict[str, Any]]:
    reply = api.call("GET", f"/v2/user/providers/{user_id}")
    assert reply.status == 200
    return {p["slug"]: p for p in reply.body["providers"]}


def test_demo_and_widget_connections_carry_created_on_and_status(api: Any) -> None:
    user_id = api.new_user()
    assert api.call("POST", "/v2/link/connect/demo",
                    json={"user_id": user_id, "provider": "oura"}).status == 200  # fmt: skip
    token = api.link(user_id, provider="garmin").body["link_token"]
    done = httpx.post(f"{api.server.base_url}/link/connect",
                      data={"token": token, "provider": "garmin"})  # fmt: skip
    assert done.status_code == 200
    found = _providers(api, user_id)
    assert set(found) == {"oura", "garmin"}
    date = datetime.fromtimestamp(api.server.state.now(), UTC)
    for entry in found.values():
        assert entry["status"] == "connected" and entry["error_details"] is None
        assert abs(datetime.fromisoformat(entry["created_on"]) - date) < timedelta(seconds=5)


def test_a_link_token_connects_once(api: Any) -> None:
    user_id = api.new_user()
    token = api.link(user_id).body["link_token"]
    form = {"token": token, "provider": "oura"}
    assert httpx.post(f"{api.server.base_url}/link/connect", data=form).status_code == 200
    second = httpx.post(f"{api.server.base_url}/link/connect", data={**form, "provider": "fitbit"})
    assert second.status_code == 400 and 'id="error-code">token_consumed<' in second.text
    assert set(_providers(api, user_id)) == {"oura"}


def test_connection_error_and_reconnect_hooks(api: Any) -> None:
    state: SandboxState = api.server.state
    user_id = api.new_user()
    state.connect(user_id, "garmin")
    first = _providers(api, user_id)["garmin"]
    state.set_connection_error(user_id, "garmin", "deregistered_per_provider", "Deregistered.")
    broken = _providers(api, user_id)["garmin"]
    assert broken["status"] == "error" and broken["created_on"] == first["created_on"]
    details = broken["error_details"]
    assert details["error_type"] == "deregistered_per_provider"
    assert details["error_message"] == "Deregistered."
    datetime.fromisoformat(details["errored_at"])
    # connected_sources of the user lists only working connections
    assert api.call("GET", f"/v2/user/{user_id}").body["connected_sources"] == []
    state.reconnect(user_id, "garmin")
    fixed = _providers(api, user_id)["garmin"]
    assert fixed["status"] == "connected" and fixed["error_details"] is None
    assert datetime.fromisoformat(fixed["created_on"]) > datetime.fromisoformat(first["created_on"])


def test_hooks_refuse_what_the_api_could_not_say(sandbox: SandboxServer) -> None:
    state = sandbox.state
    user_id = state.create_user("p")["user_id"]
    assert "unknown" in CONNECTION_ERROR_TYPES
    state.connect(user_id, "oura")
    with pytest.raises(ValueError):
        state.set_connection_error(user_id, "oura", "made_up", "x")
    with pytest.raises(KeyError):
        state.set_connection_error(user_id, "fitbit", "unknown", "not connected")


def test_link_code_expires_at_in_the_past_is_422(api: Any) -> None:
    user_id = api.new_user()
    past = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    reply = api.call(
        "POST", "/v2/link/code/create", params={"user_id": user_id, "expires_at": past}
    )
    assert reply.status == 422
    assert reply.body["detail"][0]["loc"] == ["query", "expires_at"]
    soon = (datetime.now(UTC) + timedelta(minutes=2)).replace(microsecond=0)
    ok = api.call(
        "POST",
        "/v2/link/code/create",
        params={"user_id": user_id, "expires_at": soon.isoformat().replace("+00:00", "Z")},
    )
    assert ok.status == 200 and datetime.fromisoformat(ok.body["expires_at"]) == soon


def test_codes_are_single_use_and_expire(api: Any) -> None:
    state: SandboxState = api.server.state
    user_id = api.new_user()
    code = api.call("POST", "/v2/link/code/create", params={"user_id": user_id}).body["code"]
    connection = state.redeem_code(code, "apple_health_kit")
    assert connection["slug"] == "apple_health_kit" and connection["status"] == "connected"
    assert "apple_health_kit" in _providers(api, user_id)
    with pytest.raises(CodeRefused) as spent:
        state.redeem_code(code, "apple_health_kit")
    assert spent.value.error_type == "token_consumed"
    with pytest.raises(CodeRefused) as unknown:
        state.redeem_code("skus00000000", "oura")
    assert unknown.value.error_type == "invalid_token"
    with pytest.raises(ValueError):
        state.redeem_code(code, "not_a_provider")
    soon = datetime.now(UTC) + timedelta(seconds=30)
    short = api.call(
        "POST", "/v2/link/code/create", params={"user_id": user_id, "expires_at": soon.isoformat()}
    ).body["code"]
    state.clock_offset += 60  # the server's clock moves past the code's expiry
    with pytest.raises(CodeRefused) as late:
        state.redeem_code(short, "apple_health_kit")
    assert late.value.error_type == "token_expired"


def test_a_code_of_a_deleted_user_is_invalid(api: Any) -> None:
    user_id = api.new_user()
    code = api.call("POST", "/v2/link/code/create", params={"user_id": user_id}).body["code"]
    assert api.call("DELETE", f"/v2/user/{user_id}").status == 200
    with pytest.raises(CodeRefused) as gone:
        api.server.state.redeem_code(code, "apple_health_kit")
    assert gone.value.error_type == "invalid_token"


def test_a_code_can_be_redeemed_over_http_once(api: Any) -> None:
    user_id = api.new_user()
    code = api.call("POST", "/v2/link/code/create", params={"user_id": user_id}).body["code"]
    base = api.server.base_url
    form_page = httpx.get(f"{base}/link/code")
    assert form_page.status_code == 200
    for marker in ('id="code"', 'id="code-provider"', 'id="redeem"'):
        assert marker in form_page.text
    done = httpx.post(f"{base}/link/code", data={"code": code, "provider": "apple_health_kit"})
    assert done.status_code == 200 and 'data-state="success"' in done.text
    assert _providers(api, user_id)["apple_health_kit"]["status"] == "connected"
    again = httpx.post(f"{base}/link/code", data={"code": code, "provider": "apple_health_kit"})
    assert again.status_code == 400 and 'id="error-code">token_consumed<' in again.text
    wrong = httpx.post(f"{base}/link/code", data={"code": "<b>nope", "provider": "oura"})
    assert 'id="error-code">invalid_token<' in wrong.text and "<b>nope" not in wrong.text
    odd = httpx.post(f"{base}/link/code", data={"code": code, "provider": "<i>"})
    assert odd.status_code == 400 and "<i>" not in odd.text
