"""The vendor's own SDK (``vital``) as an independent judge of the stand-in.

The SDK validates replies with its pydantic models, so a reply it accepts has the shape the
real API gives, and it maps error statuses onto its own exception types.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from vital_desktop.sandbox import SandboxServer

with warnings.catch_warnings():
    # The SDK's pydantic-v1-style config warns on import; that is the vendor's business.
    warnings.simplefilter("ignore")
    from vital.client import Vital
    from vital.core.api_error import ApiError
    from vital.errors import BadRequestError, UnprocessableEntityError

# The SDK builds pydantic models lazily with v1-style config, which warns at call time.
pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

NO_RETRY: Any = {"max_retries": 0}
UNKNOWN = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # Passing our own client lets the test close its sockets (warnings are errors here).
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def sdk(sandbox: SandboxServer, http: httpx.Client) -> Vital:
    return Vital(api_key=sandbox.demo_key, base_url=sandbox.base_url, httpx_client=http)


def test_sdk_happy_path(sdk: Vital) -> None:
    created = sdk.user.create(client_user_id="sdk-1")
    token = sdk.link.token(user_id=created.user_id, provider="oura", redirect_url="myapp://x")
    assert token.link_token and "/link/?token=" in token.link_web_url
    demo = sdk.link.connect_demo_provider(user_id=created.user_id, provider="fitbit")
    assert demo.success
    connected = sdk.user.get_connected_providers(created.user_id)
    assert [p.slug for p in connected["providers"]] == ["fitbit"]
    user = sdk.user.get(created.user_id)
    assert user.client_user_id == "sdk-1"
    assert sdk.user.get_by_client_user_id("sdk-1").user_id == created.user_id
    assert [u.user_id for u in sdk.team.get_user_by_id(query_id="sdk-1")] == [created.user_id]
    assert sdk.user.get_all(limit=10).total == 1
    catalogue = sdk.providers.get_all()
    assert len(catalogue) == 41
    code = sdk.link.code_create(user_id=created.user_id)
    assert code.code.startswith("skus")
    assert sdk.user.deregister_provider(created.user_id, "fitbit").success
    assert sdk.user.delete(created.user_id).success


def test_sdk_sees_documented_errors(sandbox: SandboxServer, sdk: Vital, http: httpx.Client) -> None:
    sdk.user.create(client_user_id="dup")
    with pytest.raises(BadRequestError) as duplicate:
        sdk.user.create(client_user_id="dup", request_options=NO_RETRY)
    assert duplicate.value.status_code == 400
    # The SDK declares NotFoundError only for lab endpoints; here a 404 is its base ApiError.
    with pytest.raises(ApiError) as missing:
        sdk.user.get(UNKNOWN, request_options=NO_RETRY)
    assert missing.value.status_code == 404
    with pytest.raises(ApiError) as missing_token:
        sdk.link.token(user_id=UNKNOWN, request_options=NO_RETRY)
    assert missing_token.value.status_code == 404
    with pytest.raises(ApiError) as unresolved:
        sdk.user.get_by_client_user_id("nobody", request_options=NO_RETRY)
    assert unresolved.value.status_code == 404
    with pytest.raises(UnprocessableEntityError) as invalid:
        sdk.link.token(user_id="not-a-uuid", request_options=NO_RETRY)
    assert invalid.value.status_code == 422
    wrong_key = Vital(api_key="sk_eu_wrong", base_url=sandbox.base_url, httpx_client=http)
    with pytest.raises(ApiError) as unauthorized:
        wrong_key.user.get_all(request_options=NO_RETRY)
    assert unauthorized.value.status_code == 401


def test_sdk_retries_a_503_fault(sandbox: SandboxServer, sdk: Vital) -> None:
    sandbox.faults.add("POST /v2/user=503,retry-after=0,times=1")
    assert sdk.user.create(client_user_id="after-retry").client_user_id == "after-retry"
    assert len(sandbox.request_log.matching("POST", "/v2/user")) == 2
