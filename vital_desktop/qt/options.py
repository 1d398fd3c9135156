"""How one run of the app is set up: from the command line, the environment, or a test."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from vital_desktop.core.client import ClientSettings
from vital_desktop.core.link_session import DEFAULT_LINK_TTL


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
