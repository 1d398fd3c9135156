"""The settings as the app uses them: the policy file's, else the person's, else the default.

``Preferences`` reads and writes through a small store (``SettingsStore``: QSettings in the
window, a dict in tests and the command line). A stored value that no longer passes its
check (a deleted certificate file, a hand-edited settings file) is not used: the default
stands in and the reason is reported once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Protocol

from vital_desktop.core.i18n import translate
from vital_desktop.core.policy import NO_POLICY, Policy
from vital_desktop.core.settings_table import (
    SETTINGS,
    Setting,
    SettingValue,
    checked,
    setting_named,
)

log = logging.getLogger(__name__)


class SettingsStore(Protocol):
    """Where a person's own settings are kept, by name; ``get`` gives None when unset."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object) -> None: ...

    def remove(self, key: str) -> None: ...


class MemoryStore:
    """A ``SettingsStore`` in a dict: for tests and runs that must not write anything."""

    def __init__(self, values: dict[str, object] | None = None) -> None:
        self.values: dict[str, object] = dict(values or {})

    def get(self, key: str) -> object | None:
        return self.values.get(key)

    def set(self, key: str, value: object) -> None:
        self.values[key] = value

    def remove(self, key: str) -> None:
        self.values.pop(key, None)


class FixedByPolicy(PermissionError):
    """A setting the clinic's policy file fixes cannot be changed here.

    ``str()`` gives the sentence, worded when it is read (in the language of the moment).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        label = translate("Settings", setting_named(self.name).label)
        return translate(
            "Preferences", "“{label}” is set by your clinic's IT (policy file)."
        ).format(label=label)


class Preferences:
    """Every setting's value now, and changes to them, with the policy file on top."""

    def __init__(self, store: SettingsStore, policy: Policy = NO_POLICY) -> None:
        self._store = store
        self._policy = policy
        # Setting name -> its sentence, worded when ``problems()`` is read: the settings are
        # read before the window installs the translation (the language is one of them).
        self._problems: dict[str, Callable[[], str]] = {}

    @property
    def policy(self) -> Policy:
        return self._policy

    def value(self, name: str) -> SettingValue:
        """The policy's value, else the stored one if it is valid, else the default.

        ``KeyError`` for a name the settings table does not have.
        """
        setting = setting_named(name)
        if name in self._policy.fixed:
            return self._policy.fixed[name]
        raw = self._store.get(name)
        if raw is None:
            return setting.default
        try:
            clean = checked(setting, raw)
        except ValueError as error:
            self._report(name, partial(_not_used, setting, raw, str(error)))
            return setting.default
        self._problems.pop(name, None)
        return clean

    def is_fixed(self, name: str) -> bool:
        """True when the policy file fixes ``name``."""
        setting_named(name)
        return self._policy.is_fixed(name)

    def set(self, name: str, value: object) -> SettingValue:
        """Keep ``value`` for ``name`` and return it as stored.

        Raises ``FixedByPolicy`` for a fixed setting and ``ValueError`` with the reason for
        a value the setting refuses. A value equal to the default is not stored, so a later
        version's better default reaches people who never changed it.
        """
        setting = setting_named(name)
        if self.is_fixed(name):
            raise FixedByPolicy(name)
        clean = checked(setting, value)
        if clean == setting.default:
            self._store.remove(name)
        else:
            self._store.set(name, list(clean) if isinstance(clean, tuple) else clean)
        self._problems.pop(name, None)
        return clean

    def reset(self, name: str) -> None:
        """Forget the person's own value for ``name`` (the default, or the policy's, applies)."""
        setting_named(name)
        self._store.remove(name)
        self._problems.pop(name, None)

    def values(self, names: Iterable[str] | None = None) -> dict[str, SettingValue]:
        """Every setting's value now (or those named), by name."""
        wanted = [s.name for s in SETTINGS] if names is None else list(names)
        return {name: self.value(name) for name in wanted}

    def non_default(self) -> dict[str, SettingValue]:
        """The settings whose value differs from the default, for diagnostics."""
        return {
            setting.name: value
            for setting in SETTINGS
            if (value := self.value(setting.name)) != setting.default
        }

    def problems(self) -> list[str]:
        """Sentences about what was not applied: the policy file's problem, then bad values."""
        for setting in SETTINGS:
            self.value(setting.name)  # reading is what finds a bad stored value
        found = [self._policy.problem] if self._policy.problem else []
        return found + [explain() for explain in self._problems.values()]

    def _report(self, name: str, explain: Callable[[], str]) -> None:
        if name not in self._problems:
            self._problems[name] = explain
            log.warning("%s", explain())


def _not_used(setting: Setting, raw: object, first: str) -> str:
    """Why the saved value of ``setting`` was not used: checked again, so the reason comes in
    the language of the moment (``first``, the reason found on reading, should it pass now)."""
    try:
        checked(setting, raw)
        reason = first
    except ValueError as error:
        reason = str(error)
    return translate(
        "Preferences", "The saved “{label}” was not used, so the default applies: {reason}"
    ).format(label=translate("Settings", setting.label), reason=reason)
