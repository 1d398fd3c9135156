"""VitalError: one sentence for the desk, detail for support, the key never shown."""

from __future__ import annotations

import copy
import pickle

import pytest

from vital_desktop.core.errors import ErrorCategory, ErrorKind, VitalError, invalid_input, redact

KEY = "sk_us_0123456789abcdef0123456789abcdef"


def test_redact_replaces_every_occurrence_of_every_secret() -> None:
    text = f"got {KEY} and again {KEY}; other=pk_eu_zz"
    out = redact(text, [KEY, "pk_eu_zz"])
    assert KEY not in out and "pk_eu_zz" not in out
    assert out == "got [redacted] and again [redacted]; other=[redacted]"


@pytest.mark.parametrize("secrets", [[], [None], [""]])
def test_redact_ignores_empty_secrets(secrets: list[str | None]) -> None:
    assert redact("nothing to hide", secrets) == "nothing to hide"


def test_message_is_str_and_fields_are_kept() -> None:
    err = VitalError(
        ErrorKind.DUPLICATE_USER,
        "A patient with that clinic ID already exists.",
        status=400,
        endpoint="POST /v2/user",
        server_message="Client user id already exists.",
        existing_user_id="1449752e-0d8a-40e0-9206-91ab099b2537",
    )
    assert str(err) == err.message == "A patient with that clinic ID already exists."
    assert err.existing_user_id == "1449752e-0d8a-40e0-9206-91ab099b2537"
    lines = err.detail.splitlines()
    assert lines == [
        "Kind: duplicate_user",
        "HTTP status: 400",
        "Endpoint: POST /v2/user",
        "Existing user_id: 1449752e-0d8a-40e0-9206-91ab099b2537",
        "Server said: Client user id already exists.",
    ]


def test_detail_lists_field_and_retry_after() -> None:
    err = VitalError(ErrorKind.RATE_LIMITED, "Slow down.", retry_after=2.5, field="query")
    assert "Retry-After: 2.5 s" in err.detail
    assert "Field: query" in err.detail
    assert "HTTP status" not in err.detail


def test_detail_of_bare_error_is_only_the_kind() -> None:
    assert VitalError(ErrorKind.TIMEOUT, "Too slow.").detail == "Kind: timeout"


@pytest.mark.parametrize(
    ("kind", "category", "code"),
    [
        (ErrorKind.INVALID_INPUT, ErrorCategory.BAD_INPUT, 2),
        (ErrorKind.KEY_MISSING, ErrorCategory.BAD_INPUT, 2),
        (ErrorKind.KEY_MALFORMED, ErrorCategory.BAD_INPUT, 2),
        (ErrorKind.KEY_REFUSED, ErrorCategory.BAD_INPUT, 2),
        (ErrorKind.KEY_MISMATCH, ErrorCategory.BAD_INPUT, 2),
        (ErrorKind.UNAUTHORIZED, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.NOT_FOUND, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.VALIDATION, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.DUPLICATE_USER, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.BAD_REQUEST, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.RATE_LIMITED, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.SERVER_ERROR, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.BAD_RESPONSE, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.TOO_LARGE, ErrorCategory.API_REFUSED, 3),
        (ErrorKind.TIMEOUT, ErrorCategory.NETWORK, 4),
        (ErrorKind.CANNOT_CONNECT, ErrorCategory.NETWORK, 4),
        (ErrorKind.DNS, ErrorCategory.NETWORK, 4),
        (ErrorKind.TLS, ErrorCategory.NETWORK, 4),
    ],
)
def test_category_and_exit_code(kind: ErrorKind, category: ErrorCategory, code: int) -> None:
    err = VitalError(kind, "x.")
    assert err.category is category
    assert err.exit_code == code


def test_every_kind_has_a_category_test() -> None:
    # Guard: a new ErrorKind must be placed in a category on purpose.
    assert len(ErrorKind) == 18


def test_repr_shows_kind_message_and_status_only() -> None:
    err = VitalError(ErrorKind.NOT_FOUND, "No such user.", status=404, server_message="secret-ish")
    assert repr(err) == "VitalError('not_found', 'No such user.', status=404)"


@pytest.mark.parametrize(
    "clone", [copy.copy, copy.deepcopy, lambda e: pickle.loads(pickle.dumps(e))]
)
def test_copy_and_pickle_keep_every_field(clone) -> None:  # type: ignore[no-untyped-def]
    err = VitalError(
        ErrorKind.RATE_LIMITED,
        "Wait.",
        status=429,
        endpoint="POST /v2/link/token",
        server_message="busy",
        field="user_id",
        existing_user_id="u",
        retry_after=3.0,
    )
    other = clone(err)
    assert isinstance(other, VitalError)
    assert other is not err
    assert (other.kind, other.message, other.status, other.endpoint) == (
        err.kind,
        err.message,
        err.status,
        err.endpoint,
    )
    assert other.detail == err.detail
    assert str(other) == str(err)


def test_invalid_input_names_the_field() -> None:
    err = invalid_input("redirect_url", "Bad redirect.")
    assert err.kind is ErrorKind.INVALID_INPUT
    assert err.field == "redirect_url"
    assert err.message == "Bad redirect."
    assert err.exit_code == 2


# ------------------------------------------------------------------ near echoes


@pytest.mark.parametrize(
    "echo",
    [
        KEY.upper(),
        KEY.swapcase(),
        KEY[6:],
        KEY[6:].upper(),
        "SK_US_" + KEY[6:],
        KEY[6:18],  # the shortest fragment that counts
        KEY[20:],
        KEY[9:30].upper(),
    ],
)
def test_redact_catches_near_echoes(echo: str) -> None:
    out = redact(f"before {echo} after", [KEY])
    assert out == "before [redacted] after"


@pytest.mark.parametrize(
    "text",
    [
        KEY[6:17],  # eleven characters: too short to mean anything
        "api.sandbox.us.junction.com responded",
        "0123 4567 89ab cdef",
    ],
)
def test_redact_leaves_ordinary_text(text: str) -> None:
    assert redact(text, [KEY]) == text


def test_redact_merges_overlapping_echoes() -> None:
    text = f"{KEY[6:20]}{KEY[14:]}|{KEY}{KEY.lower()}|tail"
    assert redact(text, [KEY]) == "[redacted]|[redacted]|tail"


def test_short_secret_is_matched_whole_only() -> None:
    assert redact("pizza PK_EU_ZZ", ["pk_eu_zz"]) == "pizza [redacted]"


def test_redact_keeps_non_ascii_text_aligned() -> None:
    text = f"İstanbul {KEY[6:].upper()} ß"
    assert redact(text, [KEY]) == "İstanbul [redacted] ß"
