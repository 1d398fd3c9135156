"""User endpoints of the stand-in, every reply checked against the contract."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

UNKNOWN = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


def test_create_get_delete_user(api: Any) -> None:
    reply = api.call(
        "POST",
        "/v2/user",
        json={
            "client_user_id": "p-1",
            "fallback_time_zone": "Europe/London",
            "fallback_birth_date": "1980-02-03",
        },
    )
    assert reply.status == 200
    user = reply.body
    assert user["client_user_id"] == "p-1"
    assert user["team_id"] == api.server.state.team_id
    assert user["fallback_time_zone"]["id"] == "Europe/London"
    assert uuid.UUID(user["user_id"]).version == 4
    got = api.call("GET", f"/v2/user/{user['user_id']}")
    assert got.status == 200 and got.body == user
    # Uppercase ids are the same user, as the API treats UUIDs.
    assert api.call("GET", f"/v2/user/{user['user_id'].upper()}").body == user
    assert api.call("DELETE", f"/v2/user/{user['user_id']}").body == {"success": True}
    gone = api.call("GET", f"/v2/user/{user['user_id']}")
    assert gone.status == 404 and gone.body["detail"]["error_type"] == "USER_NOT_FOUND"


def test_duplicate_client_user_id_is_400_with_existing_id(api: Any) -> None:
    first = api.new_user("same")
    reply = api.call("POST", "/v2/user", json={"client_user_id": "same"})
    assert reply.status == 400
    assert reply.body["detail"]["user_id"] == first
    assert reply.body["detail"]["error_type"] == "INVALID_REQUEST"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "client_user_id"]),
        ({"client_user_id": 5}, ["body", "client_user_id"]),
        ({"client_user_id": "x", "fallback_birth_date": "soon"}, ["body", "fallback_birth_date"]),
        ([1, 2], ["body"]),
    ],
)
def test_create_user_422(api: Any, body: Any, loc: list[str]) -> None:
    reply = api.call("POST", "/v2/user", json=body, valid_request=False)
    assert reply.status == 422
    assert reply.body["detail"][0]["loc"] == loc


def test_body_not_json_is_422(api: Any) -> None:
    reply = api.call(
        "POST",
        "/v2/user",
        content=b"{nope",
        valid_request=False,
        headers={"content-type": "application/json"},
    )
    assert reply.status == 422
    assert reply.body["detail"][0]["type"] == "json_invalid"


def test_list_users_paginates(api: Any) -> None:
    ids = [api.new_user(f"p{i}") for i in range(5)]
    page = api.call("GET", "/v2/user", params={"offset": "1", "limit": "2"}).body
    assert page["total"] == 5 and page["offset"] == 1 and page["limit"] == 2
    assert [u["user_id"] for u in page["users"]] == ids[1:3]
    assert len(api.call("GET", "/v2/user").body["users"]) == 5
    assert api.call("GET", "/v2/user", params={"limit": "500"}).status == 200
    too_many = api.call("GET", "/v2/user", params={"limit": "501"}, valid_request=False)
    assert too_many.status == 422 and too_many.body["detail"][0]["loc"] == ["query", "limit"]
    not_int = api.call("GET", "/v2/user", params={"offset": "x"}, valid_request=False)
    assert not_int.status == 422


def test_resolve_user(api: Any) -> None:
    user_id = api.new_user("clinic/42 é")
    found = api.call("GET", "/v2/user/resolve/clinic%2F42%20%C3%A9")
    assert found.status == 200 and found.body["user_id"] == user_id
    missing = api.call("GET", "/v2/user/resolve/nobody")
    assert missing.status == 404 and missing.body["detail"]["error_type"] == "USER_NOT_FOUND"


def test_search_matches_user_id_or_client_user_id(api: Any) -> None:
    user_id = api.new_user("abc-1")
    api.new_user("abc-2")
    by_client = api.call("GET", "/v2/team/users/search", params={"query_id": "abc-1"}).body
    by_id = api.call("GET", "/v2/team/users/search", params={"query_id": user_id}).body
    assert [u["user_id"] for u in by_client] == [user_id]
    assert [u["user_id"] for u in by_id] == [user_id]
    assert api.call("GET", "/v2/team/users/search", params={"query_id": "zz"}).body == []
    short = api.call("GET", "/v2/team/users/search", params={"query_id": "a"}, valid_request=False)
    assert short.status == 422


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/v2/user/{}"),
        ("DELETE", "/v2/user/{}"),
        ("GET", "/v2/user/providers/{}"),
        ("DELETE", "/v2/user/{}/oura"),
    ],
)
def test_user_scoped_endpoints_404_and_422(api: Any, method: str, template: str) -> None:
    missing = api.call(method, template.format(UNKNOWN))
    assert missing.status == 404
    assert missing.body["detail"]["error_type"] == "USER_NOT_FOUND"
    malformed = api.call(method, template.format("not-a-uuid"), valid_request=False)
    assert malformed.status == 422
    assert malformed.body["detail"][0]["loc"] == ["path", "user_id"]


def test_connected_providers_and_disconnect(api: Any) -> None:
    user_id = api.new_user()
    assert api.call("GET", f"/v2/user/providers/{user_id}").body == {"providers": []}
    demo = api.call("POST", "/v2/link/connect/demo", json={"user_id": user_id, "provider": "oura"})
    assert demo.body["success"] is True
    providers = api.call("GET", f"/v2/user/providers/{user_id}").body["providers"]
    assert [(p["slug"], p["status"], p["name"]) for p in providers] == [
        ("oura", "connected", "Oura")
    ]
    user = api.call("GET", f"/v2/user/{user_id}").body
    assert [s["provider"]["slug"] for s in user["connected_sources"]] == ["oura"]
    assert api.call("DELETE", f"/v2/user/{user_id}/oura").body == {"success": True}
    assert api.call("GET", f"/v2/user/providers/{user_id}").body == {"providers": []}
    # Disconnecting what is not connected is harmless.
    assert api.call("DELETE", f"/v2/user/{user_id}/fitbit").body == {"success": True}
    bad = api.call("DELETE", f"/v2/user/{user_id}/myspace", valid_request=False)
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["path", "provider"]


def test_state_helper_creates_users_without_http(api: Any) -> None:
    user = api.server.state.create_user("demo-patient")
    found = api.call("GET", "/v2/user/resolve/demo-patient")
    assert found.body["user_id"] == user["user_id"]
