"""Every setting of the app in one table: its kind, default, label, help and check.

The table is the single place a setting is described (after Vorta's ``store/settings.py``):
the preferences dialog is built from it, the clinic policy file is checked against it and
diagnostics list what differs from it. Values are plain Python: ``int``, ``float``, ``str``,
``bool`` and, for lists, a ``tuple`` of ``str``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import VitalError
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate
from vital_desktop.core.providers import SLUG_PATTERN, bundled_catalogue
from vital_desktop.core.validation import (
    not_a_provider_name,
    redirect_url_problem,
    slug_problem,
)

SettingValue = int | float | str | bool | tuple[str, ...]
Check = Callable[[SettingValue], str | None]


class Kind(enum.StrEnum):
    """What sort of value a setting holds, and so which widget edits it."""

    INT = "int"
    FLOAT = "float"
    STR = "str"
    BOOL = "bool"
    CHOICE = "choice"
    STR_LIST = "str_list"


@dataclass(frozen=True)
class Setting:
    """One setting: what it is called, holds and defaults to, and what it may not be.

    ``minimum``/``maximum`` bound numbers; ``choices`` lists a choice's values (shown by
    ``choice_labels``); ``check`` adds a rule of its own. ``candidates`` lists the values a
    list setting may hold (for a checklist), as (value, label) pairs. ``remembered`` marks
    state the window keeps between runs rather than a preference a person edits.
    """

    name: str
    kind: Kind
    default: SettingValue
    label: str
    help: str
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    minimum: float | None = None
    maximum: float | None = None
    check: Check | None = None
    candidates: Callable[[], tuple[tuple[str, str], ...]] | None = None
    section: str = QT_TRANSLATE_NOOP("Settings", "General")
    remembered: bool = False

    def problem(self, value: object) -> str | None:
        """Why ``value`` (already of the setting's Python type) cannot be used, or None."""
        label = translate("Settings", self.label)
        if not _has_kind(self.kind, value):
            return translate("Settings", "{label} must be {kind}.").format(
                label=label, kind=translate("Settings", _KIND_WORDS[self.kind])
            )
        if self.kind in (Kind.INT, Kind.FLOAT):
            assert isinstance(value, int | float)
            # math.isfinite converts an int to float, which overflows for a huge one.
            if isinstance(value, float) and not math.isfinite(value):
                return translate("Settings", "{label} must be a number.").format(label=label)
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                return translate("Settings", "{label} must be from {low} to {high}.").format(
                    label=label, low=_number(low), high=_number(high)
                )
        if self.kind is Kind.CHOICE and value not in self.choices:
            allowed = ", ".join(self.choices)
            return translate(
                "Settings", "{label} must be one of: {allowed} (not “{value}”)."
            ).format(label=label, allowed=allowed, value=str(value)[:40])
        if self.check is not None:
            assert isinstance(value, int | float | str | bool | tuple)
            return self.check(value)
        return None

    def choice_label(self, value: str) -> str:
        """How a choice is shown: its label, or the value itself."""
        return self.choice_labels.get(value, value)


_KIND_WORDS: dict[Kind, str] = {
    Kind.INT: QT_TRANSLATE_NOOP("Settings", "a whole number"),
    Kind.FLOAT: QT_TRANSLATE_NOOP("Settings", "a number"),
    Kind.STR: QT_TRANSLATE_NOOP("Settings", "text"),
    Kind.BOOL: QT_TRANSLATE_NOOP("Settings", "true or false"),
    Kind.CHOICE: QT_TRANSLATE_NOOP("Settings", "one of the listed choices"),
    Kind.STR_LIST: QT_TRANSLATE_NOOP("Settings", "a list of names"),
}


def _number(value: float | None) -> str:
    return translate("Settings", "any") if value is None else f"{value:g}"


def _has_kind(kind: Kind, value: object) -> bool:
    if kind is Kind.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Kind.FLOAT:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is Kind.BOOL:
        return isinstance(value, bool)
    if kind is Kind.STR_LIST:
        return isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    return isinstance(value, str)


# ------------------------------------------------------------------------------ checks


def _redirect_check(value: SettingValue) -> str | None:
    return redirect_url_problem(str(value))


def _base_url_check(value: SettingValue) -> str | None:
    if not str(value).strip():
        return None  # the vendor's own host
    try:
        custom_target(str(value))
    except VitalError as error:
        return error.message
    return None


def _slug_shape_check(value: SettingValue) -> str | None:
    names = value if isinstance(value, tuple) else (str(value),)
    for name in names:
        if name and not SLUG_PATTERN.match(name):
            return not_a_provider_name(name)
    return None


def _own_oauth_slugs() -> tuple[tuple[str, str], ...]:
    return tuple((p.slug, p.name) for p in bundled_catalogue() if p.needs_own_oauth_app)


def _linkable_slugs() -> tuple[tuple[str, str], ...]:
    providers = sorted(bundled_catalogue().linkable(), key=lambda p: p.name.lower())
    return tuple((p.slug, p.display_name) for p in providers)


def _own_oauth_check(value: SettingValue) -> str | None:
    assert isinstance(value, tuple)
    allowed = dict(_own_oauth_slugs())
    for slug in value:
        problem = slug_problem(slug)
        if problem:
            return problem
        if slug not in allowed:
            return translate(
                "Settings", "“{slug}” does not need the clinic's own OAuth app; only {allowed} do."
            ).format(slug=slug, allowed=", ".join(sorted(allowed)))
    return None


def _allowed_providers_check(value: SettingValue) -> str | None:
    assert isinstance(value, tuple)
    for slug in value:
        problem = slug_problem(slug)
        if problem:
            return problem
    return None


def _ca_bundle_check(value: SettingValue) -> str | None:
    text = str(value).strip()
    if not text:
        return None
    try:
        path = Path(text).expanduser()  # RuntimeError: "~someone" with no such person
        exists, is_file = path.exists(), path.is_file()  # OSError: a name too long
    except (OSError, RuntimeError, ValueError):
        exists = is_file = False
    if not exists:
        return translate("Settings", "There is no certificate file at {path}.").format(path=text)
    if not is_file:
        return translate("Settings", "{path} is a folder, not a certificate file.").format(
            path=text
        )
    return None


# ------------------------------------------------------------------------------- table

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "link_ttl_minutes",
        Kind.INT,
        10,
        QT_TRANSLATE_NOOP("Settings", "Link lasts (minutes)"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "How long a new link's countdown runs; the token's own expiry still wins when sooner.",
        ),
        minimum=1,
        maximum=60,
        section=QT_TRANSLATE_NOOP("Settings", "Links"),
    ),
    Setting(
        "default_redirect_url",
        Kind.STR,
        "",
        QT_TRANSLATE_NOOP("Settings", "Redirect after connecting"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "Where the patient's browser goes once they have connected (empty: Vital's own page).",
        ),
        check=_redirect_check,
        section=QT_TRANSLATE_NOOP("Settings", "Links"),
    ),
    Setting(
        "default_environment",
        Kind.CHOICE,
        "sandbox",
        QT_TRANSLATE_NOOP("Settings", "Environment at start"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "Which environment the window starts in: test data, real patients or the practice "
            "server on this computer.",
        ),
        choices=("sandbox", "production", "demo"),
        choice_labels={
            "sandbox": QT_TRANSLATE_NOOP("Settings", "Sandbox"),
            "production": QT_TRANSLATE_NOOP("Settings", "Production"),
            "demo": QT_TRANSLATE_NOOP("Settings", "Demo"),
        },
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "default_region",
        Kind.CHOICE,
        "us",
        QT_TRANSLATE_NOOP("Settings", "Region at start"),
        QT_TRANSLATE_NOOP("Settings", "The region your team's Vital account lives in."),
        choices=("us", "eu"),
        choice_labels={"us": "US", "eu": "EU"},
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "base_url",
        Kind.STR,
        "",
        QT_TRANSLATE_NOOP("Settings", "API address"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "Leave empty to use Vital's own host; otherwise https:// "
            "(or http:// to this computer).",
        ),
        check=_base_url_check,
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "legacy_hosts",
        Kind.BOOL,
        False,
        QT_TRANSLATE_NOOP("Settings", "Use the legacy tryvital.io hosts"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "Only for networks that still allow the old host names and not the junction.com ones.",
        ),
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "ca_bundle",
        Kind.STR,
        "",
        QT_TRANSLATE_NOOP("Settings", "Extra CA certificates (PEM file)"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "For a clinic proxy that inspects HTTPS: the file of its certificate authority.",
        ),
        check=_ca_bundle_check,
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "poll_seconds",
        Kind.FLOAT,
        3.0,
        QT_TRANSLATE_NOOP("Settings", "Check for the connection every (seconds)"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "How often the app asks Vital whether the patient has connected after a hand-off.",
        ),
        minimum=2,
        maximum=60,
        section=QT_TRANSLATE_NOOP("Settings", "Connection"),
    ),
    Setting(
        "own_oauth_apps",
        Kind.STR_LIST,
        (),
        QT_TRANSLATE_NOOP("Settings", "Providers with the clinic's own OAuth app"),
        QT_TRANSLATE_NOOP(
            "Settings",
            "Tick the providers your team has set up with its own OAuth app in Vital; the "
            "warning before Generate is then not shown for them.",
        ),
        check=_own_oauth_check,
        candidates=_own_oauth_slugs,
        section=QT_TRANSLATE_NOOP("Settings", "Providers"),
    ),
    Setting(
        "allowed_providers",
        Kind.STR_LIST,
        (),
        QT_TRANSLATE_NOOP("Settings", "Providers offered"),
        QT_TRANSLATE_NOOP(
            "Settings", "Only these providers are offered; none ticked offers every provider."
        ),
        check=_allowed_providers_check,
        candidates=_linkable_slugs,
        section=QT_TRANSLATE_NOOP("Settings", "Providers"),
    ),
    Setting(
        "history_retention_days",
        Kind.INT,
        90,
        QT_TRANSLATE_NOOP("Settings", "Keep link history (days)"),
        QT_TRANSLATE_NOOP(
            "Settings", "Links made on this computer are forgotten after this many days."
        ),
        minimum=1,
        maximum=3650,
        section=QT_TRANSLATE_NOOP("Settings", "Privacy"),
    ),
    Setting(
        "store_client_ids",
        Kind.BOOL,
        True,
        QT_TRANSLATE_NOOP("Settings", "Keep the clinic's patient IDs in the history"),
        QT_TRANSLATE_NOOP(
            "Settings", "Untick to keep only Vital user IDs in the history on this computer."
        ),
        section=QT_TRANSLATE_NOOP("Settings", "Privacy"),
    ),
    Setting(
        "language",
        Kind.CHOICE,
        "system",
        QT_TRANSLATE_NOOP("Settings", "Language"),
        QT_TRANSLATE_NOOP(
            "Settings", "The language of the window (takes effect at the next start)."
        ),
        choices=("system", "en"),
        choice_labels={
            "system": QT_TRANSLATE_NOOP("Settings", "As the system"),
            "en": QT_TRANSLATE_NOOP("Settings", "English"),
        },
        section=QT_TRANSLATE_NOOP("Settings", "General"),
    ),
    Setting(
        "last_provider",
        Kind.STR,
        "",
        QT_TRANSLATE_NOOP("Settings", "Last provider"),
        QT_TRANSLATE_NOOP("Settings", "The provider picked last time, picked again at start."),
        check=_slug_shape_check,
        remembered=True,
    ),
    Setting(
        "last_filter",
        Kind.STR_LIST,
        (),
        QT_TRANSLATE_NOOP("Settings", "Last provider filter"),
        QT_TRANSLATE_NOOP("Settings", "The short list of providers used last time."),
        check=_slug_shape_check,
        remembered=True,
    ),
)

SETTINGS_BY_NAME: Mapping[str, Setting] = {setting.name: setting for setting in SETTINGS}

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def coerce(setting: Setting, raw: object) -> SettingValue:
    """``raw`` (a QSettings string or list, or a TOML value) as the setting's Python type.

    Raises ``ValueError`` with a sentence when it cannot be read as that type; whether the
    value is allowed is ``setting.problem``'s business.
    """
    wrong = ValueError(
        translate("Settings", "{label} must be {kind}, not {value}.").format(
            label=translate("Settings", setting.label),
            kind=translate("Settings", _KIND_WORDS[setting.kind]),
            value=_shown(raw),
        )
    )
    kind = setting.kind
    if kind is Kind.BOOL:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise wrong
    if isinstance(raw, bool):
        raise wrong  # True is an int to Python, never a number to a person
    if kind is Kind.INT:
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str):
            try:
                return int(raw.strip())
            except ValueError:
                raise wrong from None
        raise wrong
    if kind is Kind.FLOAT:
        if isinstance(raw, int | float):
            try:
                return float(raw)
            except OverflowError:  # an integer too large for a float
                raise wrong from None
        if isinstance(raw, str):
            try:
                return float(raw.strip())
            except ValueError:
                raise wrong from None
        raise wrong
    if kind is Kind.STR_LIST:
        if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
            return tuple(item.strip() for item in raw if item.strip())
        raise wrong
    if isinstance(raw, str):
        return raw.strip()
    raise wrong


def _shown(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:39] + "…"


def checked(setting: Setting, raw: object) -> SettingValue:
    """``raw`` coerced and checked; ``ValueError`` with the reason when it cannot be used."""
    value = coerce(setting, raw)
    problem = setting.problem(value)
    if problem:
        raise ValueError(problem)
    return value


def setting_named(name: str) -> Setting:
    """The setting called ``name``; ``KeyError`` with a sentence for an unknown one."""
    try:
        return SETTINGS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"There is no setting called “{name}”.") from None
