"""JWT-shaped link tokens (HS256) signed with a secret that lives only as long as the server.

The real link token is a JWT whose claims the desktop may read unverified; the stand-in
mints the same shape so anything that peeks inside (``aud``, ``user_id``, ``exp``) behaves
the same against both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, signing_input: str) -> str:
    return _b64encode(hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest())


def encode(claims: dict[str, Any], secret: bytes) -> str:
    """``header.claims.signature``, each part base64url without padding."""
    header = _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}"
    return f"{signing_input}.{_sign(secret, signing_input)}"


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The claims without checking the signature, or None when it is not JWT-shaped."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(_b64decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def decode(token: str, secret: bytes) -> dict[str, Any] | None:
    """The claims when the signature is this server's, else None (never raises)."""
    if not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64decode(parts[0]))
    except (ValueError, UnicodeDecodeError):
        return None
    if header != _HEADER:
        return None
    try:
        expected = _sign(secret, f"{parts[0]}.{parts[1]}")
    except UnicodeEncodeError:
        return None
    if not hmac.compare_digest(expected, parts[2]):
        return None
    return unverified_claims(token)
