"""How one run of the app is set up: from the command line, the environment, or a test."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vital_desktop.core.client_settings import ClientSettings
from vital_desktop.core.link_defaults import DEFAULT_LINK_TTL

if TYPE_CHECKING:  # annotations only: the history, keychain and policy load when used
    from vital_desktop.core.history import HistoryStore
    from vital_desktop.core.keystore import KeyStore
    from vital_desktop.core.preferences import Preferences


@dataclass(frozen=True)
class AppOptions:
    """Everything the window needs that is not typed into it.

    ``environ`` supplies VITAL_API_KEY (kept in memory only) and VITAL_BASE_URL;
    ``client_settings`` is the seam tests use for short timeouts and no retries.
    """

    link_ttl: float = DEFAULT_LINK_TTL
    demo: bool = False
    client_settings: ClientSettings = field(default_factory=ClientSettings)
    # Holds VITAL_API_KEY: never in a repr, a log line or a crash report.
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)
    catalogue_delay_ms: int = 600  # wait for typing to settle before asking for providers
    # How long a busy Generate button ignores clicks before it turns into Cancel, so the
    # second click of a double-click neither cancels nor sends again.
    cancel_arm_ms: int = 700
    # The pace of polling for a connection after a hand-off (PollSchedule's base).
    poll_seconds: float = 3.0
    # Providers needing the clinic's own OAuth app that this clinic has set up (no warning).
    own_oauth_apps: frozenset[str] = frozenset()
    # The user's settings under the clinic's policy; None in tests that pass options only.
    preferences: Preferences | None = field(default=None, repr=False, compare=False)
    # Where hand-offs are recorded; None records nothing (tests that do not look at it).
    history: HistoryStore | None = field(default=None, repr=False, compare=False)
    # Where remembered keys live; None means the operating system's keychain.
    key_store: KeyStore | None = field(default=None, repr=False, compare=False)


def options_from_preferences(
    preferences: Preferences,
    *,
    environ: Mapping[str, str],
    demo: bool = False,
    link_ttl: float | None = None,
) -> AppOptions:
    """The window's options from the settings; a command-line ``link_ttl`` wins."""
    ca_bundle = str(preferences.value("ca_bundle") or "") or None
    apps = preferences.value("own_oauth_apps")
    return AppOptions(
        link_ttl=link_ttl
        if link_ttl is not None
        else float(_number(preferences, "link_ttl_minutes")) * 60,
        demo=demo or preferences.value("default_environment") == "demo",
        client_settings=ClientSettings(ca_bundle=ca_bundle),
        environ=environ,
        poll_seconds=float(_number(preferences, "poll_seconds")),
        own_oauth_apps=frozenset(apps) if isinstance(apps, tuple) else frozenset(),
        preferences=preferences,
    )


def _number(preferences: Preferences, name: str) -> float:
    value = preferences.value(name)
    return float(value) if isinstance(value, int | float) else 0.0
