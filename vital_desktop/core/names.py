"""Names and values the command line needs before anything else, importable with nothing but
``enum`` (which ``re`` and ``argparse`` load anyway).

``vital-link --help`` builds its parser from these; the modules that own them
(``core.environments``, ``core.errors``, ``core.history_store``) re-export them, so every
other import stays as it was. Nothing that parses, validates or reaches the network lives
here.
"""

from __future__ import annotations

import enum

API_KEY_VARIABLE = "VITAL_API_KEY"
BASE_URL_VARIABLE = "VITAL_BASE_URL"
HISTORY_DB_VARIABLE = "VITAL_HISTORY_DB"


class Environment(enum.StrEnum):
    """Sandbox (test data, ``sk_`` keys) or production (real patients, ``pk_`` keys)."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Region(enum.StrEnum):
    """The region a team lives in, forever."""

    US = "us"
    EU = "eu"

    @property
    def label(self) -> str:
        return self.value.upper()


class ErrorCategory(enum.Enum):
    """Who has to act: the person typing, the API, or the network. Maps to CLI exit codes."""

    BAD_INPUT = 2
    API_REFUSED = 3
    NETWORK = 4
