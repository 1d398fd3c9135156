"""Helpers for the stand-in's own tests: a contract-checking HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from contract import validate_request, validate_response

from vital_desktop.sandbox import SandboxServer


@dataclass
class Reply:
    """Status, headers and decoded body of one answer."""

    status: int
    body: Any
    headers: httpx.Headers


class ContractClient:
    """Calls the stand-in and checks every JSON reply (and valid requests) against the spec."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.base_url, headers={"x-vital-api-key": server.demo_key}, timeout=10
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        valid_request: bool = True,
        **kwargs: Any,
    ) -> Reply:
        if valid_request:
            validate_request(method, path, params, json)
        response = self.http.request(method, path, params=params, json=json, **kwargs)
        body = response.json()
        validate_response(method, path, response.status_code, body)
        return Reply(response.status_code, body, response.headers)

    def new_user(self, client_user_id: str = "patient-1") -> str:
        reply = self.call("POST", "/v2/user", json={"client_user_id": client_user_id})
        assert reply.status == 200, reply.body
        return str(reply.body["user_id"])

    def link(self, user_id: str, **fields: Any) -> Reply:
        reply = self.call("POST", "/v2/link/token", json={"user_id": user_id, **fields})
        assert reply.status == 200, reply.body
        return reply


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[ContractClient]:
    client = ContractClient(sandbox)
    try:
        yield client
    finally:
        client.http.close()
