"""Peek inside a link token (a JWT) without verifying it, to learn when it expires.

The desktop never holds the key that signed the token, and it only uses what it reads to
*shorten* a countdown, so reading the claims unverified is safe. The token comes from the
network: every function here bounds its input and returns None rather than raising.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_TOKEN_CHARS = 8_192  # a real link token is a few hundred characters
MAX_URL_CHARS = 16_384
# An ``exp`` further than this from "now" (either way) is not a time this token means: a
# value in milliseconds, a broken clock or garbage. It is ignored rather than trusted.
MAX_PLAUSIBLE_SECONDS = 366 * 24 * 3600.0


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT (``header.claims.signature``), unverified; None if not one."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isascii():
        return None
    payload = parts[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and over-long integers; deep nesting
        # within the size bound can still exhaust the JSON parser's recursion.
        return None
    return claims if isinstance(claims, dict) else None


def token_in_url(url: str) -> str | None:
    """The ``token=`` query parameter of a ``link_web_url``, or None."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        return None
    try:
        query = parse_qs(urlsplit(url).query, max_num_fields=64)
    except ValueError:  # malformed URL, or too many fields
        return None
    values = query.get("token")
    return values[0] if values else None


def link_claims(link_token: str, link_web_url: str = "") -> dict[str, Any] | None:
    """The claims of the link token, else of the token inside its web URL, else None."""
    claims = unverified_claims(link_token)
    if claims is None:
        in_url = token_in_url(link_web_url)
        claims = unverified_claims(in_url) if in_url is not None else None
    return claims


def expiry(claims: Mapping[str, Any] | None) -> float | None:
    """The ``exp`` claim as finite POSIX seconds, or None when absent or not a number."""
    if claims is None:
        return None
    value = claims.get("exp")
    # bool is an int subclass, but ``"exp": true`` is nonsense, not second 1 of 1970.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer too big for a float
        return None
    return seconds if math.isfinite(seconds) else None


def seconds_left(claims: Mapping[str, Any] | None, now: float) -> float | None:
    """Seconds from ``now`` until ``exp`` (0 when past), or None when there is no usable ``exp``.

    ``now`` must be on the token issuer's clock (its ``Date`` header) for the answer to be
    right on a desk PC whose own clock is wrong.
    """
    exp = expiry(claims)
    if exp is None or not math.isfinite(now):
        return None
    left = exp - now
    if abs(left) > MAX_PLAUSIBLE_SECONDS:
        return None
    return max(0.0, left)
