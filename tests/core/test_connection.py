"""The connection: what the panel holds becomes a target, a key meaning and a problem.

``Connection.identity`` is what a link is bound to; it must change with the mode, the
address and the key, and it must never hold the key itself (only a fingerprint). No repr
shows the key.
"""

from __future__ import annotations

import pytest

from vital_desktop.core.connection import (
    MODE_LABELS,
    Connection,
    ConnectionChoice,
    ConnectionIdentity,
    DemoEndpoint,
    Mode,
    key_fingerprint,
    resolve_connection,
)
from vital_desktop.core.environments import (
    ApiTarget,
    Environment,
    KeyInfo,
    Region,
    custom_target,
)
from vital_desktop.core.errors import ErrorKind, VitalError

SECRET = "Zx9secretKEYvalue0123456789abcdef"
KEY = f"sk_us_{SECRET}"
KEY_2 = f"sk_us_{SECRET[:-1]}0"  # one character differs
EU_KEY = f"sk_eu_{SECRET}"
PROD_KEY = f"pk_us_{SECRET}"
DEMO_KEY = f"sk_us_demo{SECRET}"
DEMO_TARGET = custom_target("http://127.0.0.1:48123")


def sandbox(key: str = KEY, region: Region = Region.US, **kw: bool) -> Connection:
    return resolve_connection(ConnectionChoice(Mode.SANDBOX, region, api_key_text=key, **kw))


def custom(url: str, key: str = KEY) -> Connection:
    return resolve_connection(ConnectionChoice(Mode.CUSTOM, base_url_text=url, api_key_text=key))


def demo(endpoint: DemoEndpoint | None) -> Connection:
    return resolve_connection(ConnectionChoice(Mode.DEMO), endpoint)


def assert_no_key(text: str, key: str = KEY) -> None:
    assert key not in text
    assert SECRET not in text
    assert SECRET[:12] not in text


# ------------------------------------------------------------------------ demo


def test_demo_while_the_practice_server_starts() -> None:
    for endpoint in (None, DemoEndpoint()):
        connection = demo(endpoint)
        assert not connection.ready
        assert connection.problem is not None
        assert connection.problem.kind is ErrorKind.CANNOT_CONNECT
        assert connection.problem.message == (
            "The practice server is still starting; try again in a moment."
        )
        assert connection.target is None
        assert connection.label == "Demo (practice server)"


def test_demo_when_the_practice_server_failed() -> None:
    failure = VitalError(ErrorKind.CANNOT_CONNECT, "The practice server could not start.")
    connection = demo(DemoEndpoint(problem=failure))
    assert not connection.ready
    assert connection.problem is failure
    assert connection.identity.base_url == ""


def test_demo_when_the_practice_server_runs() -> None:
    connection = demo(DemoEndpoint(DEMO_TARGET, DEMO_KEY))
    assert connection.ready
    assert connection.problem is None
    assert connection.target == DEMO_TARGET
    assert connection.api_key == DEMO_KEY
    assert connection.key_info == KeyInfo(Environment.SANDBOX, Region.US)
    assert not connection.production
    assert connection.label == "Demo (practice server)"
    assert connection.identity == ConnectionIdentity(
        Mode.DEMO, "http://127.0.0.1:48123", key_fingerprint(DEMO_KEY)
    )


def test_a_restarted_practice_server_is_another_connection() -> None:
    first = demo(DemoEndpoint(DEMO_TARGET, DEMO_KEY)).identity
    other_port = demo(DemoEndpoint(custom_target("http://127.0.0.1:48124"), DEMO_KEY)).identity
    other_key = demo(DemoEndpoint(DEMO_TARGET, DEMO_KEY + "x")).identity
    assert len({first, other_port, other_key}) == 3


# --------------------------------------------------------------------- sandbox


def test_sandbox_with_a_matching_key() -> None:
    connection = sandbox()
    assert connection.ready
    assert connection.problem is None
    assert connection.target == ApiTarget(
        "https://api.sandbox.us.junction.com", Environment.SANDBOX, Region.US
    )
    assert connection.key_info == KeyInfo(Environment.SANDBOX, Region.US)
    assert not connection.production
    assert connection.label == "Sandbox · US"


@pytest.mark.parametrize("key", [EU_KEY, PROD_KEY])
def test_sandbox_with_a_mismatched_key_is_blocked(key: str) -> None:
    connection = sandbox(key)
    assert not connection.ready
    assert connection.problem is not None
    assert connection.problem.kind is ErrorKind.KEY_MISMATCH
    assert connection.problem.field == "api_key"
    assert "the app is set to sandbox US" in connection.problem.message
    assert connection.target is not None  # the choice itself is fine: the key is not
    assert connection.key_info is not None
    assert connection.problem.__traceback__ is None  # kept without its stack
    assert_no_key(repr(connection), key)
    assert_no_key(str(connection.problem), key)


def test_sandbox_without_a_key_or_with_a_malformed_one() -> None:
    missing = sandbox("   ")
    assert not missing.ready
    assert missing.problem is not None and missing.problem.kind is ErrorKind.KEY_MISSING
    assert missing.key_info is None
    malformed = sandbox("sk_us_ab cd" + SECRET)
    assert malformed.problem is not None and malformed.problem.kind is ErrorKind.KEY_MALFORMED
    assert_no_key(repr(malformed))


def test_a_pasted_key_is_cleaned_and_keeps_its_identity() -> None:
    pasted = sandbox(f'  "{KEY}"\n')
    assert pasted.ready
    assert pasted.api_key == KEY
    assert pasted.identity == sandbox(KEY).identity


def test_production_is_flagged() -> None:
    connection = resolve_connection(
        ConnectionChoice(Mode.PRODUCTION, Region.US, api_key_text=PROD_KEY)
    )
    assert connection.ready
    assert connection.production
    assert connection.label == "Production · US"


def test_the_legacy_host_is_another_connection() -> None:
    legacy = sandbox(legacy=True)
    assert legacy.ready
    assert legacy.target is not None
    assert legacy.target.base_url == "https://api.sandbox.tryvital.io"
    assert legacy.identity != sandbox().identity


# ---------------------------------------------------------------------- custom


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("", "Enter the API address"),
        ("http://api.example.com", "Plain http:// is allowed only for this computer"),
        ("ftp://api.example.com", "must start with https://"),
        ("https://api.example.com/?x=1", "must not contain a query"),
        ("https://api example.com", "must not contain spaces"),
    ],
)
def test_a_bad_custom_address_is_blocked(url: str, sentence: str) -> None:
    connection = custom(url)
    assert not connection.ready
    assert connection.target is None
    assert connection.problem is not None
    assert connection.problem.kind is ErrorKind.INVALID_INPUT
    assert connection.problem.field == "base_url"
    assert sentence in connection.problem.message
    assert connection.problem.__traceback__ is None
    assert connection.problem.__context__ is None
    assert connection.label == MODE_LABELS[Mode.CUSTOM]
    assert connection.key_info == KeyInfo(Environment.SANDBOX, Region.US)  # still read


def test_a_good_custom_address() -> None:
    connection = custom(" https://api.example.com/v1/ ")
    assert connection.ready
    assert connection.target == ApiTarget("https://api.example.com/v1")
    assert connection.label == "Sandbox · US via api.example.com"
    # A custom address says nothing about the environment: an EU key is no mismatch.
    assert custom("https://api.example.com/v1", EU_KEY).ready
    local = custom("http://127.0.0.1:8000")
    assert local.ready and local.target == ApiTarget("http://127.0.0.1:8000")


def test_a_good_custom_address_still_needs_a_key() -> None:
    connection = custom("https://api.example.com", "")
    assert not connection.ready
    assert connection.target is not None
    assert connection.problem is not None and connection.problem.kind is ErrorKind.KEY_MISSING
    assert connection.label == "Custom (https://api.example.com)"


# -------------------------------------------------------------------- identity


def test_identity_follows_mode_address_and_key() -> None:
    base = sandbox().identity
    assert base == ConnectionIdentity(
        Mode.SANDBOX, "https://api.sandbox.us.junction.com", key_fingerprint(KEY)
    )
    assert sandbox().identity == base  # stable
    same_host = custom("https://api.sandbox.us.junction.com").identity
    assert same_host.base_url == base.base_url
    assert same_host != base  # another mode
    assert sandbox(EU_KEY, Region.EU).identity != base
    assert custom("https://api.example.com").identity != custom("https://api2.example.com").identity


def test_two_different_keys_give_different_identities() -> None:
    assert sandbox(KEY).identity != sandbox(KEY_2).identity
    assert custom("https://api.example.com", KEY).identity != (
        custom("https://api.example.com", KEY_2).identity
    )
    assert key_fingerprint(KEY) != key_fingerprint(KEY_2)


def test_key_fingerprint() -> None:
    fingerprint = key_fingerprint(KEY)
    assert fingerprint == key_fingerprint(KEY)
    assert len(fingerprint) == 16
    assert int(fingerprint, 16) >= 0  # hexadecimal
    assert_no_key(fingerprint)
    assert key_fingerprint("") == ""
    assert key_fingerprint("\udcff") != ""  # a lone surrogate from a bad paste still hashes


# ------------------------------------------------------------ the key stays out


def test_no_repr_and_no_identity_contains_the_key() -> None:
    choice = ConnectionChoice(Mode.SANDBOX, Region.US, api_key_text=KEY)
    endpoint = DemoEndpoint(DEMO_TARGET, KEY)
    connections = [
        resolve_connection(choice),
        demo(endpoint),
        custom("https://api.example.com"),
        custom("http://example.com"),
        sandbox(KEY, Region.EU),
    ]
    texts = [repr(choice), str(choice), repr(endpoint), str(endpoint)]
    for connection in connections:
        assert connection.api_key == KEY  # it is there to use...
        identity = connection.identity
        texts += [repr(connection), str(connection), repr(identity), str(identity)]
        texts += [str(value) for value in vars(identity).values()]
        texts.append(connection.label)
    for text in texts:
        assert_no_key(text)
