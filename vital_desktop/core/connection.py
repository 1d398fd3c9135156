"""The connection a desk works through: which API, with which key, and whether it is usable.

Qt-free: the connection panel only collects what was chosen and typed (``ConnectionChoice``);
``resolve_connection`` turns that into a ``Connection`` with the target, the key's meaning
and the problem that blocks Generate, if any. ``Connection.identity`` is what a link is
bound to: a link made through one identity must never be handed out under another. Neither
object shows the key in its repr, and the identity holds only a fingerprint of it.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field

from vital_desktop.core.environments import (
    ApiTarget,
    Environment,
    KeyInfo,
    Region,
    check_key,
    clean_key,
    custom_target,
    inspect_key,
    place_label,
    standard_target,
)
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate


class Mode(enum.StrEnum):
    """Where links come from: a standard environment, a custom address, or demo."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"
    CUSTOM = "custom"
    DEMO = "demo"


MODE_LABELS = {
    # Marked for translation; the window shows them through the "Connection" context.
    Mode.SANDBOX: QT_TRANSLATE_NOOP("Connection", "Sandbox (test data)"),
    Mode.PRODUCTION: QT_TRANSLATE_NOOP("Connection", "Production (real patients)"),
    Mode.CUSTOM: QT_TRANSLATE_NOOP("Connection", "Custom API address"),
    Mode.DEMO: QT_TRANSLATE_NOOP("Connection", "Demo (practice server on this computer)"),
}


def key_fingerprint(key: str) -> str:
    """A short, one-way token for comparing keys without keeping them (not a secret)."""
    if not key:
        return ""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class ConnectionIdentity:
    """What a link is bound to: mode, API address and which key (by fingerprint only)."""

    mode: Mode
    base_url: str
    key_fingerprint: str


@dataclass(frozen=True)
class DemoEndpoint:
    """The practice server's address and key once it runs, or why it could not start."""

    target: ApiTarget | None = None
    api_key: str = field(default="", repr=False)
    problem: VitalError | None = None


@dataclass(frozen=True)
class ConnectionChoice:
    """What the connection panel holds: the choices and the typed text, nothing derived."""

    mode: Mode
    region: Region = Region.US
    base_url_text: str = ""
    api_key_text: str = field(default="", repr=False)
    legacy: bool = False


@dataclass(frozen=True)
class Connection:
    """What Generate would use now. ``problem`` blocks it, with the sentence to show."""

    mode: Mode
    target: ApiTarget | None
    api_key: str = field(repr=False)
    key_info: KeyInfo | None
    problem: VitalError | None

    @property
    def ready(self) -> bool:
        """True when a request may be sent."""
        return self.problem is None and self.target is not None

    @property
    def production(self) -> bool:
        """True for a production key: real patients."""
        return self.key_info is not None and self.key_info.environment is Environment.PRODUCTION

    @property
    def identity(self) -> ConnectionIdentity:
        """The identity a link made through this connection belongs to."""
        base = self.target.base_url if self.target is not None else ""
        return ConnectionIdentity(self.mode, base, key_fingerprint(self.api_key))

    @property
    def label(self) -> str:
        """``"Sandbox · US"``, ``"Demo (practice server)"`` or ``"Custom (https://…)"``.

        Translated, for showing only: a link is bound to ``identity``, never to the label.
        """
        if self.mode is Mode.DEMO:
            return translate("Connection", "Demo (practice server)")
        if self.mode is Mode.CUSTOM and self.key_info is not None and self.target is not None:
            place = place_label(self.key_info.environment, self.key_info.region)
            return translate("Connection", "{place} via {host}").format(
                place=place, host=self.target.host
            )
        if self.target is not None:
            return self.target.label
        return translate("Connection", MODE_LABELS[self.mode])


def still_starting() -> VitalError:
    """The problem of demo mode while the practice server starts (worded when it is made)."""
    return VitalError(
        ErrorKind.CANNOT_CONNECT,
        translate("Connection", "The practice server is still starting; try again in a moment."),
    )


def resolve_connection(choice: ConnectionChoice, demo: DemoEndpoint | None = None) -> Connection:
    """The target, key meaning and blocking problem for what the panel holds."""
    if choice.mode is Mode.DEMO:
        endpoint = demo or DemoEndpoint()
        problem = endpoint.problem
        if endpoint.target is None and problem is None:
            problem = still_starting()
        info = _known_key(endpoint.api_key)
        return Connection(choice.mode, endpoint.target, endpoint.api_key, info, problem)
    key = clean_key(choice.api_key_text)
    try:
        if choice.mode is Mode.CUSTOM:
            target = custom_target(choice.base_url_text)
        else:
            environment = Environment(choice.mode.value)
            target = standard_target(environment, choice.region, legacy=choice.legacy)
    except VitalError as error:
        return Connection(choice.mode, None, key, _known_key(key), _bare(error))
    try:
        info = check_key(key, target)
    except VitalError as error:
        return Connection(choice.mode, target, key, _known_key(key), _bare(error))
    return Connection(choice.mode, target, key, info, None)


def _known_key(key: str) -> KeyInfo | None:
    try:
        return inspect_key(key) if key else None
    except VitalError:
        return None


def _bare(error: VitalError) -> VitalError:
    """The error without its traceback, safe to keep in a long-lived state object."""
    error.__traceback__ = None
    error.__context__ = None
    return error
