"""Team API keys remembered in the operating system's keychain, one entry per environment.

The keychain is whatever ``keyring`` finds (Secret Service on Linux desktops, the macOS
Keychain, Windows Credential Locker). Only a real keychain is used: keyring's ``fail`` and
``null`` backends, the plain-text and "encrypted" file keyrings of ``keyrings.alt``, and any
backend ranked below 1 make the store *unusable*: the key is then kept for the session only
and nothing is written anywhere, never a file as a fallback. Where keyring's answer is
certain without loading it (Linux without a session bus, ``keychain_choice``), it is not
loaded at all: the store is then the same as with keyring's ``fail`` backend.

Entries live under the service ``vital-desktop`` with the user name ``sandbox-us``,
``production-eu`` and so on. Every backend failure (locked keychain, dismissed prompt, D-Bus
gone) becomes a ``KeychainError`` with one plain sentence; neither its message nor its detail
contains the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vital_desktop.core.environments import (
    KEY_PREFIXES,
    Environment,
    KeyInfo,
    Region,
    clean_key,
    describe,
    inspect_key,
)
from vital_desktop.core.errors import ErrorKind, VitalError, invalid_input, redact
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate
from vital_desktop.core.keychain_choice import FAIL_BACKEND_NAME, keyring_finds_nothing

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "vital-desktop"

# The order entries are listed in: sandbox before production, US before EU.
ENTRIES: tuple[KeyInfo, ...] = tuple(
    KeyInfo(environment, region)
    for environment in (Environment.SANDBOX, Environment.PRODUCTION)
    for region in (Region.US, Region.EU)
)

NO_KEYCHAIN = QT_TRANSLATE_NOOP(
    "Keystore",
    "No keychain is available on this computer, so the key is kept for this session only.",
)
INSECURE_KEYCHAIN = QT_TRANSLATE_NOOP(
    "Keystore",
    "The only keychain on this computer would keep the key in a plain file, so the key is "
    "kept for this session only.",
)

# Shorter than this, the last four characters would give away too much of the secret part.
_MASK_MIN_SECRET = 12
_INSECURE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def entry_name(environment: Environment, region: Region) -> str:
    """The keychain user name for an environment and region: ``"sandbox-us"``."""
    return f"{environment.value}-{region.value}"


def mask(key: str) -> str:
    """``"sk_us_…a1b2"``: the prefix and the last four characters, never more."""
    key = clean_key(key)
    prefix = next((p for p in KEY_PREFIXES.values() if key.startswith(p)), "")
    secret = key[len(prefix) :]
    tail = secret[-4:] if prefix and len(secret) >= _MASK_MIN_SECRET else ""
    return f"{prefix}…{tail}"


class KeychainError(VitalError):
    """The keychain is unusable or failed. ``field`` is ``keychain``; exit code 2 (the
    person at the desk has to act: unlock the keychain, or use ``VITAL_API_KEY``)."""

    def __init__(self, message: str, cause: BaseException | None = None, key: str = "") -> None:
        detail = None
        if cause is not None:
            text = redact(str(cause), [key])[:200]
            detail = f"{type(cause).__module__}.{type(cause).__name__}: {text}"
        super().__init__(ErrorKind.INVALID_INPUT, message, field="keychain", server_message=detail)


def _insecure(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if any(module == m or module.startswith(m + ".") for m in _INSECURE_MODULES):
        return True
    try:
        return float(backend.priority) < 1
    except Exception:  # a backend that cannot even rank itself is not usable
        return True


def _pick(backend: KeyringBackend) -> KeyringBackend:
    """A chainer stands for its best backend: reads and writes go there only, so a key is
    never read from (or written to) a plain-text keyring chained behind a real one."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        return chained[0] if chained else backend
    return backend


class KeyStore:
    """The remembered keys. ``backend`` None uses keyring's choice for this computer."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        chosen = _default_backend() if backend is None else backend
        # None: keyring would choose its ``fail`` backend, known without loading keyring.
        self._backend = None if chosen is None else _pick(chosen)
        self.usable: bool = self._backend is not None and not _insecure(self._backend)
        self.backend_name: str = (
            FAIL_BACKEND_NAME if self._backend is None else _name(self._backend)
        )
        # True when the only keychain found would keep keys in a file (keyrings.alt).
        self.insecure: bool = type(self._backend).__module__.startswith("keyrings.alt")
        self.why_unusable: str | None = None
        if not self.usable:
            self.why_unusable = translate(
                "Keystore", INSECURE_KEYCHAIN if self.insecure else NO_KEYCHAIN
            )

    def __repr__(self) -> str:
        return f"KeyStore({self.backend_name!r}, usable={self.usable})"

    # ------------------------------------------------------------------ reads

    def load(self, environment: Environment, region: Region) -> str | None:
        """The stored key for an environment and region, or None (also when unusable).

        An entry that is not a key of that environment and region is treated as absent.
        """
        backend = self._backend
        if not self.usable or backend is None:
            return None
        name = entry_name(environment, region)
        try:
            value = backend.get_password(SERVICE, name)
        except Exception as error:
            raise KeychainError(
                translate(
                    "Keystore",
                    "The keychain could not be read, so the stored {key} key was not used.",
                ).format(key=describe(environment, region)),
                error,
            ) from None
        if not value:
            return None
        key = clean_key(value)
        try:
            info = inspect_key(key)
        except VitalError:
            return None
        if (info.environment, info.region) != (environment, region):
            return None
        return key

    def status(self) -> list[tuple[str, str]]:
        """``(entry, masked key)`` for all four entries, masked ``""`` where none is stored."""
        rows: list[tuple[str, str]] = []
        for info in ENTRIES:
            key = self.load(info.environment, info.region)
            rows.append((entry_name(info.environment, info.region), mask(key) if key else ""))
        return rows

    def stored(self) -> list[KeyInfo]:
        """The environments and regions that have a key stored, in ``ENTRIES`` order."""
        return [info for info in ENTRIES if self.load(info.environment, info.region)]

    # ----------------------------------------------------------------- writes

    def save(self, key: str) -> KeyInfo:
        """Store ``key`` under the entry its prefix names; return that environment/region.

        Raises ``VitalError`` INVALID_INPUT (field ``api_key``) for a bad key, and
        ``KeychainError`` when the store is unusable or the keychain fails. Nothing is
        written anywhere else, ever.
        """
        key = clean_key(key)
        try:
            info = inspect_key(key)
        except VitalError as error:
            raise invalid_input("api_key", error.message) from None
        backend = self._backend
        if not self.usable or backend is None:
            raise KeychainError(self.why_unusable or translate("Keystore", NO_KEYCHAIN))
        name = entry_name(info.environment, info.region)
        try:
            backend.set_password(SERVICE, name, key)
        except Exception as error:
            raise KeychainError(
                translate(
                    "Keystore",
                    "The keychain did not save the {key} key (it is locked, or refused), "
                    "so the key is kept for this session only.",
                ).format(key=info.label),
                error,
                key,
            ) from None
        return info

    def forget(self, environment: Environment, region: Region) -> bool:
        """Remove the entry; True when there was one. Nothing to do when unusable."""
        backend = self._backend
        if not self.usable or backend is None:
            return False
        name = entry_name(environment, region)
        try:
            if backend.get_password(SERVICE, name) is None:
                return False
            backend.delete_password(SERVICE, name)
        except Exception as error:
            raise KeychainError(
                translate(
                    "Keystore",
                    "The keychain did not remove the {key} key; "
                    "unlock the keychain and try again, or delete '{entry}' from it by hand.",
                ).format(key=describe(environment, region), entry=SERVICE),
                error,
            ) from None
        return True


def _default_backend() -> KeyringBackend | None:
    """keyring's choice, or its ``fail`` backend when even choosing fails (a broken
    ``PYTHON_KEYRING_BACKEND``, a keyring config file naming a missing backend).

    None stands for that ``fail`` backend when it is certain without asking keyring (Linux
    with no session bus and no keyring set-up, ``keychain_choice``): keyring, its plug-ins
    and the Secret Service's cryptography (about 14 MB) are then never loaded.
    """
    try:
        if keyring_finds_nothing():
            return None
    except Exception:  # the shortcut is only ever a shortcut: ask keyring
        pass
    import keyring
    from keyring.backends import fail

    try:
        return keyring.get_keyring()
    except Exception:
        return fail.Keyring()  # type: ignore[no-untyped-call]


def _name(backend: KeyringBackend) -> str:
    try:
        return str(backend.name)
    except Exception:
        return type(backend).__name__
