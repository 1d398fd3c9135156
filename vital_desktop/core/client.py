"""The Vital API client: validated requests, bounded retries, typed errors, no Qt.

Every method validates its inputs before anything is sent and speaks through one httpx
client built here (``trust_env=False``: proxies are chosen explicitly by ``proxies``, the
certificates trusted by ``tls``: the system's store plus any CA files). Each call has an
overall deadline (``overall_timeout``, retries and their waits included) on top of the
per-operation connect/read timeouts; it can be cancelled from another thread through the
calling thread's ``CancelToken`` (the socket is shut at once and the call raises
``Cancelled``); it retries only 429 and 503 (a bounded number of times,
honouring Retry-After up to a cap); it reads at most ``max_response_bytes`` of decoded reply
whatever the compression; and it turns every other failure into one ``VitalError``. The
API key travels only in the ``x-vital-api-key`` header; it (or a near echo of it) is never
in a message, a log line, a parsed reply or a repr.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from vital_desktop import __version__
from vital_desktop.core.cancel import Cancelled, current_token, interruptible_sleep
from vital_desktop.core.client_settings import DEMO_PROVIDERS as DEMO_PROVIDERS
from vital_desktop.core.client_settings import ClientSettings as ClientSettings
from vital_desktop.core.environments import (
    ApiTarget,
    KeyInfo,
    check_key,
    clean_key,
    is_loopback_host,
)
from vital_desktop.core.errors import ErrorKind, VitalError, bad_response, invalid_input, redact
from vital_desktop.core.i18n import translate
from vital_desktop.core.logsetup import register_secret
from vital_desktop.core.models import (
    ConnectedProvider,
    DemoConnection,
    LinkCode,
    LinkToken,
    ProviderInfo,
    User,
)
from vital_desktop.core.providers import SLUG_PATTERN
from vital_desktop.core.proxies import proxy_for
from vital_desktop.core.retry_after import ONE_DAY, parse_retry_after, wait_phrase, wait_sentence
from vital_desktop.core.tls import client_ssl_context
from vital_desktop.core.transport import (
    DeadlineTransport,
    DecodeError,
    deadline,
    decoded_chunks,
    time_left,
)
from vital_desktop.core.validation import (
    LinkTokenRequest,
    client_user_id_problem,
    normalize_user_id,
    validate_client_user_id,
    validate_slug,
)

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 503})
# Endpoints that name a user: a Vital-shaped 404 from them means "no such user". A 404 from
# any other endpoint (or one that is not Vital's JSON) means the address is not the API.
USER_ENDPOINTS = frozenset(
    {
        "POST /v2/link/token",
        "GET /v2/user/{user_id}",
        "GET /v2/user/resolve/{client_user_id}",
        "GET /v2/user/providers/{user_id}",
        "DELETE /v2/user/{user_id}/{provider}",
        "POST /v2/link/connect/demo",
        "POST /v2/link/code/create",
    }
)


class VitalClient:
    """Speaks the Vital API for one team key and one target.

    ``check_key`` runs at construction: a missing, malformed, ``mg_`` or mismatched key
    raises before any request. ``sleep`` is injectable so callers can cancel a retry wait.
    ``environ`` (default ``os.environ``) is where proxy and CA settings are read; a setting
    that cannot work (there, or ``settings.ca_bundle``) raises ``VitalError`` INVALID_INPUT
    here, never later. ``transport`` replaces the network layer (the deadline then only
    applies between body chunks).

    ``settings.overall_timeout`` bounds each call as a whole, retries included: a call
    raises TIMEOUT once it has run that long, and a retry whose wait would pass the deadline
    is not attempted (the server's answer is reported instead).

    Cancelling the calling thread's ``CancelToken`` (``cancel.running``) shuts the socket of
    the exchange in flight down at once (or wakes a retry wait); the call then raises
    ``Cancelled``, not a ``VitalError``.
    """

    def __init__(
        self,
        api_key: str,
        target: ApiTarget,
        settings: ClientSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = interruptible_sleep,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        key = clean_key(api_key)
        self.key_info: KeyInfo = check_key(key, target)
        self._key = key
        register_secret(key)
        self.target = target
        self.settings = settings or ClientSettings()
        self._sleep = sleep
        self._last_date = threading.local()  # the Date header of this thread's last reply
        self._loopback = is_loopback_host(httpx.URL(target.base_url).host)
        if transport is None:
            env = os.environ if environ is None else environ
            proxy = proxy_for(target, env)
            if target.base_url.lower().startswith("https:") or (
                proxy is not None and proxy.url.scheme == "https"
            ):
                context = client_ssl_context(env, ca_bundle=self.settings.ca_bundle)
            else:
                # Plain http to this computer: no TLS is ever set up, so CA settings (even
                # broken ones) must not stop demo mode. A context without CAs verifies
                # nothing successfully, should it ever be used.
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            transport = DeadlineTransport(context, proxy)
        self._http = httpx.Client(
            base_url=target.base_url,
            headers={
                "x-vital-api-key": key,
                "accept": "application/json",
                # Only what decoded_chunks can undo with bounded memory.
                "accept-encoding": "gzip, deflate",
                "user-agent": f"vital-desktop/{__version__}",
            },
            timeout=httpx.Timeout(
                self.settings.read_timeout, connect=self.settings.connect_timeout
            ),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
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
        return LinkToken.from_json(
            body, endpoint, server_date=self._last_date.value, allow_http=self._loopback
        )

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
                translate(
                    "Client",
                    "Type at least two characters of a user ID or the clinic's patient ID to "
                    "search.",
                ),
                field="query",
            )
        # Held to the clinic-id rules (length, no control or invisible characters): such
        # text matches no patient, and a lone surrogate could not even be encoded to send.
        problem = client_user_id_problem(text)
        if problem:
            raise invalid_input("query", problem)
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
        if uuid.UUID(uid).version != 4 or uid[19] not in "89ab":
            # The API declares this body's user_id as a version-4 UUID (the ids Vital
            # issues); anything else is refused here rather than sent.
            raise VitalError(
                ErrorKind.INVALID_INPUT,
                translate(
                    "Client",
                    "Demo connections need the Vital user ID of a patient made by Vital; this "
                    "one is not.",
                ),
                field="user_id",
            )
        slug = provider.strip()
        if slug not in DEMO_PROVIDERS:
            raise VitalError(
                ErrorKind.INVALID_INPUT,
                translate("Client", "Demo connections exist only for {providers}.").format(
                    providers=", ".join(DEMO_PROVIDERS)
                ),
                field="provider",
            )
        endpoint = "POST /v2/link/connect/demo"
        body = self._send(
            "POST", "/v2/link/connect/demo", endpoint, json_body={"user_id": uid, "provider": slug}
        )
        return DemoConnection.from_json(body, endpoint)

    def create_link_code(self, user_id: str, expires_at: datetime | None = None) -> LinkCode:
        """POST /v2/link/code/create?user_id=[&expires_at=]: a code for the vendor's phone app.

        ``expires_at`` (a naive datetime is taken as UTC) is sent as ISO 8601 UTC; without it
        the server's default applies (one hour). ``server_date`` of the answer is the reply's
        Date header, so the code's lifetime can be counted on the server's clock.
        """
        uid = normalize_user_id(user_id)
        params = {"user_id": uid}
        if expires_at is not None:
            params["expires_at"] = _iso_utc(expires_at)
        endpoint = "POST /v2/link/code/create"
        self._last_date.value = None
        body = self._send("POST", "/v2/link/code/create", endpoint, params=params)
        return LinkCode.from_json(body, endpoint, server_date=self._last_date.value)

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
        token = current_token()
        if token is not None:
            token.check()
        with deadline(self.settings.overall_timeout):
            attempt = 0
            while True:
                status, headers, raw = self._exchange(method, path, endpoint, json_body, params)
                retry_after = parse_retry_after(headers.get("retry-after"))
                delay = self._retry_delay(retry_after, attempt)
                retry = status in RETRYABLE_STATUSES and attempt < self.settings.max_retries
                left = time_left()
                if retry and delay is not None and (left is None or delay < left):
                    log.info("%s answered %s; retrying in %.1f s", endpoint, status, delay)
                    self._sleep(delay)
                    attempt += 1
                    continue
                if 200 <= status < 300:
                    self._last_date.value = _parse_http_date(headers.get("date"))
                    return self._decode(raw, endpoint)
                raise self._http_error(status, retry_after, raw, endpoint)

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
        except (VitalError, Cancelled):
            raise
        except Exception as exc:
            token = current_token()
            if token is not None and token.cancelled:
                # The socket was shut down under the call: that is the cancel, not a failure.
                raise Cancelled from None
            error = self._transport_error(exc, endpoint)
            if error is None:
                raise
            raise error from None

    def _transport_error(self, exc: Exception, endpoint: str) -> VitalError | None:
        """The VitalError for a failure below HTTP, or None for an unexpected exception."""
        if isinstance(exc, DecodeError | httpx.DecodingError):
            # A Content-Encoding (gzip, deflate, ...) whose body does not decode.
            what = str(exc) if isinstance(exc, DecodeError) else "reply could not be decompressed"
            return bad_response(endpoint, self._scrub(what))  # it may quote a header
        if isinstance(exc, httpx.TimeoutException):
            return self._network_error(ErrorKind.TIMEOUT, exc, endpoint)
        if isinstance(exc, httpx.ConnectError):
            return self._network_error(_connect_kind(exc), exc, endpoint)
        if isinstance(exc, httpx.TransportError | httpx.InvalidURL | ssl.SSLError | OSError):
            return self._network_error(ErrorKind.CANNOT_CONNECT, exc, endpoint)
        return None

    def _read_capped(self, response: httpx.Response, endpoint: str) -> bytes:
        """The decoded body, refused as soon as it passes ``max_response_bytes``.

        Decoding happens here, layer by layer with bounded steps (``decoded_chunks``), on
        the raw bytes: httpx's own decoder could expand a small chunk to gigabytes in one
        call before this loop ever saw its size.
        """
        cap = self.settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _too_large(endpoint, response.status_code, cap)
        encoding = response.headers.get("content-encoding", "")
        chunks: list[bytes] = []
        size = 0
        for chunk in decoded_chunks(response.iter_raw(), encoding):
            size += len(chunk)
            if size > cap:
                raise _too_large(endpoint, response.status_code, cap)
            chunks.append(chunk)
            left = time_left()
            if left is not None and left <= 0:
                # A custom transport does not apply the deadline itself: check between chunks.
                raise httpx.ReadTimeout("the overall deadline of the call passed")
        return b"".join(chunks)

    def _retry_delay(self, retry_after: float | None, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when the server asks for longer
        than the cap: retrying early would defy it, so the caller gives up and says how
        long to wait instead."""
        if retry_after is None:
            backoff: float = self.settings.backoff * (2**attempt)
            return min(backoff, self.settings.retry_after_cap)
        if retry_after > self.settings.retry_after_cap:
            return None
        return retry_after

    def _decode(self, raw: bytes, endpoint: str) -> Any:
        try:
            value = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            # ValueError covers UnicodeDecodeError, JSONDecodeError and an integer longer
            # than int() accepts (sys.get_int_max_str_digits).
            raise bad_response(endpoint, "reply is not JSON") from None
        # Every text of a reply may end up on screen (a provider's name, an error message):
        # a server that echoes the key anywhere must not get it displayed.
        return _scrub_json(value, self._scrub_text)

    def _scrub_text(self, text: str) -> str:
        return redact(text, [self._key])

    def _scrub(self, text: str) -> str:
        return redact(text, [self._key])[:500]

    def _network_error(self, kind: ErrorKind, exc: Exception, endpoint: str) -> VitalError:
        host = self.target.host
        if kind is ErrorKind.TIMEOUT:
            sentence = translate(
                "Client", "Vital ({host}) did not answer in time. Check the network and try again."
            )
        elif kind is ErrorKind.DNS:
            sentence = translate(
                "Client",
                "The address {host} could not be found. Check the internet connection, or the "
                "custom API address if one is set.",
            )
        elif kind is ErrorKind.TLS:
            sentence = translate(
                "Client",
                "A secure connection to {host} could not be set up (certificate problem). Check "
                "the computer's date and time, or ask IT about a network filter.",
            )
        else:
            sentence = translate(
                "Client",
                "Could not connect to Vital at {host}. Check the internet connection and try "
                "again.",
            )
        technical = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return VitalError(
            kind,
            sentence.format(host=host),
            endpoint=endpoint,
            server_message=self._scrub(technical),
        )

    def _http_error(
        self, status: int, retry_after: float | None, raw: bytes, endpoint: str
    ) -> VitalError:
        text = raw[:4000].decode("utf-8", "replace")
        try:
            body: Any = json.loads(text) if text else None
        except (ValueError, RecursionError):
            body = None
        vital_shaped = isinstance(body, Mapping) and "detail" in body
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
                translate(
                    "Client",
                    "Vital did not accept the API key. Check that it is current and that it "
                    "belongs to {target}.",
                ).format(target=self.key_info.label),
            )
        if status == 404:
            if vital_shaped and endpoint in USER_ENDPOINTS:
                return err(
                    ErrorKind.NOT_FOUND,
                    translate(
                        "Client",
                        "Vital has no such user in this environment. Check the user ID, and "
                        "that the environment and region are the ones the patient was created "
                        "in.",
                    ),
                )
            # Not Vital's JSON, or an endpoint where "no such user" means nothing (the
            # provider list always exists): the address points at something else.
            return err(
                ErrorKind.NOT_FOUND,
                translate(
                    "Client", "Nothing at {host} answers like the Vital API: check the API address."
                ).format(host=self.target.host),
            )
        if status == 422:
            if not summary:
                return err(
                    ErrorKind.VALIDATION,
                    translate("Client", "Vital rejected the request as invalid."),
                )
            return err(
                ErrorKind.VALIDATION,
                translate("Client", "Vital rejected the request as invalid: {reason}.").format(
                    reason=summary.rstrip(".")
                ),
            )
        if status == 400:
            existing = detail.get("user_id") if isinstance(detail, Mapping) else None
            if isinstance(existing, str):
                existing = self._scrub(existing)[:100]
                return err(
                    ErrorKind.DUPLICATE_USER,
                    translate(
                        "Client",
                        "A patient with that clinic ID already exists (Vital user ID {user_id}).",
                    ).format(user_id=existing),
                    existing_user_id=existing,
                )
            if not summary:
                return err(ErrorKind.BAD_REQUEST, translate("Client", "Vital refused the request."))
            return err(
                ErrorKind.BAD_REQUEST,
                translate("Client", "Vital refused the request: {reason}.").format(
                    reason=summary.rstrip(".")
                ),
            )
        if status == 429:
            return err(
                ErrorKind.RATE_LIMITED,
                translate(
                    "Client", "Vital is receiving too many requests right now. {wait}"
                ).format(wait=wait_sentence(retry_after)),
                retry_after=retry_after,
            )
        if status >= 500:
            if retry_after is not None and retry_after > ONE_DAY:
                sentence = translate(
                    "Client",
                    "Vital's servers had a problem (error {status}). Try again later (Vital "
                    "asked the app to wait more than a day).",
                ).format(status=status)
            else:
                sentence = translate(
                    "Client", "Vital's servers had a problem (error {status}). Try again in {wait}."
                ).format(status=status, wait=wait_phrase(retry_after))
            return err(ErrorKind.SERVER_ERROR, sentence, retry_after=retry_after)
        return err(
            ErrorKind.BAD_RESPONSE,
            translate(
                "Client",
                "Vital answered with an unexpected status ({status}). Try again; if it keeps "
                "happening, send the details to support.",
            ).format(status=status),
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


def _iso_utc(moment: datetime) -> str:
    """``moment`` as ISO 8601 in UTC with a ``Z`` (a naive datetime is taken as UTC).

    ``Z`` rather than ``+00:00``: a ``+`` in a query string is read as a space by some
    servers unless it is escaped, and ``Z`` needs no escaping at all.
    """
    if not isinstance(moment, datetime):
        raise VitalError(
            ErrorKind.INVALID_INPUT,
            translate("Client", "The code's expiry time must be a date and time."),
            field="expires_at",
        )
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


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
    """Kept for callers of the old name: see ``retry_after.parse_retry_after``."""
    return parse_retry_after(value)


def _scrub_json(value: Any, scrub: Callable[[str], str], depth: int = 0) -> Any:
    """``value`` with ``scrub`` applied to every string in it (keys included)."""
    if isinstance(value, str):
        return scrub(value)
    if depth > 200:  # json.loads already refused deeper nesting; stay safe regardless
        return value
    if isinstance(value, list):
        return [_scrub_json(item, scrub, depth + 1) for item in value]
    if isinstance(value, dict):
        return {scrub(key): _scrub_json(item, scrub, depth + 1) for key, item in value.items()}
    return value


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
        translate(
            "Client",
            "Vital sent a far larger reply than expected, so the app stopped reading it. "
            "Try again; if it keeps happening, send the details to support.",
        ),
        status=status,
        endpoint=endpoint,
        server_message=f"reply exceeded {cap} bytes",
    )
