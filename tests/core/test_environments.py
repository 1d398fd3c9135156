"""Environments, regions, hosts and what an API key's prefix says about them."""

from __future__ import annotations

import pytest

from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    BASE_URL_VARIABLE,
    HOSTS,
    ApiTarget,
    Environment,
    KeyInfo,
    Region,
    check_key,
    clean_key,
    custom_target,
    describe,
    inspect_key,
    key_mismatch,
    standard_target,
    target_for_key,
)
from vital_desktop.core.errors import ErrorKind, VitalError

SECRET = "0123456789abcdef0123456789abcdef"

CURRENT = {
    (Environment.PRODUCTION, Region.US): "https://api.us.junction.com",
    (Environment.PRODUCTION, Region.EU): "https://api.eu.junction.com",
    (Environment.SANDBOX, Region.US): "https://api.sandbox.us.junction.com",
    (Environment.SANDBOX, Region.EU): "https://api.sandbox.eu.junction.com",
}
LEGACY = {
    (Environment.PRODUCTION, Region.US): "https://api.tryvital.io",
    (Environment.PRODUCTION, Region.EU): "https://api.eu.tryvital.io",
    (Environment.SANDBOX, Region.US): "https://api.sandbox.tryvital.io",
    (Environment.SANDBOX, Region.EU): "https://api.sandbox.eu.tryvital.io",
}
PREFIX = {
    (Environment.PRODUCTION, Region.US): "pk_us_",
    (Environment.PRODUCTION, Region.EU): "pk_eu_",
    (Environment.SANDBOX, Region.US): "sk_us_",
    (Environment.SANDBOX, Region.EU): "sk_eu_",
}
PAIRS = list(CURRENT)


def test_variable_names() -> None:
    assert BASE_URL_VARIABLE == "VITAL_BASE_URL"
    assert API_KEY_VARIABLE == "VITAL_API_KEY"


@pytest.mark.parametrize("pair", PAIRS)
def test_standard_target_defaults_to_junction_host(pair: tuple[Environment, Region]) -> None:
    target = standard_target(*pair)
    assert target.base_url == CURRENT[pair]
    assert (target.environment, target.region) == pair
    assert not target.legacy and not target.custom
    assert HOSTS[pair] == (CURRENT[pair], LEGACY[pair])


@pytest.mark.parametrize("pair", PAIRS)
def test_legacy_host_is_selectable(pair: tuple[Environment, Region]) -> None:
    target = standard_target(*pair, legacy=True)
    assert target.base_url == LEGACY[pair]
    assert target.legacy
    assert (target.environment, target.region) == pair
    assert "(legacy host)" in target.label


def test_labels() -> None:
    assert standard_target(Environment.SANDBOX, Region.EU).label == "Sandbox · EU"
    assert standard_target(Environment.PRODUCTION, Region.US).host == "api.us.junction.com"
    assert describe(Environment.SANDBOX, Region.US) == "sandbox US"
    assert KeyInfo(Environment.PRODUCTION, Region.EU).label == "production EU"
    custom = custom_target("https://proxy.example/vital/")
    assert custom.label == "Custom (https://proxy.example/vital)"
    assert custom.custom and custom.environment is None and custom.region is None


# ------------------------------------------------------------------ custom base URL


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://api.example.com", "https://api.example.com"),
        ("  https://api.example.com/  ", "https://api.example.com"),
        ("HTTPS://api.example.com:8443/prefix/", "https://api.example.com:8443/prefix"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://127.5.6.7", "http://127.5.6.7"),
        ("http://sandbox.localhost:1", "http://sandbox.localhost:1"),
    ],
)
def test_custom_target_accepts(url: str, base: str) -> None:
    target = custom_target(url)
    assert target.base_url == base
    assert target.custom


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the API address"),
        ("   ", "Enter the API address"),
        ("http://api.example.com", "only for this computer"),
        ("http://10.0.0.1:8000", "only for this computer"),
        ("http://0.0.0.0:8000", "only for this computer"),
        ("http://localhost.evil.example", "only for this computer"),
        ("ftp://api.example.com", "must start with https://"),
        ("api.example.com", "must start with https://"),
        ("https://", "must start with https://"),
        ("https://api.example.com:99999", "not a valid URL"),
        ("https://api.exa mple.com", "must not contain spaces"),
        ("https://api.example.com/?x=1", "query, fragment or password"),
        ("https://api.example.com/#top", "query, fragment or password"),
        ("https://user:pw@api.example.com", "query, fragment or password"),
        ("http://localhost@evil.example", "only for this computer"),
    ],
)
def test_custom_target_refuses(url: str, words: str) -> None:
    with pytest.raises(VitalError) as info:
        custom_target(url)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert info.value.field == "base_url"
    assert words in info.value.message


# ------------------------------------------------------------------ keys


@pytest.mark.parametrize("pair", PAIRS)
def test_inspect_key_reads_environment_and_region(pair: tuple[Environment, Region]) -> None:
    assert inspect_key(PREFIX[pair] + SECRET) == KeyInfo(*pair)


def test_sk_means_sandbox_and_pk_production() -> None:
    assert inspect_key("sk_eu_" + SECRET).environment is Environment.SANDBOX
    assert inspect_key("pk_eu_" + SECRET).environment is Environment.PRODUCTION


@pytest.mark.parametrize(
    "pasted", [f"  sk_us_{SECRET}\n", f'"sk_us_{SECRET}"', f"'sk_us_{SECRET}'"]
)
def test_pasted_key_is_cleaned(pasted: str) -> None:
    assert clean_key(pasted) == "sk_us_" + SECRET
    assert inspect_key(pasted) == KeyInfo(Environment.SANDBOX, Region.US)


@pytest.mark.parametrize("key", ["", "   ", '""'])
def test_missing_key(key: str) -> None:
    with pytest.raises(VitalError) as info:
        inspect_key(key)
    assert info.value.kind is ErrorKind.KEY_MISSING
    assert info.value.field == "api_key"


def test_management_key_is_refused_with_a_reason() -> None:
    key = "mg_" + SECRET
    with pytest.raises(VitalError) as info:
        inspect_key(key)
    err = info.value
    assert err.kind is ErrorKind.KEY_REFUSED
    assert "management key" in err.message
    assert "sk_" in err.message and "pk_" in err.message
    assert SECRET not in str(err) and SECRET not in err.detail and SECRET not in repr(err)


@pytest.mark.parametrize(
    "key",
    [
        "sk_" + SECRET,
        "sk_xx_" + SECRET,
        "sk_us_",
        "pk_us",
        "ak_us_" + SECRET,
        "SK_US_" + SECRET,
        "sk_us_abc def",
        "sk_us_abc\ndef",
        "sk_us_abcé",
        "sk_us_abc\x00",
    ],
)
def test_malformed_key(key: str) -> None:
    with pytest.raises(VitalError) as info:
        inspect_key(key)
    assert info.value.kind is ErrorKind.KEY_MALFORMED
    assert "sk_us_" in info.value.message
    tail = key[6:]
    if len(tail) > 3:
        assert tail not in str(info.value) and tail not in info.value.detail


@pytest.mark.parametrize("key_pair", PAIRS)
@pytest.mark.parametrize("target_pair", PAIRS)
@pytest.mark.parametrize("legacy", [False, True])
def test_mismatch_is_reported_for_standard_targets(
    key_pair: tuple[Environment, Region],
    target_pair: tuple[Environment, Region],
    legacy: bool,
) -> None:
    key = PREFIX[key_pair] + SECRET
    target = standard_target(*target_pair, legacy=legacy)
    if key_pair == target_pair:
        assert check_key(key, target) == KeyInfo(*key_pair)
        assert key_mismatch(KeyInfo(*key_pair), target) is None
        return
    with pytest.raises(VitalError) as info:
        check_key(key, target)
    err = info.value
    assert err.kind is ErrorKind.KEY_MISMATCH
    assert err.field == "api_key"
    assert describe(*key_pair) in err.message
    assert describe(*target_pair) in err.message
    assert SECRET not in str(err) and SECRET not in err.detail


def test_mismatch_sentence() -> None:
    text = key_mismatch(
        KeyInfo(Environment.SANDBOX, Region.US), standard_target(Environment.PRODUCTION, Region.EU)
    )
    assert text == (
        "This is a sandbox US key, but the app is set to production EU. "
        "Switch to sandbox US, or paste a production EU key."
    )


@pytest.mark.parametrize("pair", PAIRS)
def test_custom_target_never_reports_a_mismatch(pair: tuple[Environment, Region]) -> None:
    # Even a custom URL that happens to be a vendor host says nothing about the environment.
    for url in ("http://127.0.0.1:8000", "https://api.eu.junction.com"):
        assert check_key(PREFIX[pair] + SECRET, custom_target(url)) == KeyInfo(*pair)


def test_custom_target_still_refuses_bad_keys() -> None:
    target = custom_target("http://127.0.0.1:8000")
    with pytest.raises(VitalError) as info:
        check_key("mg_" + SECRET, target)
    assert info.value.kind is ErrorKind.KEY_REFUSED


@pytest.mark.parametrize("pair", PAIRS)
def test_target_for_key_follows_the_prefix(pair: tuple[Environment, Region]) -> None:
    target = target_for_key(PREFIX[pair] + SECRET, {})
    assert target == standard_target(*pair)
    assert target_for_key(PREFIX[pair] + SECRET) == standard_target(*pair)


def test_target_for_key_honours_vital_base_url() -> None:
    target = target_for_key("pk_eu_" + SECRET, {BASE_URL_VARIABLE: " http://127.0.0.1:9/ "})
    assert target == ApiTarget("http://127.0.0.1:9")
    assert target.custom
    # ...and the key alone then describes the environment, with no mismatch.
    assert check_key("pk_eu_" + SECRET, target) == KeyInfo(Environment.PRODUCTION, Region.EU)


def test_target_for_key_blank_base_url_is_ignored() -> None:
    assert target_for_key("sk_eu_" + SECRET, {BASE_URL_VARIABLE: "  "}) == standard_target(
        Environment.SANDBOX, Region.EU
    )


def test_target_for_key_refuses_a_bad_base_url() -> None:
    with pytest.raises(VitalError) as info:
        target_for_key("sk_us_" + SECRET, {BASE_URL_VARIABLE: "http://api.example.com"})
    assert info.value.field == "base_url"


def test_target_for_key_refuses_bad_key_without_base_url() -> None:
    with pytest.raises(VitalError) as info:
        target_for_key("mg_" + SECRET, {})
    assert info.value.kind is ErrorKind.KEY_REFUSED


# ------------------------------------------------------------------ host names


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://" + "a" * 64 + ".example.com", "longer than 63 characters"),
        ("https://api." + "b" * 64, "longer than 63 characters"),
        ("https://" + ("a" * 60 + ".") * 5 + "com", "longer than 253 characters"),
        ("https://xn--zz.example", "not a valid international domain name"),
        ("https://\u2615.example", "not a valid international domain name"),
        ("https://a!b.example", "characters a host name cannot have"),
    ],
)
def test_custom_host_that_cannot_exist_is_refused(url: str, words: str) -> None:
    with pytest.raises(VitalError) as info:
        custom_target(url)
    err = info.value
    assert err.field == "base_url" and err.kind is ErrorKind.INVALID_INPUT
    assert words in err.message
    assert err.message.endswith(".") and "\n" not in err.message


@pytest.mark.parametrize(
    "url",
    [
        "https://" + "a" * 63 + ".example.com",
        "https://" + ("a" * 60 + ".") * 4 + "com",
        "https://bücher.example",
        "https://xn--bcher-kva.example",
        "https://api_internal.corp.example",
        "http://[::1]:8765",
        "https://10.0.0.5:8443",
    ],
)
def test_custom_host_that_can_exist_is_kept(url: str) -> None:
    assert custom_target(url).base_url == url
