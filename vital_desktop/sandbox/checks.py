"""Input checks that answer like FastAPI/pydantic: a 422 with ``loc``, ``msg`` and ``type``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from vital_desktop.sandbox.errors import Problems, validation_error

Loc = list[str | int]


def json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or the 422 FastAPI sends for anything else."""
    if not body.strip():
        raise validation_error(["body"], "Field required", "missing")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise validation_error(["body", 0], "JSON decode error", "json_invalid") from None
    if not isinstance(value, dict):
        raise validation_error(
            ["body"],
            "Input should be a valid dictionary or object to extract fields from",
            "model_attributes_type",
        )
    return value


def parse_uuid(value: Any, loc: Loc, *, version4: bool = False) -> str:
    """The canonical lowercase UUID, or a 422 at ``loc``."""
    if not isinstance(value, str):
        raise validation_error(
            loc, "UUID input should be a string, bytes or UUID object", "uuid_type"
        )
    text = value.strip()
    try:
        if len(text) not in (32, 36):
            raise ValueError
        parsed = uuid.UUID(text)
    except ValueError:
        raise validation_error(
            loc, "Input should be a valid UUID, invalid character or length", "uuid_parsing"
        ) from None
    if version4 and parsed.version != 4:
        raise validation_error(loc, "UUID version 4 expected", "uuid_version")
    return str(parsed)


def check_enum(
    value: Any, allowed: Collection[str], loc: Loc, problems: Problems, name: str
) -> str | None:
    """``value`` when it is one of ``allowed``; else records a problem and returns None."""
    if isinstance(value, str) and value in allowed:
        return value
    problems.add(loc, f"Input should be a valid {name} (one of the {name} values)", "enum")
    return None


def optional_string(value: Any, loc: Loc, problems: Problems) -> str | None:
    """A string or null."""
    if value is None or isinstance(value, str):
        return value
    problems.add(loc, "Input should be a valid string", "string_type")
    return None


def optional_date(value: Any, loc: Loc, problems: Problems) -> str | None:
    """An ISO date (YYYY-MM-DD) or null."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    problems.add(loc, "Input should be a valid date in the format YYYY-MM-DD", "date_parsing")
    return None


def optional_redirect(value: Any, loc: Loc, problems: Problems) -> str | None:
    """``"redirect"`` or null: the only values ``on_error`` and ``on_close`` take."""
    if value is None or value == "redirect":
        return "redirect" if value else None
    problems.add(loc, "Input should be 'redirect'", "literal_error")
    return None


def query_int(raw: str | None, default: int, loc: Loc, problems: Problems) -> int:
    """An integer query parameter."""
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        problems.add(
            loc,
            "Input should be a valid integer, unable to parse string as an integer",
            "int_parsing",
        )
        return default


def query_datetime(raw: str | None, loc: Loc) -> float | None:
    """A date-time query parameter as a timestamp (a naive time is taken as UTC)."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise validation_error(
            loc, "Input should be a valid datetime", "datetime_parsing"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).timestamp()
    return moment.timestamp()
