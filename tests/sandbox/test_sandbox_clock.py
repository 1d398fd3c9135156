"""The stand-in's clock can run ahead of or behind the desk's; its Date header can be left out."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from vital_desktop.sandbox import SandboxServer, SandboxState, tokens


def _date(response: httpx.Response) -> float:
    return parsedate_to_datetime(response.headers["date"]).timestamp()


@pytest.mark.parametrize("offset", [0.0, 3600.0, -3600.0])
def test_date_header_and_token_times_follow_the_server_clock(offset: float) -> None:
    with (
        SandboxServer(link_ttl=120, clock_offset=offset) as server,
        httpx.Client(
            base_url=server.base_url, headers={"x-vital-api-key": server.demo_key}
        ) as http,
    ):
        user = http.post("/v2/user", json={"client_user_id": "p1"}).json()["user_id"]
        desk_before = time.time()
        reply = http.post("/v2/link/token", json={"user_id": user})
        desk_after = time.time()
        assert reply.status_code == 200
        # Date has whole seconds, so it may read up to a second before the exchange
        assert desk_before + offset - 1 <= _date(reply) <= desk_after + offset
        claims = tokens.unverified_claims(reply.json()["link_token"])
        assert claims is not None
        assert desk_before + offset - 1 <= claims["iat"] <= desk_after + offset
        assert claims["exp"] - claims["iat"] == 120  # link_ttl still sets the lifetime
        assert abs(claims["exp"] - _date(reply) - 120) <= 1
        # every reply carries the same clock, errors included
        missing = http.get("/no/such/path")
        assert missing.status_code == 404
        assert abs(_date(missing) - (time.time() + offset)) <= 2


def test_the_widget_judges_expiry_on_the_same_clock() -> None:
    # A server one hour behind must not think its own fresh tokens are long expired.
    with SandboxServer(link_ttl=120, clock_offset=-3600) as server:
        user_id = server.state.create_user("p1")["user_id"]
        body = {"user_id": user_id, "redirect_url": "https://x.example/", "on_error": "redirect"}
        with httpx.Client(headers={"x-vital-api-key": server.demo_key}) as http:
            reply = http.post(f"{server.base_url}/v2/link/token", json=body)
            page = http.get(reply.json()["link_web_url"])
        assert page.status_code == 200  # an expired token would redirect with token_expired
        assert "location" not in page.headers


def test_date_header_can_be_left_out() -> None:
    with SandboxServer(date_header=False) as server, httpx.Client() as http:
        reply = http.get(f"{server.base_url}/v2/providers")
        assert reply.status_code == 401
        assert "date" not in reply.headers
        assert reply.headers["server"].startswith("VitalSandbox/")


def test_the_default_server_sends_date() -> None:
    with SandboxServer() as server, httpx.Client() as http:
        assert abs(_date(http.get(f"{server.base_url}/v2/providers")) - time.time()) <= 2


def test_state_clock_offset_is_added_and_must_be_finite() -> None:
    assert SandboxState(clock=lambda: 1000.0, clock_offset=-30).now() == 970.0
    with pytest.raises(ValueError, match="finite"):
        SandboxState(clock_offset=float("nan"))
