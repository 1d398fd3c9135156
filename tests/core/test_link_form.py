"""The link form: which patient it names, how it becomes a request, how a link is described.

Qt-free: ``LinkForm`` is what the window's fields hold; ``build_request`` applies every rule
and names the field at fault; ``patient_key`` decides "the same patient".
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.link_form import (
    LinkForm,
    build_request,
    describe_patient,
    describe_providers,
    patient_key,
    phone_only_problem,
    short_user_id,
)
from vital_desktop.core.models import ProviderInfo
from vital_desktop.core.providers import (
    Provider,
    ProviderCatalogue,
    WebSupport,
    bundled_catalogue,
)
from vital_desktop.core.validation import LinkTokenRequest

UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
OTHER_UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca428"  # the last digit differs

CATALOGUE = bundled_catalogue()
PHONE_ONLY = sorted(p.slug for p in CATALOGUE if not p.linkable)
APPLE_SENTENCE = (
    "Apple Health connects only through the Junction mobile SDK inside a phone app, "
    "not through a web link."
)


def refusal(form: LinkForm, catalogue: ProviderCatalogue = CATALOGUE) -> VitalError:
    with pytest.raises(VitalError) as caught:
        build_request(form, catalogue)
    assert caught.value.kind is ErrorKind.INVALID_INPUT
    return caught.value


# ------------------------------------------------------------------ patient_key


@pytest.mark.parametrize(
    "pasted",
    [
        UID,
        UID.upper(),
        "1B4E28BA-2fa1-41D2-883F-0016d3cca427",
        f"  {UID}\n",
        f"\t'{UID}'",
        f'"{UID}"',
        f"\u201c{UID}\u201d",
        f"<{UID}>",
        f"\u00a0{UID}\u200b",
        f"\ufeff{UID.upper()} ",
    ],
)
def test_the_same_uuid_pasted_any_way_is_the_same_patient(pasted: str) -> None:
    assert patient_key(pasted) == UID
    assert LinkForm(pasted).patient == UID


@pytest.mark.parametrize(
    "other",
    [
        OTHER_UID,
        "0b4e28ba-2fa1-41d2-883f-0016d3cca427",
        UID[:-1],  # one digit lost: not a user id at all
        UID + "7",
        UID.replace("-", ""),
        "",
        "patient 42",
    ],
)
def test_any_other_id_is_another_patient(other: str) -> None:
    assert patient_key(other) != patient_key(UID)
    assert LinkForm(other).patient != LinkForm(UID).patient


def test_text_that_is_no_uuid_is_compared_cleaned_and_lower_cased() -> None:
    assert patient_key("  'MRN-0042' ") == "mrn-0042"
    assert patient_key("mrn-0042") == patient_key("MRN-0042")
    assert patient_key("mrn-0042") != patient_key("mrn-0043")


@settings(max_examples=200, database=None)
@given(st.uuids(), st.uuids(), st.booleans())
def test_patient_key_is_equal_exactly_for_the_same_uuid(
    first: uuid.UUID, second: uuid.UUID, shout: bool
) -> None:
    typed = str(second).upper() if shout else str(second)
    assert (patient_key(str(first)) == patient_key(f" {typed} ")) is (first == second)
    assert patient_key(typed) == str(second)


# ---------------------------------------------------------------- build_request


def test_a_phone_only_provider_is_refused_with_its_own_sentence() -> None:
    error = refusal(LinkForm(UID, provider_slug="apple_health_kit"))
    assert error.field == "provider"
    assert error.message == APPLE_SENTENCE


def test_a_phone_only_provider_in_the_filter_is_refused_for_the_filter() -> None:
    error = refusal(LinkForm(UID, filter_slugs=("oura", "apple_health_kit", "fitbit")))
    assert error.field == "filter_on_providers"
    assert error.message == APPLE_SENTENCE


def test_the_first_phone_only_entry_of_the_filter_is_named() -> None:
    error = refusal(LinkForm(UID, filter_slugs=("oura", "omron_ble", "apple_health_kit")))
    assert error.field == "filter_on_providers"
    assert error.message == CATALOGUE.get("omron_ble").unavailable_reason  # type: ignore[union-attr]
    assert error.message.startswith("Omron (Bluetooth) is a Bluetooth or NFC device")


@pytest.mark.parametrize("slug", PHONE_ONLY)
def test_every_phone_only_provider_is_refused_as_provider_and_in_the_filter(slug: str) -> None:
    sentence = CATALOGUE.get(slug).unavailable_reason  # type: ignore[union-attr]
    assert sentence
    as_provider = refusal(LinkForm(UID, provider_slug=slug))
    assert (as_provider.field, as_provider.message) == ("provider", sentence)
    in_filter = refusal(LinkForm(UID, filter_slugs=("oura", slug)))
    assert (in_filter.field, in_filter.message) == ("filter_on_providers", sentence)


def test_the_catalogue_given_decides_what_is_phone_only() -> None:
    server = [ProviderInfo("oura", "Oura", auth_type="oauth"), ProviderInfo("new_ring", "Ring")]
    server.append(ProviderInfo("phone_band", "Phone Band", auth_type="sdk"))
    merged = CATALOGUE.merged_with_server(server)
    error = refusal(LinkForm(UID, provider_slug="phone_band"), merged)
    assert error.field == "provider"
    assert error.message == (
        "Phone Band connects only through the Junction mobile SDK inside a phone app, "
        "not through a web link."
    )
    assert phone_only_problem(["oura", "new_ring"], merged) is None
    assert build_request(LinkForm(UID, provider_slug="new_ring"), merged).provider == "new_ring"
    # ...and what is known: a slug the catalogue lacks is refused even if the bundle has it.
    unknown = refusal(LinkForm(UID, provider_slug="fitbit"), merged)
    assert unknown.field == "provider"


def test_a_typed_provider_problem_is_refused_before_anything_else() -> None:
    typed = "“ourra” is not a provider Vital knows."
    error = refusal(LinkForm("not an id", provider_slug=None, provider_problem=typed))
    assert error.field == "provider"
    assert error.message == typed
    # Even with a valid slug still selected, the typed text wins.
    error = refusal(LinkForm(UID, provider_slug="oura", provider_problem=typed))
    assert (error.field, error.message) == ("provider", typed)


def test_valid_input_passes_through_cleaned() -> None:
    form = LinkForm(
        f"  '{UID.upper()}' ",
        provider_slug="oura",
        filter_slugs=("oura", "fitbit", "oura"),
        redirect_text=" https://clinic.example/done ",
    )
    request = build_request(form, CATALOGUE)
    assert request == LinkTokenRequest(
        UID, "oura", ("oura", "fitbit"), "https://clinic.example/done"
    )
    assert request.to_json() == {
        "user_id": UID,
        "provider": "oura",
        "filter_on_providers": ["oura", "fitbit"],
        "redirect_url": "https://clinic.example/done",
    }


def test_an_empty_form_beyond_the_user_id_asks_for_any_provider() -> None:
    request = build_request(LinkForm(UID), CATALOGUE)
    assert request == LinkTokenRequest(UID)
    assert request.filter_on_providers is None  # never an empty list


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (LinkForm("1b4e28ba"), "user_id"),
        (LinkForm(""), "user_id"),
        (LinkForm(UID, provider_slug="not_a_provider"), "provider"),
        (LinkForm(UID, filter_slugs=("oura", "not_a_provider")), "filter_on_providers"),
        (LinkForm(UID, redirect_text="javascript:alert(1)"), "redirect_url"),
    ],
)
def test_the_other_rules_still_name_their_field(form: LinkForm, field: str) -> None:
    assert refusal(form).field == field


@pytest.mark.parametrize(
    "form",
    [
        LinkForm(UID, provider_slug=" apple_health_kit"),
        LinkForm(UID, provider_slug="apple_health_kit\n"),
        LinkForm(UID, filter_slugs=("oura", "apple_health_kit ")),
    ],
)
def test_a_phone_only_slug_with_stray_whitespace_is_still_refused(form: LinkForm) -> None:
    # LinkTokenRequest.build trims slugs before checking they are known, so a slug with
    # stray whitespace is accepted as "apple_health_kit"; the phone-only check must see it
    # the same way, or a web link is made for a provider a web link cannot connect.
    error = refusal(form)
    assert error.message == APPLE_SENTENCE


# ------------------------------------------------------------------- describe_*


def test_short_user_id_keeps_the_first_and_last_groups() -> None:
    assert short_user_id(UID) == "1b4e28ba…0016d3cca427"
    assert short_user_id(OTHER_UID) != short_user_id(UID)
    assert short_user_id("mrn-0042") == "mrn-0042"
    assert short_user_id(UID.replace("-", "")) == UID.replace("-", "")


def test_describe_patient_prefers_the_clinics_own_id() -> None:
    assert describe_patient(UID) == "user 1b4e28ba…0016d3cca427"
    assert describe_patient(UID, "MRN-0042") == "patient MRN-0042 (1b4e28ba…0016d3cca427)"
    assert describe_patient(UID, "") == "user 1b4e28ba…0016d3cca427"
    assert describe_patient(UID, None) == "user 1b4e28ba…0016d3cca427"


def test_describe_providers() -> None:
    def build(provider: str | None = None, *chosen: str) -> LinkTokenRequest:
        return LinkTokenRequest.build(UID, provider, chosen or None)

    assert describe_providers(build(), CATALOGUE) == "any provider"
    assert describe_providers(build("oura"), CATALOGUE) == "Oura"
    assert describe_providers(build("google_fit"), CATALOGUE) == "Google Fit (deprecated)"
    assert describe_providers(build("oura", "oura", "fitbit"), CATALOGUE) == "Oura"
    assert describe_providers(build(None, "oura", "fitbit"), CATALOGUE) == (
        "a choice of Oura, Fitbit"
    )
    four = build(None, "oura", "fitbit", "garmin", "whoop")
    assert describe_providers(four, CATALOGUE) == "a choice of Oura, Fitbit, Garmin, WHOOP (legacy)"
    six = build(None, "oura", "fitbit", "garmin", "strava", "withings", "polar")
    assert describe_providers(six, CATALOGUE) == (
        "a choice of Oura, Fitbit, Garmin, Strava and 2 more"
    )


def test_describe_providers_falls_back_to_the_slug() -> None:
    small = ProviderCatalogue([Provider("fitbit", "Fitbit", "oauth", WebSupport.YES)])
    request = LinkTokenRequest.build(UID, None, ["oura", "fitbit"])
    assert describe_providers(request, small) == "a choice of oura, Fitbit"
    assert describe_providers(LinkTokenRequest.build(UID, "oura"), small) == "oura"
