"""One error type for everything that can go wrong between the desk and the Vital API.

Every failure carries a sentence a person at a clinic's front desk can act on (``message``)
and the technical detail one click away (``detail``). The API key never appears in either:
texts that come from outside (server messages, exception strings) pass through ``redact``.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Iterable

from vital_desktop.core.i18n import translate
from vital_desktop.core.names import ErrorCategory as ErrorCategory  # for --help, in names


class ErrorKind(enum.Enum):
    """What went wrong, coarse enough to pick a sentence and an exit code."""

    INVALID_INPUT = "invalid_input"
    KEY_MISSING = "key_missing"
    KEY_MALFORMED = "key_malformed"
    KEY_REFUSED = "key_refused"
    KEY_MISMATCH = "key_mismatch"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    VALIDATION = "validation"
    DUPLICATE_USER = "duplicate_user"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CANNOT_CONNECT = "cannot_connect"
    DNS = "dns"
    TLS = "tls"
    BAD_RESPONSE = "bad_response"
    TOO_LARGE = "too_large"


_CATEGORY = {
    ErrorKind.INVALID_INPUT: ErrorCategory.BAD_INPUT,
    ErrorKind.KEY_MISSING: ErrorCategory.BAD_INPUT,
    ErrorKind.KEY_MALFORMED: ErrorCategory.BAD_INPUT,
    ErrorKind.KEY_REFUSED: ErrorCategory.BAD_INPUT,
    ErrorKind.KEY_MISMATCH: ErrorCategory.BAD_INPUT,
    ErrorKind.TIMEOUT: ErrorCategory.NETWORK,
    ErrorKind.CANNOT_CONNECT: ErrorCategory.NETWORK,
    ErrorKind.DNS: ErrorCategory.NETWORK,
    ErrorKind.TLS: ErrorCategory.NETWORK,
}

_REDACTED = "[redacted]"

# A fragment of a key this long is as good as the key to anyone patient enough to guess the
# rest, and long enough that ordinary text never matches it by chance.
FRAGMENT = 12
_BLOCK = FRAGMENT // 2
_KEY_PREFIX = re.compile(r"(?i)(?:sk|pk|mg)_(?:us|eu)_")
# Lower-cases ASCII only, so indices in the lowered text match the original (str.lower can
# change the length of some non-ASCII text, e.g. "İ").
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _secret_part(secret: str) -> tuple[str, str]:
    """(prefix, secret part) of a key: ``("sk_us_", "abc...")``; no prefix for other text."""
    match = _KEY_PREFIX.match(secret)
    if match:
        return secret[: match.end()], secret[match.end() :]
    return "", secret


def _spans(text: str, lowered: str, secret: str) -> list[tuple[int, int]]:
    """Where ``secret`` or a near echo of it sits in ``text``: any case, with or without
    its prefix, or any run of ``FRAGMENT`` or more characters of its secret part."""
    whole = secret.translate(_ASCII_LOWER)
    prefix, part = _secret_part(whole)
    spans: list[tuple[int, int]] = []
    start = lowered.find(whole)
    while start >= 0:
        spans.append((start, start + len(whole)))
        start = lowered.find(whole, start + 1)
    if len(part) < FRAGMENT:
        return spans  # too short for fragments to mean anything: the whole secret only
    # Every FRAGMENT-long window of the secret part contains one of its aligned
    # half-length blocks, so finding the blocks (fast, in C) finds every candidate window.
    for block_start in range(0, len(part) - _BLOCK + 1, _BLOCK):
        block = part[block_start : block_start + _BLOCK]
        found = lowered.find(block)
        while found >= 0:
            for offset in range(max(0, block_start - _BLOCK), block_start + 1):
                if offset + FRAGMENT > len(part):
                    break
                begin = found - (block_start - offset)
                if begin >= 0 and lowered.startswith(part[offset : offset + FRAGMENT], begin):
                    spans.append((begin, begin + FRAGMENT))
            found = lowered.find(block, found + 1)
    if prefix:
        # Swallow a prefix right before an echo, so "sk_us_[redacted]" does not remain.
        spans = [
            (s - len(prefix), e) if s >= len(prefix) and lowered[s - len(prefix) : s] == prefix
            else (s, e)
            for s, e in spans
        ]  # fmt: skip
    return spans


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Return ``text`` with every secret, and every near echo of one, replaced by
    ``[redacted]``.

    A near echo is the secret in any letter case, with or without its ``sk_us_``-style
    prefix, or any run of at least ``FRAGMENT`` characters of its secret part: a server
    that quotes a key lower-cased or cut short must not leak it either.
    """
    lowered = text.translate(_ASCII_LOWER)
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        if secret:
            spans.extend(_spans(text, lowered, secret))
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    position = 0
    end = -1
    for start, stop in spans:
        if start <= end:  # overlaps or touches the run being built: extend it
            end = max(end, stop)
            continue
        if end >= 0:
            pieces.append(_REDACTED)
            position = end
        pieces.append(text[position:start])
        end = stop
    pieces.append(_REDACTED)
    pieces.append(text[end:])
    return "".join(pieces)


class VitalError(Exception):
    """A failure with a plain sentence for the desk and technical detail for support.

    ``message`` is one sentence; ``detail`` lists status, endpoint and server message.
    ``field`` names the input at fault for local validation errors (``user_id``,
    ``provider``, ``filter_on_providers``, ``redirect_url``, ``api_key``, ``base_url``,
    ``client_user_id``, ``query``). ``existing_user_id`` is set for a duplicate
    client_user_id so the caller can carry on with that user.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        endpoint: str | None = None,
        server_message: str | None = None,
        field: str | None = None,
        existing_user_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.endpoint = endpoint
        self.server_message = server_message
        self.field = field
        self.existing_user_id = existing_user_id
        self.retry_after = retry_after

    @property
    def category(self) -> ErrorCategory:
        """Whether the input, the API or the network is at fault."""
        return _CATEGORY.get(self.kind, ErrorCategory.API_REFUSED)

    @property
    def exit_code(self) -> int:
        """The command line's exit code for this failure (2 input, 3 API, 4 network)."""
        return self.category.value

    @property
    def detail(self) -> str:
        """Technical detail, one fact a line, for a Details disclosure or a log."""
        lines = [f"Kind: {self.kind.value}"]
        if self.status is not None:
            lines.append(f"HTTP status: {self.status}")
        if self.endpoint:
            lines.append(f"Endpoint: {self.endpoint}")
        if self.field:
            lines.append(f"Field: {self.field}")
        if self.existing_user_id:
            lines.append(f"Existing user_id: {self.existing_user_id}")
        if self.retry_after is not None:
            lines.append(f"Retry-After: {self.retry_after:g} s")
        if self.server_message:
            lines.append(f"Server said: {self.server_message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"VitalError({self.kind.value!r}, {self.message!r}, status={self.status!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Keep pickling (and copy) working despite the keyword-only arguments.
        return (_rebuild, (self.kind, self.message, dict(self.__dict__)))


def _rebuild(kind: ErrorKind, message: str, state: dict[str, object]) -> VitalError:
    error = VitalError(kind, message)
    error.__dict__.update(state)
    return error


def invalid_input(field: str, message: str) -> VitalError:
    """A local validation failure for ``field``: the request never leaves the machine."""
    return VitalError(ErrorKind.INVALID_INPUT, message, field=field)


def bad_response(endpoint: str, what: str) -> VitalError:
    """A reply that is not JSON, or lacks what the contract promises."""
    return VitalError(
        ErrorKind.BAD_RESPONSE,
        translate(
            "Errors",
            "Vital sent a reply the app could not understand. Try again; if it keeps "
            "happening, send the details to support.",
        ),
        endpoint=endpoint,
        server_message=what,
    )
