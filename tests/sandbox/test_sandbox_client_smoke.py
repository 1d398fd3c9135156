"""The app's own client against the stand-in (the full client suite lives elsewhere)."""

from __future__ import annotations

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.sandbox import SandboxServer


def test_vital_client_creates_user_and_link_token(sandbox: SandboxServer) -> None:
    with VitalClient(sandbox.demo_key, custom_target(sandbox.base_url)) as client:
        user = client.create_user("smoke-1")
        token = client.create_link_token(LinkTokenRequest.build(user.user_id, provider="oura"))
        assert token.link_web_url.startswith(f"{sandbox.base_url}/link/?token=")
        try:
            client.create_user("smoke-1")
        except VitalError as error:
            assert error.kind is ErrorKind.DUPLICATE_USER
        else:
            raise AssertionError("a duplicate client_user_id must fail")
        assert client.demo_connect(user.user_id, "fitbit").success
        assert [p.slug for p in client.connected_providers(user.user_id)] == ["fitbit"]
        assert len(client.providers()) == 41
