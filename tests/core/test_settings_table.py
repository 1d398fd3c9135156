"""The settings table: every setting once, with a default its own check accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from vital_desktop.core.settings_table import (
    SETTINGS,
    SETTINGS_BY_NAME,
    Kind,
    Setting,
    checked,
    coerce,
    setting_named,
)

REQUIRED = {
    "link_ttl_minutes": (Kind.INT, 10),
    "default_redirect_url": (Kind.STR, ""),
    "default_environment": (Kind.CHOICE, "sandbox"),
    "default_region": (Kind.CHOICE, "us"),
    "base_url": (Kind.STR, ""),
    "legacy_hosts": (Kind.BOOL, False),
    "last_provider": (Kind.STR, ""),
    "last_filter": (Kind.STR_LIST, ()),
    "poll_seconds": (Kind.FLOAT, 3.0),
    "language": (Kind.CHOICE, "system"),
    "own_oauth_apps": (Kind.STR_LIST, ()),
    "allowed_providers": (Kind.STR_LIST, ()),
    "ca_bundle": (Kind.STR, ""),
    "history_retention_days": (Kind.INT, 90),
    "store_client_ids": (Kind.BOOL, True),
}


def test_every_required_setting_is_in_the_table_once_with_its_kind_and_default() -> None:
    names = [setting.name for setting in SETTINGS]
    assert len(names) == len(set(names))
    for name, (kind, default) in REQUIRED.items():
        setting = SETTINGS_BY_NAME[name]
        assert (setting.kind, setting.default) == (kind, default), name
        assert setting.label and setting.help, name


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_each_default_passes_its_own_check(setting: Setting) -> None:
    assert setting.problem(setting.default) is None


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("link_ttl_minutes", "15", 15),  # QSettings INI gives strings
        ("link_ttl_minutes", 15, 15),  # TOML gives ints
        ("poll_seconds", "2.5", 2.5),
        ("poll_seconds", 4, 4.0),
        ("legacy_hosts", "true", True),
        ("store_client_ids", "false", False),
        ("store_client_ids", False, False),
        ("allowed_providers", ["oura", " fitbit "], ("oura", "fitbit")),
        ("allowed_providers", [], ()),
        ("default_redirect_url", "  https://clinic.example/done ", "https://clinic.example/done"),
    ],
)
def test_coerce_reads_qsettings_strings_and_toml_values(
    name: str, raw: object, value: object
) -> None:
    assert coerce(SETTINGS_BY_NAME[name], raw) == value


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("link_ttl_minutes", "ten"),
        ("link_ttl_minutes", True),  # a bool is not a number to a person
        ("legacy_hosts", "perhaps"),
        ("allowed_providers", "oura"),  # a bare string is not a list
        ("default_environment", 3),
    ],
)
def test_coerce_refuses_the_wrong_type_with_a_sentence(name: str, raw: object) -> None:
    with pytest.raises(ValueError, match=r"must be .*\.$"):
        coerce(SETTINGS_BY_NAME[name], raw)


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("link_ttl_minutes", 0, "from 1 to 60"),
        ("link_ttl_minutes", 61, "from 1 to 60"),
        ("poll_seconds", 1.5, "from 2 to 60"),
        ("history_retention_days", 3651, "from 1 to 3650"),
        ("default_environment", "staging", "one of: sandbox, production, demo"),
        ("default_region", "ap", "one of: us, eu"),
        ("language", "tlh", "one of: system, en"),
        ("default_redirect_url", "javascript:alert(1)", "refused as a redirect"),
        ("base_url", "http://api.example.com", "only for this computer"),
        ("own_oauth_apps", ["oura"], "does not need the clinic's own OAuth app"),
        ("own_oauth_apps", ["no_such_thing"], "not a provider Vital knows"),
        ("allowed_providers", ["oura", "Not A Slug"], "is not a provider name"),
        ("last_filter", ["Bad Slug"], "is not a provider name"),
    ],
)
def test_values_out_of_bounds_are_refused_with_the_reason(
    name: str, raw: object, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        checked(SETTINGS_BY_NAME[name], raw)


def test_good_values_pass() -> None:
    assert checked(SETTINGS_BY_NAME["own_oauth_apps"], ["strava", "dexcom_v3"]) == (
        "strava",
        "dexcom_v3",
    )
    assert checked(SETTINGS_BY_NAME["base_url"], "https://proxy.clinic.example/vital") == (
        "https://proxy.clinic.example/vital"
    )
    assert checked(SETTINGS_BY_NAME["base_url"], "http://127.0.0.1:8765")


def test_ca_bundle_must_be_an_existing_file(tmp_path: Path) -> None:
    setting = SETTINGS_BY_NAME["ca_bundle"]
    bundle = tmp_path / "clinic-ca.pem"
    with pytest.raises(ValueError, match="no certificate file"):
        checked(setting, str(bundle))
    with pytest.raises(ValueError, match="folder"):
        checked(setting, str(tmp_path))
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert checked(setting, str(bundle)) == str(bundle)
    assert checked(setting, "") == ""


def test_an_unknown_name_says_so() -> None:
    with pytest.raises(KeyError, match="no setting called"):
        setting_named("link_ttl")


def test_settings_can_be_kept_in_sets() -> None:
    assert len(set(SETTINGS)) == len(SETTINGS)
