"""Provider flags from providers.tsv ``default_oauth_app`` and the server's ``auth_type``."""

from __future__ import annotations

import csv
import io

import pytest

from vital_desktop.core.models import ProviderInfo
from vital_desktop.core.providers import Provider, WebSupport, bundled_catalogue
from vital_desktop.resources import read_text

OWN_APP = {"strava", "whoop_v2", "dexcom_v3", "my_fitness_pal_v2", "map_my_fitness"}


def _get(slug: str) -> Provider:
    provider = bundled_catalogue().get(slug)
    assert provider is not None
    return provider


def test_the_bundled_table_carries_default_oauth_app() -> None:
    rows = list(csv.DictReader(io.StringIO(read_text("providers.tsv")), delimiter="\t"))
    assert all(row["default_oauth_app"] for row in rows)
    assert {p.slug for p in bundled_catalogue() if p.needs_own_oauth_app} == OWN_APP
    assert {p.slug for p in bundled_catalogue() if p.shutting_down} == {"google_fit"}


def test_link_warning_for_an_unconfigured_own_app_provider() -> None:
    strava = _get("strava")
    assert strava.link_warning(set()) == (
        "Strava needs the clinic's own Strava app set up with Vital; a link will fail on the "
        "patient's phone unless your team has configured it."
    )
    assert strava.link_warning({"strava"}) is None
    whoop = _get("whoop_v2").link_warning(["strava"])
    assert whoop is not None and whoop.startswith("WHOOP needs the clinic's own WHOOP app")


def test_link_warning_for_a_provider_shutting_down_and_none_otherwise() -> None:
    warning = _get("google_fit").link_warning({"google_fit"})
    assert warning is not None and "shutting down" in warning and "Google Fit" in warning
    for slug in ("oura", "withings", "garmin", "apple_health_kit", "peloton"):
        assert _get(slug).link_warning(()) is None


def test_phone_only_matches_linkable_and_app_code_is_apple_health() -> None:
    for provider in bundled_catalogue():
        assert provider.phone_only is (not provider.linkable)
    assert _get("apple_health_kit").phone_only and _get("apple_health_kit").app_code_possible
    assert not _get("health_connect").app_code_possible and not _get("oura").phone_only


@pytest.mark.parametrize(
    ("auth_type", "phone"),
    [
        ("sdk", True),
        ("app", True),
        ("oauth", False),
        ("team_oauth", False),
        ("password", False),
        ("", False),
        (None, False),
    ],
)
def test_server_only_slugs_are_phone_only_for_sdk_and_app(
    auth_type: str | None, phone: bool
) -> None:
    merged = bundled_catalogue().merged_with_server(
        [ProviderInfo("acme", "Acme", auth_type=auth_type)]
    )
    acme = merged.get("acme")
    assert acme is not None and acme.from_server_only
    assert acme.phone_only is phone
    assert (acme.unavailable_reason is not None) is phone
    if phone:
        assert "phone app" in (acme.unavailable_reason or "")
    assert acme.link_warning(()) is None  # nothing known about its OAuth app


def test_a_hand_made_provider_keeps_its_old_shape() -> None:
    plain = Provider("x", "X", "oauth", WebSupport.YES)
    assert plain.default_oauth_app == "n/a" and not plain.needs_own_oauth_app
