"""A person's settings kept with QSettings, in the platform's own place.

QSettings chooses the folder (``~/.config/vital-desktop/vital-desktop.conf`` on Linux, the
registry on Windows, a plist on macOS), never the current directory. Lists are written as
QSettings arrays (``name/size``, ``name/1/value``, ...), so a list of one item or of none
reads back as a list on every platform, not as a bare string or nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QSettings

from vital_desktop.core.policy import load_policy, policy_path
from vital_desktop.core.preferences import Preferences

ORGANISATION = "vital-desktop"
APPLICATION = "vital-desktop"
_ITEM = "value"


def default_settings() -> QSettings:
    """The user's own settings for this app, where the platform keeps them."""
    return QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


class QSettingsStore:
    """The ``SettingsStore`` of ``core.preferences`` on a QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings if settings is not None else default_settings()

    def get(self, key: str) -> object | None:
        """The stored value: a string (or what the platform keeps), a list, or None."""
        if self.settings.contains(key):
            value: object = self.settings.value(key)
            return value
        if self.settings.contains(f"{key}/size"):
            count = self.settings.beginReadArray(key)
            try:
                items: list[object] = []
                for index in range(count):
                    self.settings.setArrayIndex(index)
                    items.append(self.settings.value(_ITEM))
            finally:
                self.settings.endArray()
            return items
        return None

    def set(self, key: str, value: object) -> None:
        """Keep ``value``; a list or tuple becomes a QSettings array."""
        self.settings.remove(key)  # drop a scalar or an array of another length first
        if isinstance(value, list | tuple):
            self.settings.beginWriteArray(key, len(value))
            try:
                for index, item in enumerate(value):
                    self.settings.setArrayIndex(index)
                    self.settings.setValue(_ITEM, item)
            finally:
                self.settings.endArray()
        else:
            self.settings.setValue(key, value)

    def remove(self, key: str) -> None:
        self.settings.remove(key)

    def sync(self) -> str | None:
        """Write to disk now; a sentence when that failed, else None."""
        self.settings.sync()
        status = self.settings.status()
        if status == QSettings.Status.AccessError:
            return QCoreApplication.translate(
                "SettingsStore",
                "Your settings could not be saved to {file}: the file "
                "or its folder cannot be written.",
            ).format(file=self.settings.fileName())
        if status == QSettings.Status.FormatError:
            return QCoreApplication.translate(
                "SettingsStore",
                "Your settings file {file} is damaged; rename it so a fresh one can be written.",
            ).format(file=self.settings.fileName())
        return None

    @property
    def location(self) -> str:
        """Where the settings are kept (a file path, or a registry key on Windows)."""
        return self.settings.fileName()


def open_preferences(
    store: QSettingsStore | None = None,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] | None = None,
) -> Preferences:
    """This computer's preferences: the person's QSettings under the clinic's policy file."""
    policy = load_policy(policy_path(platform, os.environ if environ is None else environ))
    return Preferences(store if store is not None else QSettingsStore(), policy)
