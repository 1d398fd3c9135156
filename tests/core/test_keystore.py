"""The keychain store: entries per environment, masking, and no silent fallback anywhere.

``MemoryKeyring`` is a real keyring backend (keyring's own base class) that keeps entries in
a dict; the CLI and Qt tests import it from here.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from vital_desktop.core.environments import Environment, Region
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.keystore import (
    ENTRIES,
    NO_KEYCHAIN,
    SERVICE,
    KeychainError,
    KeyStore,
    entry_name,
    mask,
)

SANDBOX_US = "sk_us_" + "0123456789abcdef0123456789a1b2"
SANDBOX_EU = "sk_eu_" + "fedcba9876543210fedcba98765c3d4"
PRODUCTION_US = "pk_us_" + "00112233445566778899aabbccdd9e8f"


class MemoryKeyring(KeyringBackend):
    """An in-memory keychain. Not ``viable``: keyring never picks it by itself."""

    priority = 5  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("no such entry")
        del self.entries[(service, username)]


class LowRankKeyring(MemoryKeyring):
    """A backend that ranks itself below 1 (keyring's sign of a last resort)."""

    priority = 0.5  # type: ignore[assignment]


class PlainFileKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plain-text file keyring (same module, high rank)."""

    priority = 5  # type: ignore[assignment]


PlainFileKeyring.__module__ = "keyrings.alt.file"


class LockedKeyring(MemoryKeyring):
    """Every call fails the way a locked Secret Service does, quoting the key it was given."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password!r} while locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("locked")


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    """A MemoryKeyring registered as keyring's backend for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_entry_names() -> None:
    assert entry_name(Environment.SANDBOX, Region.US) == "sandbox-us"
    assert entry_name(Environment.PRODUCTION, Region.EU) == "production-eu"
    assert [entry_name(i.environment, i.region) for i in ENTRIES] == [
        "sandbox-us",
        "sandbox-eu",
        "production-us",
        "production-eu",
    ]


def test_mask_shows_prefix_and_last_four_only() -> None:
    assert mask(SANDBOX_US) == "sk_us_…a1b2"
    assert mask(PRODUCTION_US) == "pk_us_…9e8f"
    assert mask("  'sk_us_0123456789abcdefa1b2'\n") == "sk_us_…a1b2"
    # A short secret part keeps even its last four to itself.
    assert mask("sk_us_abcdefgh") == "sk_us_…"
    assert mask("not a key at all") == "…"
    assert mask("") == "…"


def test_default_backend_is_keyrings_choice(memory: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.usable and store.why_unusable is None
    store.save(SANDBOX_US)
    assert memory.entries == {(SERVICE, "sandbox-us"): SANDBOX_US}


def test_round_trip_per_environment_and_region(memory: MemoryKeyring) -> None:
    store = KeyStore(memory)
    info = store.save("  " + SANDBOX_US + "\n")
    assert (info.environment, info.region) == (Environment.SANDBOX, Region.US)
    store.save(PRODUCTION_US)
    assert store.load(Environment.SANDBOX, Region.US) == SANDBOX_US
    assert store.load(Environment.PRODUCTION, Region.US) == PRODUCTION_US
    assert store.load(Environment.SANDBOX, Region.EU) is None
    assert store.status() == [
        ("sandbox-us", "sk_us_…a1b2"),
        ("sandbox-eu", ""),
        ("production-us", "pk_us_…9e8f"),
        ("production-eu", ""),
    ]
    assert [(i.environment, i.region) for i in store.stored()] == [
        (Environment.SANDBOX, Region.US),
        (Environment.PRODUCTION, Region.US),
    ]
    # Replacing overwrites the one entry.
    replacement = "sk_us_" + "9" * 28 + "ffff"
    store.save(replacement)
    assert store.load(Environment.SANDBOX, Region.US) == replacement
    assert len(memory.entries) == 2

    assert store.forget(Environment.SANDBOX, Region.US) is True
    assert store.forget(Environment.SANDBOX, Region.US) is False
    assert store.load(Environment.SANDBOX, Region.US) is None
    assert memory.entries == {(SERVICE, "production-us"): PRODUCTION_US}


@pytest.mark.parametrize("bad", ["", "   ", "mg_us_abcdef0123456789", "sk_xx_123", "sk_us_ab cd"])
def test_a_bad_key_is_refused_and_nothing_is_written(memory: MemoryKeyring, bad: str) -> None:
    with pytest.raises(VitalError) as caught:
        KeyStore(memory).save(bad)
    assert caught.value.kind is ErrorKind.INVALID_INPUT
    assert caught.value.field == "api_key"
    assert memory.entries == {}


def test_an_entry_that_is_not_a_key_of_that_environment_is_ignored(
    memory: MemoryKeyring,
) -> None:
    memory.entries[(SERVICE, "sandbox-us")] = SANDBOX_EU  # wrong entry
    memory.entries[(SERVICE, "sandbox-eu")] = "garbage"
    store = KeyStore(memory)
    assert store.load(Environment.SANDBOX, Region.US) is None
    assert store.load(Environment.SANDBOX, Region.EU) is None


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), LowRankKeyring(), PlainFileKeyring()],
    ids=["fail", "null", "low-rank", "keyrings.alt"],
)
def test_an_insecure_or_missing_keychain_is_never_used(backend: KeyringBackend) -> None:
    store = KeyStore(backend)
    assert store.usable is False
    assert store.why_unusable is not None and "this session only" in store.why_unusable
    assert store.why_unusable.count(".") == 1  # one sentence
    with pytest.raises(KeychainError) as caught:
        store.save(SANDBOX_US)
    assert caught.value.message == store.why_unusable
    assert store.load(Environment.SANDBOX, Region.US) is None
    assert store.forget(Environment.SANDBOX, Region.US) is False
    assert store.status() == [(entry_name(i.environment, i.region), "") for i in ENTRIES]
    if isinstance(backend, MemoryKeyring):
        assert backend.entries == {} and backend.calls == []


def test_no_keychain_sentence() -> None:
    assert (
        KeyStore(fail.Keyring()).why_unusable
        == NO_KEYCHAIN
        == ("No keychain is available on this computer, so the key is kept for this session only.")
    )


def test_a_chain_uses_its_best_keychain_only(monkeypatch: pytest.MonkeyPatch) -> None:
    best, plain = MemoryKeyring(), LowRankKeyring()
    plain.entries[(SERVICE, "sandbox-us")] = SANDBOX_US  # must never be read from there
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [best, plain])
    store = KeyStore(chainer.ChainerBackend())
    assert store.usable
    assert store.load(Environment.SANDBOX, Region.US) is None
    store.save(PRODUCTION_US)
    assert best.entries == {(SERVICE, "production-us"): PRODUCTION_US}
    assert plain.calls == []

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plain])
    assert KeyStore(chainer.ChainerBackend()).usable is False


def test_backend_failures_become_one_sentence_without_the_key() -> None:
    store = KeyStore(LockedKeyring())
    assert store.usable
    for action in (
        lambda: store.save(SANDBOX_US),
        lambda: store.load(Environment.SANDBOX, Region.US),
        lambda: store.forget(Environment.SANDBOX, Region.US),
        store.status,
    ):
        with pytest.raises(KeychainError) as caught:
            action()
        error = caught.value
        assert error.field == "keychain"
        assert error.message.count(". ") == 0 and error.message.endswith(".")
        assert "0123456789abcdef" not in error.message + error.detail
        assert "Traceback" not in error.message + error.detail
        assert error.__cause__ is None and error.__suppress_context__
    with pytest.raises(KeychainError) as caught:
        store.save(SANDBOX_US)
    assert "PasswordSetError" in caught.value.detail  # support sees what failed
    assert "[redacted]" in caught.value.detail


def test_repr_names_the_backend_not_a_key(memory: MemoryKeyring) -> None:
    store = KeyStore(memory)
    store.save(SANDBOX_US)
    assert SANDBOX_US not in repr(store)
    assert store.backend_name in repr(store)
