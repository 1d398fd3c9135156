"""Local validation: an invalid request is refused with a reason before it is sent."""

from __future__ import annotations

import pytest

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.validation import (
    MAX_CLIENT_USER_ID_LENGTH,
    MAX_URL_LENGTH,
    LinkTokenRequest,
    clean_paste,
    client_user_id_problem,
    normalize_user_id,
    redirect_url_problem,
    slug_problem,
    user_id_problem,
    validate_client_user_id,
    validate_filter,
    validate_redirect_url,
    validate_slug,
)

UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


def _refused(field: str, call, *args, **kwargs) -> VitalError:  # type: ignore[no-untyped-def]
    with pytest.raises(VitalError) as info:
        call(*args, **kwargs)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert info.value.field == field
    assert info.value.message.endswith(".")
    return info.value


# ------------------------------------------------------------------ user_id


@pytest.mark.parametrize(
    "pasted",
    [
        UID,
        UID.upper(),
        f"  {UID}\n",
        f'"{UID}"',
        f"\u201c{UID}\u201d",
        f"<{UID}>",
        f"\u200b{UID}\ufeff",
        f"\u00a0{UID}\t",
    ],
)
def test_user_id_is_normalized(pasted: str) -> None:
    assert user_id_problem(pasted) is None
    assert normalize_user_id(pasted) == UID


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Enter the patient's Vital user ID."),
        ("   ", "Enter the patient's Vital user ID."),
        ("1b4e28ba2fa141d2883f0016d3cca427", "8-4-4-4-12"),
        ("{" + UID + "}x", "8-4-4-4-12"),
        ("urn:uuid:" + UID, "8-4-4-4-12"),
        (UID[:-1] + "g", "8-4-4-4-12"),
        (UID + "0", "8-4-4-4-12"),
        (UID + "\n" + UID, "8-4-4-4-12"),
        ("patient-42", "8-4-4-4-12"),
        ("../" + UID, "8-4-4-4-12"),
        ("１b4e28ba-2fa1-41d2-883f-0016d3cca427", "8-4-4-4-12"),  # fullwidth digit
    ],
)
def test_bad_user_id(text: str, words: str) -> None:
    problem = user_id_problem(text)
    assert problem is not None and words in problem
    err = _refused("user_id", normalize_user_id, text)
    assert err.message == problem


def test_clean_paste_keeps_the_middle() -> None:
    assert clean_paste(' "a b" ') == "a b"


# ------------------------------------------------------------------ slugs


@pytest.mark.parametrize("slug", ["oura", "fitbit", "apple_health_kit", "whoop_v2", "google_fit"])
def test_known_slugs(slug: str) -> None:
    assert slug_problem(slug) is None
    assert validate_slug(f" {slug} ") == slug


@pytest.mark.parametrize("slug", ["Oura", "o", "1oura", "oura-ring", "ou ra", "", "a" * 65, "ōura"])
def test_malformed_slugs(slug: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None and "is not a provider name" in problem


def test_unknown_but_well_formed_slug() -> None:
    problem = slug_problem("acme_ring")
    assert problem == "“acme_ring” is not a provider Vital knows."
    err = _refused("provider", validate_slug, "acme_ring")
    assert err.message == problem


def test_known_slugs_can_be_supplied() -> None:
    # The merged server catalogue may know slugs the bundled table does not.
    assert validate_slug("acme_ring", known_slugs={"acme_ring"}) == "acme_ring"
    assert slug_problem("oura", known_slugs={"acme_ring"}) is not None


def test_long_malformed_slug_is_shortened_in_the_message() -> None:
    problem = slug_problem("X" * 500)
    assert problem is not None and len(problem) < 120


def test_validate_slug_names_the_field() -> None:
    _refused("filter_on_providers", validate_slug, "nope nope", "filter_on_providers")


# ------------------------------------------------------------------ filter list


def test_filter_is_deduplicated_in_order() -> None:
    assert validate_filter(["oura", " fitbit", "oura", "garmin"]) == ["oura", "fitbit", "garmin"]


@pytest.mark.parametrize("empty", [[], (), iter(())])
def test_empty_filter_becomes_none(empty) -> None:  # type: ignore[no-untyped-def]
    assert validate_filter(empty) is None


def test_filter_with_bad_slug() -> None:
    err = _refused("filter_on_providers", validate_filter, ["oura", "acme_ring"])
    assert "acme_ring" in err.message


# ------------------------------------------------------------------ redirect URL


@pytest.mark.parametrize(
    "url",
    [
        "https://clinic.example/done",
        "http://clinic.example/done?x=1#y",
        "HTTPS://CLINIC.EXAMPLE",
        "myapp://vital/done",
        "com.clinic.app:/callback",
        "x-clinic:done",
    ],
)
def test_good_redirect_urls(url: str) -> None:
    assert redirect_url_problem(url) is None
    assert validate_redirect_url(f"  {url} ") == url


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_empty_redirect_is_none(empty: str | None) -> None:
    assert validate_redirect_url(empty) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "javascript: addresses are refused"),
        ("JavaScript:alert(1)", "javascript: addresses are refused"),
        ("  javascript:alert(1)", "javascript: addresses are refused"),
        ("data:text/html,<script>alert(1)</script>", "data: addresses are refused"),
        ("file:///etc/passwd", "file: addresses are refused"),
        ("vbscript:msgbox", "vbscript: addresses are refused"),
        ("blob:https://x/y", "blob: addresses are refused"),
        ("java\tscript:alert(1)", "spaces or control characters"),
        ("java\x00script:alert(1)", "spaces or control characters"),
        ("https://clinic.example/a b", "spaces or control characters"),
        ("https://clinic.example/\x7f", "spaces or control characters"),
        ("clinic.example/done", "needs a scheme"),
        ("/done", "needs a scheme"),
        ("https://", "must name a host"),
        ("https:///path", "must name a host"),
        ("http://[::1", "must name a host"),
        ("myapp:", "nothing after its scheme"),
        ("https://clinic.example/" + "a" * MAX_URL_LENGTH, "longer than"),
    ],
)
def test_refused_redirect_urls(url: str, words: str) -> None:
    problem = redirect_url_problem(url)
    assert problem is not None and words in problem
    err = _refused("redirect_url", validate_redirect_url, url)
    assert err.message == problem


# ------------------------------------------------------------------ client_user_id


@pytest.mark.parametrize(
    "text", ["patient-42", " MRN 0042 ", "é☃", "x" * MAX_CLIENT_USER_ID_LENGTH]
)
def test_good_client_user_ids(text: str) -> None:
    assert client_user_id_problem(text) is None
    assert validate_client_user_id(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Enter the clinic's own patient ID."),
        ("  ", "Enter the clinic's own patient ID."),
        ("x" * (MAX_CLIENT_USER_ID_LENGTH + 1), "longer than"),
        ("a\nb", "control characters"),
        ("a\x7fb", "control characters"),
    ],
)
def test_bad_client_user_ids(text: str, words: str) -> None:
    problem = client_user_id_problem(text)
    assert problem is not None and words in problem
    _refused("client_user_id", validate_client_user_id, text)


# ------------------------------------------------------------------ LinkTokenRequest


def test_minimal_request_body() -> None:
    request = LinkTokenRequest.build(f" {UID.upper()} ")
    assert request.user_id == UID
    assert request.to_json() == {"user_id": UID}


def test_full_request_body() -> None:
    request = LinkTokenRequest.build(
        UID,
        provider=" oura ",
        filter_on_providers=["oura", "fitbit", "oura"],
        redirect_url=" myapp://done ",
        on_error_redirect=True,
        on_close_redirect=True,
    )
    assert request.to_json() == {
        "user_id": UID,
        "provider": "oura",
        "filter_on_providers": ["oura", "fitbit"],
        "redirect_url": "myapp://done",
        "on_error": "redirect",
        "on_close": "redirect",
    }
    assert not request.provider_outside_filter


def test_empty_optional_fields_are_omitted() -> None:
    request = LinkTokenRequest.build(UID, provider="  ", filter_on_providers=[], redirect_url="")
    assert request.filter_on_providers is None
    assert request.to_json() == {"user_id": UID}


def test_provider_outside_filter() -> None:
    request = LinkTokenRequest.build(UID, provider="garmin", filter_on_providers=["oura"])
    assert request.provider_outside_filter
    assert not LinkTokenRequest.build(UID, provider="garmin").provider_outside_filter


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"user_id": "nope"}, "user_id"),
        ({"user_id": UID, "provider": "acme_ring"}, "provider"),
        ({"user_id": UID, "filter_on_providers": ["oura", "Bad Slug"]}, "filter_on_providers"),
        ({"user_id": UID, "redirect_url": "javascript:alert(1)"}, "redirect_url"),
        ({"user_id": UID, "on_error_redirect": True}, "redirect_url"),
        ({"user_id": UID, "on_close_redirect": True, "redirect_url": " "}, "redirect_url"),
        # The first field at fault is named.
        ({"user_id": "nope", "provider": "acme_ring"}, "user_id"),
    ],
)
def test_build_refuses(kwargs: dict[str, object], field: str) -> None:
    _refused(field, LinkTokenRequest.build, **kwargs)


def test_build_with_server_known_slugs() -> None:
    request = LinkTokenRequest.build(
        UID, provider="acme_ring", filter_on_providers=["acme_ring"], known_slugs={"acme_ring"}
    )
    assert request.to_json()["provider"] == "acme_ring"
