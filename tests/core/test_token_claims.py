"""Unverified claims of a link token: read when present, bounded, never an exception."""

from __future__ import annotations

import base64
import math
import random
from typing import Any
from urllib.parse import quote

import pytest

from vital_desktop.core.token_claims import (
    MAX_PLAUSIBLE_SECONDS,
    MAX_TOKEN_CHARS,
    MAX_URL_CHARS,
    expiry,
    link_claims,
    seconds_left,
    token_in_url,
    unverified_claims,
)
from vital_desktop.sandbox import tokens

CLAIMS = {"aud": "https://link.tryvital.io/", "sub": "u", "user_id": "u", "exp": 1_800_000_600}


def _jwt_with_payload(payload: bytes) -> str:
    return "e30." + base64.urlsafe_b64encode(payload).rstrip(b"=").decode() + ".sig"


def test_claims_are_read_without_the_key() -> None:
    assert unverified_claims(tokens.encode(CLAIMS, b"a secret the desk never sees")) == CLAIMS


def test_the_token_in_a_web_url_is_found_and_read() -> None:
    token = tokens.encode(CLAIMS, b"k")
    url = f"https://link.tryvital.io/?token={quote(token, safe='')}&env=sandbox&region=us"
    assert token_in_url(url) == token
    assert link_claims("opaque", url) == CLAIMS
    assert link_claims(token, "") == CLAIMS
    assert token_in_url("https://link.tryvital.io/?env=sandbox") is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d.e",  # an encrypted JWT: nothing readable
        "e30.!!!!.x",
        "e30.é.x",
        _jwt_with_payload(b"[1, 2]"),
        _jwt_with_payload(b"\xff\xfe not utf-8"),
        _jwt_with_payload(b"{" * 3000),
        _jwt_with_payload(b"[" * 3000 + b"]" * 3000),
        _jwt_with_payload(b'{"exp": ' + b"9" * 5000 + b"}"),
    ],
)
def test_anything_that_is_not_a_readable_jwt_gives_none(token: str) -> None:
    assert unverified_claims(token) is None


def test_input_size_is_bounded() -> None:
    big = tokens.encode({"exp": 1, "pad": "x" * MAX_TOKEN_CHARS}, b"k")
    assert len(big) > MAX_TOKEN_CHARS
    assert unverified_claims(big) is None
    small = tokens.encode({"exp": 1}, b"k")
    assert token_in_url("https://x/?token=" + small + "&p=" + "y" * MAX_URL_CHARS) is None


def test_random_garbage_never_raises() -> None:
    rng = random.Random(20261101)
    alphabet = 'abcAB012-_.=%&?:/{}[]"é\x00 '
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        assert unverified_claims(text) is None or isinstance(unverified_claims(text), dict)
        token_in_url(text)
        link_claims(text, "https://x/?token=" + text)
    for bad in ("http://[::1", "https://x/?" + "&".join(["a=1"] * 100)):
        assert token_in_url(bad) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_800_000_600, 1_800_000_600.0),
        (1_800_000_600.5, 1_800_000_600.5),
        (True, None),
        (False, None),
        ("1800000600", None),
        (None, None),
        ([1], None),
        (math.nan, None),
        (math.inf, None),
        (10**400, None),
    ],
)
def test_exp_must_be_a_finite_number(value: Any, expected: float | None) -> None:
    assert expiry({"exp": value}) == expected
    assert expiry({}) is None and expiry(None) is None


def test_seconds_left_counts_from_the_given_now_and_never_goes_negative() -> None:
    claims = {"exp": 10_000}
    assert seconds_left(claims, 9_400.0) == 600.0
    assert seconds_left(claims, 10_030.0) == 0.0
    assert seconds_left({}, 9_400.0) is None
    assert seconds_left(claims, math.nan) is None


def test_an_exp_absurdly_far_from_now_is_ignored() -> None:
    now = 1_800_000_000.0
    assert seconds_left({"exp": now + MAX_PLAUSIBLE_SECONDS - 1}, now) is not None
    assert seconds_left({"exp": (now + 600) * 1000}, now) is None  # milliseconds
    assert seconds_left({"exp": now - MAX_PLAUSIBLE_SECONDS - 1}, now) is None
    assert seconds_left({"exp": 0}, now) is None
