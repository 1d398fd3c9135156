"""In-memory users, connections, link tokens and link codes of one stand-in team.

Every method takes the one lock: handler threads and the test (or desktop demo) thread
that seeds users directly must never see a half-made change.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from vital_desktop.sandbox import catalogue


def iso(timestamp: float) -> str:
    """RFC 3339 with an explicit UTC offset, as the API writes times."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


# ``ClientFacingConnectionErrorDetails.error_type`` of the API description (a closed enum).
CONNECTION_ERROR_TYPES = frozenset(
    {
        "token_refresh_failed",
        "webhook_registration_failed",
        "user_not_found",
        "deregistered_per_provider",
        "required_scopes_not_granted",
        "provider_credential_error",
        "provider_password_expired",
        "unknown",
    }
)


@dataclass(frozen=True)
class ConnectionFault:
    """Why a connection is in ``error`` status, and since when (server clock)."""

    error_type: str
    error_message: str
    errored_at: float


@dataclass(frozen=True)
class Connection:
    """A user's link to one provider; ``error`` is set when ``status`` is ``error``."""

    slug: str
    created_on: float
    status: str = "connected"
    error: ConnectionFault | None = None

    def to_json(self) -> dict[str, Any]:
        """``ClientFacingProviderWithStatus``."""
        details = (
            {
                "error_type": self.error.error_type,
                "error_message": self.error.error_message,
                "errored_at": iso(self.error.errored_at),
            }
            if self.error is not None
            else None
        )
        return {
            **catalogue.brief_json(self.slug),
            "created_on": iso(self.created_on),
            "status": self.status,
            "external_user_id": None,
            "error_details": details,
            "resource_availability": {},
        }


@dataclass
class UserRecord:
    """One user of the team."""

    user_id: str
    client_user_id: str
    team_id: str
    created_on: float
    fallback_time_zone: str | None = None
    fallback_birth_date: str | None = None
    ingestion_start: str | None = None
    ingestion_end: str | None = None
    connections: dict[str, Connection] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``ClientFacingUser``."""
        created = iso(self.created_on)
        sources = [
            {
                "provider": catalogue.brief_json(c.slug),
                "created_on": iso(c.created_on),
                "source": catalogue.brief_json(c.slug),
            }
            for c in self.connections.values()
            if c.status == "connected"
        ]
        zone = (
            {"id": self.fallback_time_zone, "source_slug": "manual", "updated_at": created}
            if self.fallback_time_zone
            else None
        )
        birth = (
            {"value": self.fallback_birth_date, "source_slug": "manual", "updated_at": created}
            if self.fallback_birth_date
            else None
        )
        return {
            "user_id": self.user_id,
            "team_id": self.team_id,
            "client_user_id": self.client_user_id,
            "created_on": created,
            "connected_sources": sources,
            "fallback_time_zone": zone,
            "fallback_birth_date": birth,
            "ingestion_start": self.ingestion_start,
            "ingestion_end": self.ingestion_end,
        }


@dataclass(frozen=True)
class LinkTokenRecord:
    """What the server remembers about one link token (keyed by its ``jti``)."""

    jti: str
    user_id: str
    expires_at: float
    provider: str | None = None
    filter_on_providers: tuple[str, ...] | None = None
    redirect_url: str | None = None
    on_error: str | None = None
    on_close: str | None = None
    spent: bool = False


@dataclass(frozen=True)
class LinkCodeRecord:
    """What the server remembers about one phone-app link code."""

    code: str
    user_id: str
    expires_at: float
    spent: bool = False


class CodeRefused(Exception):
    """A link code cannot connect; ``error_type`` is the widget's word for why
    (``invalid_token``, ``token_expired`` or ``token_consumed``)."""

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type


class DuplicateClientUserId(Exception):
    """``client_user_id`` is taken; ``existing`` is that user's JSON."""

    def __init__(self, existing: dict[str, Any]) -> None:
        super().__init__("client_user_id already exists")
        self.existing = existing


class UnknownUser(KeyError):
    """No user of this team has that id."""


class SandboxState:
    """The team's data. Ids are lowercase canonical UUIDs.

    ``clock_offset`` (seconds) makes this server's clock run ahead (+) or behind (-) the
    computer's, as a real API's clock differs from a desk PC's: every time the state hands
    out (token ``iat``/``exp``, ``created_on``, the ``Date`` header) comes from ``now()``.
    """

    def __init__(
        self,
        team_id: str | None = None,
        clock: Callable[[], float] = time.time,
        clock_offset: float = 0.0,
    ):
        if not math.isfinite(clock_offset):
            raise ValueError("clock_offset must be a finite number of seconds")
        self.team_id = team_id or str(uuid.uuid4())
        self._clock = clock
        self.clock_offset = clock_offset
        self._lock = threading.RLock()
        self._users: dict[str, UserRecord] = {}
        self._tokens: dict[str, LinkTokenRecord] = {}
        self._codes: dict[str, LinkCodeRecord] = {}

    def now(self) -> float:
        """The server's clock: the state's clock plus ``clock_offset`` (POSIX seconds)."""
        return self._clock() + self.clock_offset

    # ----------------------------------------------------------------- users

    def create_user(
        self,
        client_user_id: str,
        *,
        fallback_time_zone: str | None = None,
        fallback_birth_date: str | None = None,
        ingestion_start: str | None = None,
        ingestion_end: str | None = None,
    ) -> dict[str, Any]:
        """Add a user and return its ``ClientFacingUser`` JSON.

        Raises ``DuplicateClientUserId`` when the id is taken, as the API answers 400.
        """
        with self._lock:
            for user in self._users.values():
                if user.client_user_id == client_user_id:
                    raise DuplicateClientUserId(user.to_json())
            record = UserRecord(
                str(uuid.uuid4()),
                client_user_id,
                self.team_id,
                self.now(),
                fallback_time_zone,
                fallback_birth_date,
                ingestion_start,
                ingestion_end,
            )
            self._users[record.user_id] = record
            return record.to_json()

    def _user(self, user_id: str) -> UserRecord:
        user = self._users.get(user_id.lower())
        if user is None:
            raise UnknownUser(user_id)
        return user

    def has_user(self, user_id: str) -> bool:
        """True when the id names a user of this team."""
        with self._lock:
            return user_id.lower() in self._users

    def user(self, user_id: str) -> dict[str, Any]:
        """The user's JSON; ``UnknownUser`` if none."""
        with self._lock:
            return self._user(user_id).to_json()

    def users(self) -> list[dict[str, Any]]:
        """Every user, oldest first."""
        with self._lock:
            return [u.to_json() for u in self._users.values()]

    def delete_user(self, user_id: str) -> None:
        """Remove a user with its connections; ``UnknownUser`` if none."""
        with self._lock:
            del self._users[self._user(user_id).user_id]

    def resolve(self, client_user_id: str) -> dict[str, Any]:
        """The user with this ``client_user_id``; ``UnknownUser`` if none."""
        with self._lock:
            for user in self._users.values():
                if user.client_user_id == client_user_id:
                    return user.to_json()
        raise UnknownUser(client_user_id)

    def search(self, query: str) -> list[dict[str, Any]]:
        """Users whose id or ``client_user_id`` equals ``query`` (id compared case-blind)."""
        with self._lock:
            return [
                u.to_json()
                for u in self._users.values()
                if u.user_id == query.lower() or u.client_user_id == query
            ]

    # ----------------------------------------------------------- connections

    def connect(self, user_id: str, slug: str) -> dict[str, Any]:
        """Record (or renew) a connected provider; returns its JSON.

        A renewal always gets a later ``created_on`` (as the API writes it, to the second),
        so a desk polling GET /v2/user/providers can tell a reconnection happened.
        """
        with self._lock:
            user = self._user(user_id)
            created = self.now()
            old = user.connections.get(slug)
            if old is not None and int(created) <= int(old.created_on):
                created = float(int(old.created_on) + 1)
            connection = Connection(slug, created)
            user.connections[slug] = connection
            return connection.to_json()

    def reconnect(self, user_id: str, slug: str) -> dict[str, Any]:
        """Test hook: the patient connected ``slug`` again (new ``created_on``, connected)."""
        return self.connect(user_id, slug)

    def set_connection_error(
        self, user_id: str, slug: str, error_type: str, error_message: str
    ) -> dict[str, Any]:
        """Test hook: put a connection into ``error`` status with these ``error_details``.

        ``error_type`` must be one the API describes (``CONNECTION_ERROR_TYPES``) so replies
        stay valid; ``created_on`` is kept. ``UnknownUser`` for no such user, ``KeyError``
        when the user has no connection to ``slug``.
        """
        if error_type not in CONNECTION_ERROR_TYPES:
            raise ValueError(
                f"error_type must be one of {', '.join(sorted(CONNECTION_ERROR_TYPES))}"
            )
        with self._lock:
            user = self._user(user_id)
            old = user.connections.get(slug)
            if old is None:
                raise KeyError(slug)
            failed = replace(
                old, status="error", error=ConnectionFault(error_type, error_message, self.now())
            )
            user.connections[slug] = failed
            return failed.to_json()

    def disconnect(self, user_id: str, slug: str) -> bool:
        """Forget a connection; False when there was none."""
        with self._lock:
            return self._user(user_id).connections.pop(slug, None) is not None

    def connections(self, user_id: str) -> list[dict[str, Any]]:
        """The user's providers with their status."""
        with self._lock:
            return [c.to_json() for c in self._user(user_id).connections.values()]

    # ----------------------------------------------------------- link tokens

    def add_token(self, record: LinkTokenRecord) -> None:
        """Remember a freshly minted link token."""
        with self._lock:
            self._tokens[record.jti] = record

    def token(self, jti: str) -> LinkTokenRecord | None:
        """A token's record, or None when this server never minted it."""
        with self._lock:
            return self._tokens.get(jti)

    def spend_token(self, jti: str, user_id: str, slug: str) -> bool:
        """Connect ``slug`` and mark the token spent, atomically.

        False when the token was already spent: two tabs racing to connect get one winner.
        """
        with self._lock:
            record = self._tokens.get(jti)
            if record is None or record.spent:
                return False
            self.connect(user_id, slug)
            self._tokens[jti] = replace(record, spent=True)
            return True

    # ------------------------------------------------------------- link codes

    def add_code(self, code: str, user_id: str, expires_at: float) -> None:
        """Remember a phone-app link code."""
        with self._lock:
            self._codes[code] = LinkCodeRecord(code, user_id, expires_at)

    def code(self, code: str) -> LinkCodeRecord | None:
        """A code's record, or None when this server never issued it."""
        with self._lock:
            return self._codes.get(code)

    def redeem_code(self, code: str, slug: str) -> dict[str, Any]:
        """Test hook standing in for the vendor's phone app: connect ``slug`` with ``code``.

        The API description has no call for this (the vendor's app does it), so tests and
        QA use this. Single use, like a link token: raises ``CodeRefused`` with
        ``invalid_token`` (unknown code or user gone), ``token_consumed`` (already used) or
        ``token_expired``. Returns the new connection's JSON.
        """
        if slug not in catalogue.provider_slugs():
            raise ValueError(f"{slug!r} is not a provider of the API description")
        with self._lock:
            record = self._codes.get(code.strip())
            if record is None or record.user_id not in self._users:
                raise CodeRefused("invalid_token")
            if record.spent:
                raise CodeRefused("token_consumed")
            if self.now() >= record.expires_at:
                raise CodeRefused("token_expired")
            connection = self.connect(record.user_id, slug)
            self._codes[record.code] = replace(record, spent=True)
            return connection
