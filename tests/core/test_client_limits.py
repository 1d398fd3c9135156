"""The reply cap counts decoded bytes across every Content-Encoding layer, in bounded memory.

Three layers of gzip turn 1 GiB of zeros into a reply of about 270 bytes. Decoding it one
incoming chunk per decompress call (as httpx does) allocates the whole gigabyte in a single
call; the client must stop at ``max_response_bytes`` having held only a few chunks.
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib

import pytest

from vital_desktop.core.errors import ErrorKind, VitalError

from .helpers import UID, ScriptedServer, client_for

GIB = 1 << 30


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """gzip(gzip(gzip(1 GiB of zeros))), built a megabyte at a time."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    layer = b"".join([*(inner.compress(zeros) for _ in range(GIB >> 20)), inner.flush()])
    body = gzip.compress(gzip.compress(layer, 9), 9)
    assert len(body) < 400
    return body


def test_layered_gzip_bomb_stops_at_the_cap_in_bounded_memory(
    scripted: ScriptedServer, bomb: bytes
) -> None:
    scripted.set(200, bomb, content_encoding="gzip, gzip, gzip")
    with client_for(scripted.base_url, max_response_bytes=100_000) as client:
        tracemalloc.start()
        try:
            start = time.monotonic()
            with pytest.raises(VitalError) as info:
                client.providers()
            elapsed = time.monotonic() - start
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.kind is ErrorKind.TOO_LARGE
    assert info.value.server_message == "reply exceeded 100000 bytes"
    assert peak < 16 * 1024 * 1024, f"decoding peaked at {peak / 1e6:.0f} MB"
    assert elapsed < 5


def test_layered_encoding_under_the_cap_is_read(scripted: ScriptedServer) -> None:
    user = {"user_id": UID, "client_user_id": "p", "team_id": "t", "created_on": "c"}
    deflated = zlib.compress(gzip.compress(json.dumps(user).encode()))
    scripted.set(200, deflated, content_encoding="gzip, deflate")
    with client_for(scripted.base_url) as client:
        assert client.get_user(UID).user_id == UID


def test_unknown_encoding_is_a_bad_response(scripted: ScriptedServer) -> None:
    scripted.set(200, b"\x00\x01", content_encoding="br")
    with client_for(scripted.base_url) as client:
        with pytest.raises(VitalError) as info:
            client.providers()
    assert info.value.kind is ErrorKind.BAD_RESPONSE
    assert info.value.server_message and "'br'" in info.value.server_message


def test_client_asks_only_for_encodings_it_can_bound(scripted: ScriptedServer) -> None:
    scripted.set(200, b"[]")
    with client_for(scripted.base_url) as client:
        client.providers()
    assert scripted.requests[0].headers["accept-encoding"] == "gzip, deflate"
