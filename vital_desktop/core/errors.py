"""One error type for everything that can go wrong between the desk and the Vital API.

Every failure carries a sentence a person at a clinic's front desk can act on (``message``)
and the technical detail one click away (``detail``). The API key never appears in either:
texts that come from outside (server messages, exception strings) pass through ``redact``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


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


class ErrorCategory(enum.Enum):
    """Who has to act: the person typing, the API, or the network. Maps to CLI exit codes."""

    BAD_INPUT = 2
    API_REFUSED = 3
    NETWORK = 4


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


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


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
        "Vital sent a reply the app could not understand. Try again; if it keeps "
        "happening, send the details to support.",
        endpoint=endpoint,
        server_message=what,
    )
