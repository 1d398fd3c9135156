"""Fault specs, the fault plan, and every fault action over real HTTP."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from vital_desktop.sandbox import FaultPlan, SandboxServer, parse_fault
from vital_desktop.sandbox.faults import FaultKind


def _get(server: SandboxServer, path: str = "/v2/providers", **kwargs: object) -> httpx.Response:
    return httpx.get(
        server.base_url + path, headers={"x-vital-api-key": server.demo_key}, timeout=10, **kwargs
    )


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("spec", "kind", "method", "path", "status", "times"),
    [
        ("/v2/link/token=503", FaultKind.STATUS, None, "/v2/link/token", 503, None),
        ("POST /v2/link/token=500,times=2", FaultKind.STATUS, "POST", "/v2/link/token", 500, 2),
        ("get /v2/user/{user_id}=drop", FaultKind.DROP, "GET", "/v2/user/{user_id}", None, None),
        ("*=invalid-json", FaultKind.INVALID_JSON, None, "*", None, None),
        ("*=missing-fields,times=1", FaultKind.MISSING_FIELDS, None, "*", None, 1),
        ("/v2/providers=huge", FaultKind.HUGE, None, "/v2/providers", None, None),
        (" /v2/user=slow=0.5 ", FaultKind.SLOW, None, "/v2/user", None, None),
    ],
)
def test_parse_fault(
    spec: str,
    kind: FaultKind,
    method: str | None,
    path: str,
    status: int | None,
    times: int | None,
) -> None:
    fault = parse_fault(spec)
    assert (fault.kind, fault.method, fault.path, fault.status, fault.times) == (
        kind,
        method,
        path,
        status,
        times,
    )
    assert parse_fault(fault.spec) == fault


def test_parse_retry_after_and_slow_seconds() -> None:
    assert parse_fault("*=429,retry-after=2").retry_after == "2"
    assert parse_fault("*=slow=1.5").seconds == 1.5


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("", "no action"),
        ("/v2/user", "no action"),
        ("v2/user=500", "must start with /"),
        ("FETCH /v2/user=500", "not an HTTP method"),
        ("/v2/user=200", "between 400 and 599"),
        ("/v2/user=explode", "is unknown"),
        ("/v2/user=slow", "slow=S"),
        ("/v2/user=slow=abc", "must be a number"),
        ("/v2/user=500,times=0", "times must be"),
        ("/v2/user=500,often", "option"),
        ("/v2/user=drop,retry-after=3", "retry-after goes only"),
        ("a b c=500", "needs a path"),
    ],
)
def test_bad_specs_raise_value_error_with_a_sentence(spec: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_fault(spec)


def test_from_env_reads_semicolon_separated_specs() -> None:
    plan = FaultPlan.from_env({"VITAL_SANDBOX_FAULTS": "/v2/user=503,times=1; *=slow=0.1 ;"})
    assert [f.spec for f in plan.active] == ["/v2/user=503,times=1", "*=slow=0.1"]
    assert len(FaultPlan.from_env({})) == 0
    with pytest.raises(ValueError):
        FaultPlan.from_env({"VITAL_SANDBOX_FAULTS": "nonsense"})


def test_plan_counts_uses_and_matches_templates() -> None:
    plan = FaultPlan(["GET /v2/user/{user_id}=500,times=2"])
    assert plan.take("POST", "/v2/user/abc") is None
    assert plan.take("GET", "/v2/user") is None
    assert plan.take("GET", "/v2/user/abc") is not None
    assert plan.take("GET", "/v2/user/def") is not None
    assert plan.take("GET", "/v2/user/abc") is None
    assert len(plan) == 0


# ------------------------------------------------------------ over HTTP


@pytest.mark.parametrize("status", [500, 503, 401, 404])
def test_status_fault(sandbox: SandboxServer, status: int) -> None:
    sandbox.faults.add(f"/v2/providers={status}")
    response = _get(sandbox)
    assert response.status_code == status
    assert "error_type" in response.json()["detail"]


def test_429_with_retry_after(sandbox: SandboxServer) -> None:
    sandbox.faults.add("GET /v2/providers=429,retry-after=7")
    response = _get(sandbox)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_times_limits_the_fault(sandbox: SandboxServer) -> None:
    sandbox.faults.add("/v2/providers=503,times=2")
    assert [_get(sandbox).status_code for _ in range(3)] == [503, 503, 200]


def test_faults_apply_before_auth_and_only_to_matching_paths(sandbox: SandboxServer) -> None:
    sandbox.faults.add("POST /v2/link/token=500")
    assert _get(sandbox).status_code == 200
    response = httpx.post(f"{sandbox.base_url}/v2/link/token", json={})
    assert response.status_code == 500


def test_invalid_json_missing_fields_huge(sandbox: SandboxServer) -> None:
    sandbox.faults.add("/v2/providers=invalid-json,times=1")
    sandbox.faults.add("/v2/providers=missing-fields,times=1")
    sandbox.faults.add("/v2/providers=huge,times=1")
    first = _get(sandbox)
    assert first.status_code == 200
    with pytest.raises(ValueError):
        first.json()
    second = _get(sandbox)
    assert second.status_code == 200 and "slug" not in second.text
    huge = _get(sandbox)
    assert huge.status_code == 200 and len(huge.content) >= 5 * 1024 * 1024
    assert isinstance(_get(sandbox).json(), list)


def test_drop_closes_without_reply(sandbox: SandboxServer) -> None:
    sandbox.faults.add("/v2/providers=drop,times=1")
    with pytest.raises(httpx.RemoteProtocolError):
        _get(sandbox)
    assert _get(sandbox).status_code == 200


def test_slow_delays_only_its_request(sandbox: SandboxServer) -> None:
    sandbox.faults.add("/v2/providers=slow=1.0,times=1")
    results: dict[str, float] = {}

    def slow_call() -> None:
        start = time.monotonic()
        assert _get(sandbox).status_code == 200
        results["slow"] = time.monotonic() - start

    thread = threading.Thread(target=slow_call)
    thread.start()
    time.sleep(0.1)
    start = time.monotonic()
    assert _get(sandbox, "/v2/user").status_code == 200
    results["fast"] = time.monotonic() - start
    thread.join(5)
    assert results["fast"] < 0.5
    assert results["slow"] >= 0.9


def test_stop_is_prompt_during_a_slow_fault() -> None:
    server = SandboxServer(faults=FaultPlan(["*=slow=30"]))
    server.start()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            _get(server)
        except httpx.HTTPError as error:
            errors.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.2)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 2
    thread.join(5)
    assert not thread.is_alive() and errors


def test_control_endpoint(sandbox: SandboxServer) -> None:
    url = f"{sandbox.base_url}/_sandbox/faults"
    added = httpx.post(url, json={"spec": "GET /v2/providers=503,times=1"})
    assert added.status_code == 200
    assert added.json() == {"faults": ["GET /v2/providers=503,times=1"]}
    assert httpx.get(url).json()["faults"] == ["GET /v2/providers=503,times=1"]
    assert _get(sandbox).status_code == 503
    httpx.post(url, json={"spec": "*=500"})
    # The control endpoints are never faulted, so a catch-all can still be cleared.
    assert httpx.delete(url).json() == {"faults": []}
    assert _get(sandbox).status_code == 200
    bad = httpx.post(url, json={"spec": "/v2/user=boom"})
    assert bad.status_code == 400
    assert "unknown" in bad.json()["detail"]["error_message"]
    assert httpx.post(url, content=b"nope").status_code == 400
    assert not any(r.path.startswith("/_sandbox") for r in sandbox.request_log)


def test_faults_given_at_construction() -> None:
    with SandboxServer(faults=FaultPlan(["/v2/providers=503"])) as server:
        assert _get(server).status_code == 503
        server.faults.clear()
        assert _get(server).status_code == 200
