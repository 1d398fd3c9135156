"""The client's sockets: an overall deadline, real cancellation, and bounded decompression.

httpx's timeouts bound each socket operation, not an exchange: a server that trickles one
byte a second never trips a 20 second read timeout. Here every connect, TLS handshake,
read and write of an exchange is given ``min(its own timeout, time left)``, and fails once
the deadline (set with ``deadline()`` by the caller, per thread) has passed.

While a socket operation runs, the thread's ``CancelToken`` (``cancel.current_token()``)
holds a closer that shuts the socket down, so ``cancel()`` from another thread ends a
blocked ``connect`` / ``recv`` at once and the call raises ``Cancelled``.

``decoded_chunks`` undoes ``Content-Encoding`` layers itself, with ``zlib``'s
``max_length`` on every call, because httpx decompresses each incoming chunk in one call:
three layers of gzip turn 268 bytes into gigabytes inside a single call, long before any
size cap can look at the result.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

# SyncStream is httpcore's socket stream (plain, TLS and TLS-in-TLS for https proxies). It is
# not re-exported, but wrapping a socket we connected ourselves is the only way to have the
# socket to shut down while connect() is still blocking.
from httpcore._backends.sync import SyncStream

from vital_desktop.core.cancel import Cancelled, CancelToken, current_token

_state = threading.local()

# Output of one decompress call, per layer: what a reply may cost in memory at a time.
DECODE_CHUNK = 64 * 1024


class DecodeError(Exception):
    """A ``Content-Encoding`` the app cannot read, or a body that does not decompress."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Give every socket operation of this thread at most ``seconds`` from now, in total.

    Nested scopes keep the earlier deadline.
    """
    previous: float | None = getattr(_state, "deadline", None)
    at = time.monotonic() + max(0.0, seconds)
    _state.deadline = at if previous is None else min(at, previous)
    try:
        yield
    finally:
        _state.deadline = previous


def time_left() -> float | None:
    """Seconds until this thread's deadline (may be negative), or None without one."""
    at: float | None = getattr(_state, "deadline", None)
    return None if at is None else at - time.monotonic()


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """``min(timeout, time left)``; raises ``error`` once the deadline has passed."""
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the overall deadline of the exchange passed")
    return left if timeout is None else min(timeout, left)


def _abort(sock: socket.socket) -> None:
    """Shut a socket down from another thread, waking a blocked connect/recv/send.

    ``socket.socket.shutdown`` is called unbound so that, for a TLS socket, the TCP
    connection itself is shut (SSLSocket.shutdown would try to run the TLS close handshake
    on a socket another thread is reading). The owner still closes it in the ordinary way.
    """
    socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextmanager
def _cancellable(sock: socket.socket | None) -> Iterator[CancelToken | None]:
    """Register ``sock`` with the thread's cancel token for the duration of one operation."""
    token = current_token()
    if token is None or sock is None:
        yield token
        return
    token.check()
    forget = token.on_cancel(lambda: _abort(sock))
    try:
        yield token
    finally:
        forget()


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation honours the deadline and the cancel token."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def _socket(self) -> socket.socket | None:
        sock = self._inner.get_extra_info("socket")
        return sock if isinstance(sock, socket.socket) else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _bounded(timeout, httpcore.ReadTimeout)
        with _cancellable(self._socket()) as token:
            data = self._inner.read(max_bytes, bounded)
        if token is not None:
            token.check()  # a shut-down socket reads as a clean end: say why instead
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        bounded = _bounded(timeout, httpcore.WriteTimeout)
        with _cancellable(self._socket()):
            self._inner.write(buffer, bounded)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        sock = self._socket()
        if isinstance(self._inner, SyncStream) and sock is not None:
            if not isinstance(sock, ssl.SSLSocket):
                return DeadlineStream(_start_tls(sock, ssl_context, server_hostname, bounded))
        # TLS inside TLS (through an https proxy): httpcore's own way.
        with _cancellable(sock):
            inner = self._inner.start_tls(ssl_context, server_hostname, bounded)
        return DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _start_tls(
    raw: socket.socket,
    ssl_context: ssl.SSLContext,
    server_hostname: str | None,
    timeout: float | None,
) -> httpcore.NetworkStream:
    """httpcore's ``SyncStream.start_tls``, safe to cancel from another thread.

    A cancel shuts the socket down. Shut down while ``wrap_socket`` is still setting up,
    the socket makes ``ssl`` raise (ECONNRESET from its not-connected probe) without closing
    the TLS socket it already made, which nobody can reach to close: the descriptor leaks.
    So the socket is wrapped under a lock the cancel waits for, the handshake runs
    separately (the cancel shuts down the TLS socket then), and a failure closes it.
    """
    lock = threading.Lock()
    current = [raw]  # what a cancel shuts down: the plain socket, then the TLS one

    def abort() -> None:
        with lock:
            _abort(current[0])

    token = current_token()
    forget = token.on_cancel(abort) if token is not None else (lambda: None)
    wrapped: ssl.SSLSocket | None = None
    try:
        with lock:
            if token is not None:
                token.check()
            raw.settimeout(timeout)
            wrapped = ssl_context.wrap_socket(
                raw, server_hostname=server_hostname, do_handshake_on_connect=False
            )
            current[0] = wrapped
        wrapped.do_handshake()
        if token is not None:
            token.check()
    except BaseException as exc:
        (wrapped or raw).close()
        if token is not None and token.cancelled:
            raise Cancelled from None
        if isinstance(exc, TimeoutError):
            raise httpcore.ConnectTimeout(str(exc) or "timed out") from exc
        if isinstance(exc, OSError):
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        raise
    finally:
        forget()
    return SyncStream(wrapped)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with the deadline and cancel token on every operation.

    It connects the socket itself (as ``socket.create_connection`` would) so the socket can
    be registered with the cancel token before ``connect()`` blocks.
    """

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        source = None if local_address is None else (local_address, 0)
        try:
            sock = _connect(host, port, bounded, source, list(socket_options or ()))
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "timed out") from exc
        except OSError as exc:
            token = current_token()
            if token is not None and token.cancelled:
                raise Cancelled from None
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return DeadlineStream(SyncStream(sock))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - the client never uses a unix socket
        raise httpcore.ConnectError("unix sockets are not used by this client")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - only used by retries
        time.sleep(seconds)


def _connect(
    host: str,
    port: int,
    timeout: float | None,
    source: tuple[str, int] | None,
    options: list[httpcore.SOCKET_OPTION],
) -> socket.socket:
    """``socket.create_connection``, with each attempt's socket open to cancellation."""
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            with _cancellable(sock):
                sock.settimeout(timeout)
                for option in options:
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if source is not None:
                    sock.bind(source)
                sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            token = current_token()
            if token is not None and token.cancelled:
                raise Cancelled from None
        except BaseException:
            sock.close()
            raise
    raise error if error is not None else OSError(f"no address found for {host}")


class DeadlineTransport(httpx.HTTPTransport):
    """An httpx transport over ``DeadlineBackend``, direct or through one proxy.

    httpx builds its connection pool without a way to choose the network backend, so the
    pool is built here with the same arguments httpx would pass.
    """

    def __init__(self, ssl_context: ssl.SSLContext, proxy: httpx.Proxy | None = None) -> None:
        # super().__init__ is not called: it would build a second pool on the default backend.
        backend = DeadlineBackend()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool: httpcore.ConnectionPool | httpcore.HTTPProxy | httpcore.SOCKSProxy
        if proxy is None:
            self._pool = httpcore.ConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=5.0,
                network_backend=backend,
            )
            return
        url = httpcore.URL(
            scheme=proxy.url.raw_scheme,
            host=proxy.url.raw_host,
            port=proxy.url.port,
            target=proxy.url.raw_path,
        )
        if proxy.url.scheme in ("http", "https"):
            self._pool = httpcore.HTTPProxy(
                proxy_url=url,
                proxy_auth=proxy.raw_auth,
                proxy_headers=proxy.headers.raw,
                ssl_context=ssl_context,
                proxy_ssl_context=proxy.ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=5.0,
                network_backend=backend,
            )
        else:  # socks5 / socks5h: the caller checked that socksio is installed
            self._pool = httpcore.SOCKSProxy(
                proxy_url=url,
                proxy_auth=proxy.raw_auth,
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=5.0,
                network_backend=backend,
            )


# ------------------------------------------------------------------ decompression

_Decompressor = Callable[[Iterator[bytes]], Iterator[bytes]]


def _zlib_layer(chunks: Iterator[bytes], wbits: int, fallback_wbits: int | None) -> Iterator[bytes]:
    """Decompress a stream with at most ``DECODE_CHUNK`` bytes produced per call.

    Nothing is flushed at the end: the loop drains every byte the input can give, and a
    stream cut short yields what it had (the JSON reader then refuses it).
    """
    decoder = zlib.decompressobj(wbits)
    started = False
    for chunk in chunks:
        data = chunk
        while True:
            try:
                out = decoder.decompress(data, DECODE_CHUNK)
            except zlib.error:
                if started or fallback_wbits is None:
                    raise
                # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
                decoder, fallback_wbits = zlib.decompressobj(fallback_wbits), None
                continue
            started = True
            data = decoder.unconsumed_tail
            if out:
                yield out
            if decoder.eof:
                return  # bytes after the end of the stream are ignored, as httpx does
            if not data and len(out) < DECODE_CHUNK:
                break  # input used up and no output held back: wait for the next chunk


def _layer(encoding: str) -> _Decompressor:
    if encoding == "gzip" or encoding == "x-gzip":
        return lambda chunks: _zlib_layer(chunks, zlib.MAX_WBITS | 16, None)
    if encoding == "deflate":
        return lambda chunks: _zlib_layer(chunks, zlib.MAX_WBITS, -zlib.MAX_WBITS)
    raise DecodeError(f"reply is compressed as {encoding[:40]!r}, which the app cannot read")


def decoded_chunks(raw: Iterator[bytes], content_encoding: str) -> Iterator[bytes]:
    """The body of a reply with every ``Content-Encoding`` layer undone, lazily.

    Layers are undone last-applied first; each produces at most ``DECODE_CHUNK`` bytes per
    step, so memory stays bounded whatever the compression ratio, and a caller counting
    the output can stop as soon as it passes a cap. Raises ``DecodeError``.
    """
    encodings = [e.strip().lower() for e in content_encoding.split(",")]
    stream: Iterator[bytes] = raw
    for encoding in reversed([e for e in encodings if e and e != "identity"]):
        stream = _layer(encoding)(stream)
    try:
        yield from stream
    except zlib.error as exc:
        raise DecodeError(f"reply could not be decompressed ({exc})") from None
