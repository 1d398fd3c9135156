"""The provider catalogue: bundled table, linkability, markers, merging with the server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vital_desktop.core.models import ProviderInfo
from vital_desktop.core.providers import (
    SLUG_PATTERN,
    Provider,
    ProviderCatalogue,
    WebSupport,
    bundled_catalogue,
)

SPEC = Path(__file__).resolve().parents[1] / "openapi-subset.json"


def test_bundled_catalogue_matches_the_spec_enum() -> None:
    enum = json.loads(SPEC.read_text())["components"]["schemas"]["Providers"]["enum"]
    catalogue = bundled_catalogue()
    assert len(catalogue) == 41
    assert catalogue.slugs == frozenset(enum)
    assert all(SLUG_PATTERN.match(slug) for slug in catalogue.slugs)


def test_bundled_catalogue_is_the_resource_file() -> None:
    import io

    from vital_desktop.resources import read_text

    rows = list(csv.DictReader(io.StringIO(read_text("providers.tsv")), delimiter="\t"))
    assert [p.slug for p in bundled_catalogue()] == [row["slug"] for row in rows]
    assert bundled_catalogue() is bundled_catalogue()  # cached


@pytest.mark.parametrize(
    ("slug", "linkable", "marker", "reason_words"),
    [
        ("oura", True, None, None),
        ("whoop", True, "legacy", None),
        ("google_fit", True, "deprecated", None),
        ("apple_health_kit", False, None, "mobile SDK"),
        ("health_connect", False, None, "mobile SDK"),
        ("freestyle_libre_ble", False, None, "Bluetooth or NFC"),
        ("manual", False, None, "entered by hand"),
    ],
)
def test_linkability_and_reasons(
    slug: str, linkable: bool, marker: str | None, reason_words: str | None
) -> None:
    provider = bundled_catalogue().get(slug)
    assert provider is not None
    assert provider.linkable is linkable
    assert provider.marker == marker
    if reason_words is None:
        assert provider.unavailable_reason is None
    else:
        reason = provider.unavailable_reason
        assert reason is not None and reason_words in reason and provider.name in reason


def test_unknown_connection_kind_has_a_generic_reason() -> None:
    provider = Provider("acme", "Acme", "carrier_pigeon", WebSupport.NO)
    assert provider.unavailable_reason == "Acme cannot be connected through a web link."


def test_every_unlinkable_bundled_provider_is_phone_or_manual() -> None:
    for provider in bundled_catalogue():
        if not provider.linkable:
            assert provider.connects_via in ("sdk", "sdk_device", "manual")


def test_display_name_adds_marker_once() -> None:
    assert Provider("g", "Google Fit", "oauth", WebSupport.DEPRECATED).display_name == (
        "Google Fit (deprecated)"
    )
    assert Provider("w", "WHOOP (legacy)", "password", WebSupport.LEGACY).display_name == (
        "WHOOP (legacy)"
    )
    assert Provider("o", "Oura", "oauth", WebSupport.YES).display_name == "Oura"


def test_search_matches_name_or_slug_case_insensitively() -> None:
    catalogue = bundled_catalogue()
    assert [p.slug for p in catalogue.search("OURA")] == ["oura"]
    slugs = {p.slug for p in catalogue.search("libre")}
    assert {"freestyle_libre", "freestyle_libre_ble", "abbott_libreview"} <= slugs
    assert len(catalogue.search("  ")) == len(catalogue)
    assert catalogue.search("zzzz-nothing") == []


def test_linkable_excludes_phone_only() -> None:
    linkable = {p.slug for p in bundled_catalogue().linkable()}
    assert "oura" in linkable and "google_fit" in linkable
    assert not linkable & {"apple_health_kit", "samsung_health", "manual", "omron_ble"}


def test_sorted_for_display_orders_linkable_marked_then_unlinkable() -> None:
    ordered = bundled_catalogue().sorted_for_display()
    ranks = [2 if not p.linkable else (1 if p.marker else 0) for p in ordered]
    assert ranks == sorted(ranks)
    first_block = [p.name.lower() for p in ordered if p.linkable and not p.marker]
    assert first_block == sorted(first_block)
    assert len(ordered) == len(bundled_catalogue())


def test_container_protocol() -> None:
    catalogue = bundled_catalogue()
    assert "oura" in catalogue and "acme" not in catalogue and 3 not in catalogue
    assert catalogue.get("acme") is None
    assert len(list(iter(catalogue))) == len(catalogue)


def test_merge_with_server() -> None:
    server = [
        ProviderInfo("oura", "Oura Ring (server name)", auth_type="oauth"),
        ProviderInfo("apple_health_kit", "Apple HealthKit", auth_type="sdk"),
        ProviderInfo("acme_ring", "Acme Ring", auth_type="oauth"),
        ProviderInfo("acme_phone", "", auth_type="sdk"),
        ProviderInfo("acme_other", "Acme Other"),
    ]
    merged = bundled_catalogue().merged_with_server(server)
    assert [p.slug for p in merged] == [
        "oura",
        "apple_health_kit",
        "acme_ring",
        "acme_phone",
        "acme_other",
    ]
    # Known slugs keep the bundled description (and its linkability).
    assert merged.get("oura") == bundled_catalogue().get("oura")
    assert merged.get("apple_health_kit") == bundled_catalogue().get("apple_health_kit")
    # Unknown slugs: server name, sdk marks phone-only.
    ring = merged.get("acme_ring")
    assert ring is not None and ring.linkable and ring.from_server_only and ring.name == "Acme Ring"
    phone = merged.get("acme_phone")
    assert phone is not None and not phone.linkable and phone.name == "acme_phone"
    assert phone.unavailable_reason is not None and "mobile SDK" in phone.unavailable_reason
    other = merged.get("acme_other")
    assert other is not None and other.connects_via == "unknown" and other.linkable
    # Bundled entries the server no longer lists are dropped.
    assert "fitbit" not in merged
    assert merged.slugs == {"oura", "apple_health_kit", "acme_ring", "acme_phone", "acme_other"}


def test_merge_with_empty_server_list_is_empty() -> None:
    assert len(ProviderCatalogue([]).merged_with_server([])) == 0
    assert len(bundled_catalogue().merged_with_server([])) == 0
