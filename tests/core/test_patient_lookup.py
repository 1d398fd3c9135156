"""Finding and creating patients against the stand-in, over loopback HTTP."""

from __future__ import annotations

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.patient_lookup import create_patient, find_patients, looks_like_user_id
from vital_desktop.sandbox import SandboxServer

from .helpers import ScriptedServer, client_for

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _paths(sandbox: SandboxServer) -> list[str]:
    return [f"{e.method} {e.path}" for e in sandbox.request_log.snapshot()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1b4e28ba-2fa1-41d2-883f-0016d3cca427", True),
        ("  1B4E28BA-2FA1-41D2-883F-0016D3CCA427\n", True),
        ('"1b4e28ba-2fa1-41d2-883f-0016d3cca427"', True),
        ("MRN-0042", False),
        ("", False),
        ("1b4e28ba-2fa1-41d2-883f", False),
    ],
)
def test_looks_like_user_id(text: str, expected: bool) -> None:
    assert looks_like_user_id(text) is expected


def test_a_vital_user_id_is_fetched_directly(sandbox: SandboxServer, api: VitalClient) -> None:
    user = sandbox.state.create_user("MRN-1")
    (found,) = find_patients(api, f"  {user['user_id'].upper()} ")
    assert found.user_id == user["user_id"] and found.client_user_id == "MRN-1"
    assert found.created_datetime is not None
    assert _paths(sandbox) == [f"GET /v2/user/{user['user_id']}"]


def test_an_unknown_vital_user_id_finds_no_one(sandbox: SandboxServer, api: VitalClient) -> None:
    assert find_patients(api, UNKNOWN) == []


def test_a_clinic_uuid_is_found_after_the_user_id_misses(
    sandbox: SandboxServer, api: VitalClient
) -> None:
    user = sandbox.state.create_user(UNKNOWN)  # the clinic's own ids are UUIDs too
    (found,) = find_patients(api, UNKNOWN)
    assert found.user_id == user["user_id"]


def test_a_clinic_id_resolves_and_searches_without_duplicates(
    sandbox: SandboxServer, api: VitalClient
) -> None:
    sandbox.state.create_user("someone-else")
    user = sandbox.state.create_user("MRN-7")
    found = find_patients(api, "MRN-7")
    assert [u.user_id for u in found] == [user["user_id"]]  # resolve and search agree: once
    paths = _paths(sandbox)
    assert paths[0] == "GET /v2/user/resolve/MRN-7"
    assert any("/v2/team/users/search" in p for p in paths)


def test_one_character_skips_the_search(sandbox: SandboxServer, api: VitalClient) -> None:
    user = sandbox.state.create_user("7")
    assert [u.user_id for u in find_patients(api, "7")] == [user["user_id"]]
    assert not any("search" in p for p in _paths(sandbox))
    assert find_patients(api, "  ") == []
    assert find_patients(api, "8") == []


def test_exact_clinic_id_comes_first(scripted: ScriptedServer) -> None:
    import json

    from .helpers import Reply, Seen

    def user(uid: str, cid: str) -> dict[str, str]:
        return {"user_id": uid, "client_user_id": cid, "team_id": "t", "created_on": ""}

    exact = user("u-exact", "AB")

    def answer(seen: Seen) -> Reply:
        if "/resolve/" in seen.path:
            return Reply(404, b'{"detail": {"error_type": "USER_NOT_FOUND"}}')
        # A loose search: near matches first, the exact one later, one twice.
        body = [user("u-1", "ABC"), exact, user("u-1", "ABC"), user("u-2", "XAB")]
        return Reply(200, json.dumps(body).encode())

    scripted.reply = answer
    with client_for(scripted.base_url) as client:
        found = find_patients(client, "AB")
    assert [u.user_id for u in found] == ["u-exact", "u-1", "u-2"]


def test_other_failures_are_not_swallowed(sandbox: SandboxServer, api: VitalClient) -> None:
    sandbox.faults.add("GET /v2/user/resolve/{client_user_id}=500")
    with pytest.raises(VitalError) as caught:
        find_patients(api, "MRN-1")
    assert caught.value.kind is ErrorKind.SERVER_ERROR


def test_create_patient_new_and_existing(sandbox: SandboxServer, api: VitalClient) -> None:
    user, created = create_patient(api, "MRN-100")
    assert created and user.client_user_id == "MRN-100"
    sandbox.state.connect(user.user_id, "oura")
    again, created_again = create_patient(api, "MRN-100")
    assert not created_again
    assert again.user_id == user.user_id and again.connected_slugs == ("oura",)
    assert len(sandbox.state.users()) == 1


def test_create_patient_still_raises_other_refusals(
    sandbox: SandboxServer, api: VitalClient
) -> None:
    sandbox.faults.add("POST /v2/user=400")
    with pytest.raises(VitalError) as caught:
        create_patient(api, "MRN-5")
    assert caught.value.kind is ErrorKind.BAD_REQUEST
    with pytest.raises(VitalError) as local:
        create_patient(api, "")
    assert local.value.kind is ErrorKind.INVALID_INPUT
