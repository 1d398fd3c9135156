"""The Vital API client: validated requests, bounded retries, typed errors, no Qt.

Every method validates its inputs before anything is sent, speaks through one httpx client
with explicit connect/read timeouts, retries only 429 and 503 (a bounded number of times,
honouring Retry-After up to a cap), reads at most ``max_response_bytes`` of a reply, and
turns every failure into one ``VitalError``. The API key travels only in the
``x-vital-api-key`` header; it is never in a message, a log line or a repr.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from vital_desktop import __version__
from vital_desktop.core.cancel import interruptible_sleep
from vital_desktop.core.environments import ApiTarget, KeyInfo, check_key, clean_key
from vital_desktop.core.errors import ErrorKind, VitalError, bad_response, redact
from vital_desktop.core.models import (
    ConnectedProvider,
    DemoConnection,
    LinkCode,
    LinkToken,
    ProviderInfo,
    User,
)
from vital_desktop.core.providers import SLUG_PATTERN
from vital_desktop.core.validation import (
    LinkTokenRequest,
    normalize_user_id,
    validate_client_user_id,
    validate_slug,
)

log = logging.getLogger(__name__)


class _KeyFilter(logging.Filter):
    """Scrubs API keys from httpx/httpcore log records.

    httpcore logs response headers at DEBUG, so a server that echoes the key in a header
    would otherwise put it in the log. Keys are added by each client and kept for the life
    of the process (one client closing must not unmask another's key).
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = tuple(self.secrets)
        if secrets:
            message = record.getMessage()
            clean = redact(message, secrets)
            if clean != message:
                record.msg, record.args = clean, None
        return True


_KEY_FILTER = _KeyFilter()
for _name in (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
):
    logging.getLogger(_name).addFilter(_KEY_FILTER)

DEMO_PROVIDERS = ("apple_health_kit", "fitbit", "freestyle_libre", "oura")
RETRYABLE_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts, retries and limits. Defaults suit a front desk on an ordinary network."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_retries: int = 2
    retry_after_cap: float = 10.0
    backoff: float = 0.5
    max_response_bytes: int = 2_000_000


class VitalClient:
    """Speaks the Vital API for one team key and one target.

    ``check_key`` runs at construction: a missing, malformed, ``mg_`` or mismatched key
    raises before any request. ``sleep`` is injectable so callers can cancel a retry wait.
    """

    def __init__(
        self,
        api_key: str,
        target: ApiTarget,
        settings: ClientSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = interruptible_sleep,
    ) -> None:
        key = clean_key(api_key)
        self.key_info: KeyInfo = check_key(key, target)
        self._key = key
        _KEY_FILTER.secrets.add(key)
        self.target = target
        self.settings = settings or ClientSettings()
        self._sleep = sleep
        self._last_date = threading.local()  # the Date header of this thread's last reply
        self._http = httpx.Client(
            base_url=target.base_url,
            headers={
                "x-vital-api-key": key,
                "accept": "application/json",
                "user-agent": f"vital-desktop/{__version__}",
            },
            timeout=httpx.Timeout(
                self.settings.read_timeout, connect=self.settings.connect_timeout
            ),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"VitalClient(target={self.target.label!r}, key={self.key_info.label} key)"

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def __enter__(self) -> VitalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def create_link_token(self, request: LinkTokenRequest) -> LinkToken:
        """POST /v2/link/token: a one-time link for the widget."""
        endpoint = "POST /v2/link/token"
        self._last_date.value = None
        body = self._send("POST", "/v2/link/token", endpoint, json_body=request.to_json())
        return LinkToken.from_json(body, endpoint, server_date=self._last_date.value)

    def create_user(self, client_user_id: str) -> User:
        """POST /v2/user. A taken client_user_id raises DUPLICATE_USER with the user_id."""
        clean = validate_client_user_id(client_user_id)
        endpoint = "POST /v2/user"
        body = self._send("POST", "/v2/user", endpoint, json_body={"client_user_id": clean})
        return User.from_json(body, endpoint)

    def resolve_user(self, client_user_id: str) -> User:
        """GET /v2/user/resolve/{client_user_id}: find a user by the clinic's own id."""
        clean = validate_client_user_id(client_user_id)
        segment = quote(clean, safe="")
        if segment in (".", ".."):
            # Percent-encode dot segments, or URL normalization would drop them and send
            # the request to another endpoint (``resolve/..`` would become ``/v2/user``).
            segment = segment.replace(".", "%2E")
        path = f"/v2/user/resolve/{segment}"
        endpoint = "GET /v2/user/resolve/{client_user_id}"
        return User.from_json(self._send("GET", path, endpoint), endpoint)

    def get_user(self, user_id: str) -> User:
        """GET /v2/user/{user_id}."""
        uid = normalize_user_id(user_id)
        endpoint = "GET /v2/user/{user_id}"
        return User.from_json(self._send("GET", f"/v2/user/{uid}", endpoint), endpoint)

    def search_users(self, query: str) -> list[User]:
        """GET /v2/team/users/search: match a user id or client user id."""
        text = query.strip()
        if len(text) < 2:  # the API declares query_id with minLength 2
            raise VitalError(
                ErrorKind.INVALID_INPUT,
                "Type at least two characters of a user ID or the clinic's patient ID to search.",
                field="query",
            )
        endpoint = "GET /v2/team/users/search"
        body = self._send("GET", "/v2/team/users/search", endpoint, params={"query_id": text})
        if not isinstance(body, list):
            raise bad_response(endpoint, "reply is not a JSON array")
        return [User.from_json(item, endpoint) for item in body]

    def connected_providers(self, user_id: str) -> list[ConnectedProvider]:
        """GET /v2/user/providers/{user_id}: poll this to see a new connection."""
        uid = normalize_user_id(user_id)
        endpoint = "GET /v2/user/providers/{user_id}"
        body = self._send("GET", f"/v2/user/providers/{uid}", endpoint)
        return ConnectedProvider.list_from_json(body, endpoint)

    def providers(self) -> list[ProviderInfo]:
        """GET /v2/providers: the provider catalogue."""
        endpoint = "GET /v2/providers"
        return ProviderInfo.list_from_json(self._send("GET", "/v2/providers", endpoint), endpoint)

    def disconnect(self, user_id: str, provider: str) -> bool:
        """DELETE /v2/user/{user_id}/{provider}."""
        uid = normalize_user_id(user_id)
        if not SLUG_PATTERN.match(provider.strip()):
            validate_slug(provider)  # raises with the reason
        slug = provider.strip()
        endpoint = "DELETE /v2/user/{user_id}/{provider}"
        body = self._send("DELETE", f"/v2/user/{uid}/{slug}", endpoint)
        success = body.get("success") if isinstance(body, Mapping) else None
        if not isinstance(success, bool):
            raise bad_response(endpoint, "field 'success' is missing or not a boolean")
        return success

    def demo_connect(self, user_id: str, provider: str) -> DemoConnection:
        """POST /v2/link/connect/demo (sandbox only): a fake connection for rehearsal."""
        uid = normalize_user_id(user_id)
        slug = provider.strip()
        if slug not in DEMO_PROVIDERS:
            raise VitalError(
                ErrorKind.INVALID_INPUT,
                "Demo connections exist only for " + ", ".join(DEMO_PROVIDERS) + ".",
                field="provider",
            )
        endpoint = "POST /v2/link/connect/demo"
        body = self._send(
            "POST", "/v2/link/connect/demo", endpoint, json_body={"user_id": uid, "provider": slug}
        )
        return DemoConnection.from_json(body, endpoint)

    def create_link_code(self, user_id: str) -> LinkCode:
        """POST /v2/link/code/create?user_id=: a code for the vendor's phone app."""
        uid = normalize_user_id(user_id)
        endpoint = "POST /v2/link/code/create"
        body = self._send("POST", "/v2/link/code/create", endpoint, params={"user_id": uid})
        return LinkCode.from_json(body, endpoint)

    # -------------------------------------------------------------- transport

    def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        attempt = 0
        while True:
            status, headers, raw = self._exchange(method, path, endpoint, json_body, params)
            delay = self._retry_delay(headers.get("retry-after"), attempt)
            retry = status in RETRYABLE_STATUSES and attempt < self.settings.max_retries
            if retry and delay is not None:
                log.info("%s answered %s; retrying in %.1f s", endpoint, status, delay)
                self._sleep(delay)
                attempt += 1
                continue
            if 200 <= status < 300:
                self._last_date.value = _parse_http_date(headers.get("date"))
                return self._decode(raw, endpoint)
            raise self._http_error(status, headers, raw, endpoint)

    def _exchange(
        self,
        method: str,
        path: str,
        endpoint: str,
        json_body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> tuple[int, httpx.Headers, bytes]:
        try:
            with self._http.stream(method, path, json=json_body, params=params) as response:
                raw = self._read_capped(response, endpoint)
                return response.status_code, response.headers, raw
        except VitalError:
            raise
        except httpx.DecodingError:
            # A Content-Encoding (gzip, deflate, ...) whose body does not decode.
            raise bad_response(endpoint, "reply could not be decompressed") from None
        except httpx.TimeoutException as exc:
            raise self._network_error(ErrorKind.TIMEOUT, exc, endpoint) from None
        except httpx.ConnectError as exc:
            raise self._network_error(_connect_kind(exc), exc, endpoint) from None
        except (httpx.TransportError, ssl.SSLError, OSError) as exc:
            raise self._network_error(ErrorKind.CANNOT_CONNECT, exc, endpoint) from None
        except httpx.InvalidURL as exc:
            raise self._network_error(ErrorKind.CANNOT_CONNECT, exc, endpoint) from None

    def _read_capped(self, response: httpx.Response, endpoint: str) -> bytes:
        cap = self.settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _too_large(endpoint, response.status_code, cap)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise _too_large(endpoint, response.status_code, cap)
            chunks.append(chunk)
        return b"".join(chunks)

    def _retry_delay(self, header: str | None, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when the server asks for longer
        than the cap: retrying early would defy it, so the caller gives up and says how
        long to wait instead."""
        seconds = _parse_retry_after(header)
        if seconds is None:
            backoff: float = self.settings.backoff * (2**attempt)
            return min(backoff, self.settings.retry_after_cap)
        if seconds > self.settings.retry_after_cap:
            return None
        return seconds

    def _decode(self, raw: bytes, endpoint: str) -> Any:
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            # ValueError covers UnicodeDecodeError, JSONDecodeError and an integer longer
            # than int() accepts (sys.get_int_max_str_digits).
            raise bad_response(endpoint, "reply is not JSON") from None

    def _scrub(self, text: str) -> str:
        return redact(text, [self._key])[:500]

    def _network_error(self, kind: ErrorKind, exc: Exception, endpoint: str) -> VitalError:
        host = self.target.host
        sentences = {
            ErrorKind.TIMEOUT: f"Vital ({host}) did not answer in time. Check the network "
            "and try again.",
            ErrorKind.DNS: f"The address {host} could not be found. Check the internet "
            "connection, or the custom API address if one is set.",
            ErrorKind.TLS: f"A secure connection to {host} could not be set up (certificate "
            "problem). Check the computer's date and time, or ask IT about a network filter.",
            ErrorKind.CANNOT_CONNECT: f"Could not connect to Vital at {host}. Check the "
            "internet connection and try again.",
        }
        technical = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return VitalError(
            kind, sentences[kind], endpoint=endpoint, server_message=self._scrub(technical)
        )

    def _http_error(
        self, status: int, headers: httpx.Headers, raw: bytes, endpoint: str
    ) -> VitalError:
        text = raw[:4000].decode("utf-8", "replace")
        try:
            body: Any = json.loads(text) if text else None
        except (ValueError, RecursionError):
            body = None
        detail = body.get("detail") if isinstance(body, Mapping) else None
        summary = self._scrub(_summarize_detail(detail) if detail is not None else text.strip())

        def err(kind: ErrorKind, message: str, **extra: Any) -> VitalError:
            return VitalError(
                kind,
                message,
                status=status,
                endpoint=endpoint,
                server_message=summary or None,
                **extra,
            )

        if status in (401, 403):
            return err(
                ErrorKind.UNAUTHORIZED,
                "Vital did not accept the API key. Check that it is current and that it "
                f"belongs to {self.key_info.label}.",
            )
        if status == 404:
            return err(
                ErrorKind.NOT_FOUND,
                "Vital has no such user in this environment. Check the user ID, and that "
                "the environment and region are the ones the patient was created in.",
            )
        if status == 422:
            reason = f": {summary}" if summary else ""
            return err(
                ErrorKind.VALIDATION,
                f"Vital rejected the request as invalid{reason}".rstrip(".") + ".",
            )
        if status == 400:
            existing = detail.get("user_id") if isinstance(detail, Mapping) else None
            if isinstance(existing, str):
                return err(
                    ErrorKind.DUPLICATE_USER,
                    f"A patient with that clinic ID already exists (Vital user ID {existing}).",
                    existing_user_id=existing,
                )
            reason = f": {summary}" if summary else ""
            return err(
                ErrorKind.BAD_REQUEST,
                f"Vital refused the request{reason}".rstrip(".") + ".",
            )
        if status == 429:
            retry_after = _parse_retry_after(headers.get("retry-after"))
            return err(
                ErrorKind.RATE_LIMITED,
                "Vital is receiving too many requests right now. "
                f"Wait {_wait_phrase(retry_after)} and try again.",
                retry_after=retry_after,
            )
        if status >= 500:
            return err(
                ErrorKind.SERVER_ERROR,
                f"Vital's servers had a problem (error {status}). Try again in a minute.",
            )
        return err(
            ErrorKind.BAD_RESPONSE,
            f"Vital answered with an unexpected status ({status}). Try again; if it keeps "
            "happening, send the details to support.",
        )


def _connect_kind(exc: httpx.ConnectError) -> ErrorKind:
    """TLS, DNS or plain cannot-connect: from the causes first, the message as a fallback."""
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return ErrorKind.TLS
        if isinstance(cause, socket.gaierror):
            return ErrorKind.DNS
        cause = cause.__cause__ or cause.__context__
        seen += 1
    text = str(exc).lower()
    if "ssl" in text or "certificate" in text:
        return ErrorKind.TLS
    if any(
        marker in text
        for marker in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "no address associated",
            "temporary failure in name resolution",
        )
    ):
        return ErrorKind.DNS
    return ErrorKind.CANNOT_CONNECT


def _wait_phrase(seconds: float | None) -> str:
    """``"about 30 seconds"`` / ``"about 2 minutes"``; ``"a minute"`` when unknown."""
    if seconds is None or seconds != seconds or seconds > 86_400:
        return "a minute"
    if seconds < 90:
        return f"about {max(1, round(seconds))} seconds"
    return f"about {round(seconds / 60)} minutes"


def _parse_http_date(value: str | None) -> float | None:
    """An HTTP ``Date`` header as POSIX seconds, or None when absent or unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.timestamp()


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _summarize_detail(detail: Any) -> str:
    """One line from a ``detail`` that may be a list of {loc, msg}, a string or an object."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, Mapping):
                loc = item.get("loc")
                where = ""
                if isinstance(loc, list):
                    where = ".".join(str(p) for p in loc if p != "body")
                msg = str(item.get("msg", ""))
                parts.append(f"{where}: {msg}" if where else msg)
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)
    if isinstance(detail, Mapping):
        for key in ("error_message", "message", "msg", "error"):
            if isinstance(detail.get(key), str):
                return str(detail[key])
        return json.dumps(detail)[:300]
    return str(detail)


def _too_large(endpoint: str, status: int, cap: int) -> VitalError:
    return VitalError(
        ErrorKind.TOO_LARGE,
        "Vital sent a far larger reply than expected, so the app stopped reading it. "
        "Try again; if it keeps happening, send the details to support.",
        status=status,
        endpoint=endpoint,
        server_message=f"reply exceeded {cap} bytes",
    )
