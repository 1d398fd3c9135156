"""Defaults the command lines need before anything else: importable without the core's
parsing and validation (``vital-link --help`` and the window's flags read them)."""

from __future__ import annotations

DEFAULT_LINK_TTL = 600.0  # seconds: the seed's ten minutes; the vendor's guide now says 60
