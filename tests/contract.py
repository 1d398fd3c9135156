"""Check requests and responses against tests/openapi-subset.json (the vendor's contract).

``validate_request(method, path, query=None, body=None)`` and
``validate_response(method, path, status, body)`` raise ``AssertionError`` with a message
naming the operation and the failing part. Schemas are checked with JSON Schema 2020-12,
with ``uuid``, ``uuid4``, ``date`` and ``date-time`` (RFC 3339) formats enforced.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import rfc3339_validator  # noqa: F401 - jsonschema enforces date-time only when importable

SPEC_PATH = Path(__file__).with_name("openapi-subset.json")
_GENERIC_ERRORS = frozenset({400, 401, 403, 404, 405, 409, 413, 429, 500, 502, 503, 504})


@cache
def spec() -> dict[str, Any]:
    """The parsed API description."""
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("uuid4", raises=ValueError)
    def _uuid4(value: object) -> bool:
        return not isinstance(value, str) or uuid.UUID(value).version == 4

    return checker


def _check(schema: Mapping[str, Any], value: Any, what: str) -> None:
    # The schema is wrapped with the spec's components so "#/components/..." refs resolve.
    root = {**schema, "components": spec()["components"]}
    validator = jsonschema.Draft202012Validator(root, format_checker=_format_checker())
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}"
            for e in errors[:8]
        ]
        raise AssertionError(f"{what} does not match the contract:\n" + "\n".join(lines))


def _segments(path: str) -> list[str]:
    path = path.split("?", 1)[0].strip("/")
    return [unquote(p) for p in path.split("/")] if path else []


def find_operation(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The path template, operation object and path parameters for a concrete request."""
    segments = _segments(path)
    matches: list[tuple[int, str, dict[str, str]]] = []
    for template in spec()["paths"]:
        parts = _segments(template)
        if len(parts) != len(segments):
            continue
        params: dict[str, str] = {}
        literal = 0
        for t, s in zip(parts, segments, strict=True):
            if t.startswith("{") and t.endswith("}"):
                params[t[1:-1]] = s
            elif t == s:
                literal += 1
            else:
                break
        else:
            matches.append((literal, template, params))
    for _, template, params in sorted(matches, key=lambda m: -m[0]):
        operation = spec()["paths"][template].get(method.lower())
        if operation is not None:
            return template, operation, params
    if matches:
        raise AssertionError(f"{method.upper()} is not declared for {matches[0][1]}")
    raise AssertionError(f"No path of the contract matches {path!r}")


def _coerce(schema: Mapping[str, Any], raw: str) -> Any:
    """Query and path values arrive as text; integers are compared as integers."""
    if schema.get("type") == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def validate_request(
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    body: Any = None,
) -> None:
    """Check path parameters, query parameters and the JSON body of a request."""
    template, operation, path_params = find_operation(method, path)
    name = f"{method.upper()} {template}"
    declared = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
    for key, value in path_params.items():
        parameter = declared.get(("path", key))
        if parameter is None:
            raise AssertionError(f"{name}: path parameter {key!r} is not declared")
        _check(parameter["schema"], _coerce(parameter["schema"], value), f"{name} path {key}")
    given = dict(query or {})
    for (where, key), parameter in declared.items():
        if where != "query":
            continue
        if key not in given:
            if parameter.get("required"):
                raise AssertionError(f"{name}: required query parameter {key!r} is missing")
            continue
        value = given.pop(key)
        value = value if not isinstance(value, str) else _coerce(parameter["schema"], value)
        _check(parameter["schema"], value, f"{name} query {key}")
    if given:
        raise AssertionError(f"{name}: undeclared query parameters {sorted(given)}")
    request_body = operation.get("requestBody")
    if request_body is None:
        if body is not None:
            raise AssertionError(f"{name} takes no request body")
        return
    if body is None:
        if request_body.get("required"):
            raise AssertionError(f"{name} requires a JSON body")
        return
    schema = request_body["content"]["application/json"]["schema"]
    _check(schema, body, f"{name} request body")


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Check a response body against the schema declared for its status.

    Undeclared error statuses (401, 404, 400 without a schema, 429, 5xx, ...) must still be
    a JSON object with ``detail``, as every documented error of this API is.
    """
    try:
        template, operation, _ = find_operation(method, path)
    except AssertionError:
        if status < 400:
            raise
        template, operation = path, {"responses": {}}
    name = f"{method.upper()} {template} -> {status}"
    declared = operation["responses"].get(str(status))
    if declared is not None:
        schema = declared["content"]["application/json"]["schema"]
        _check(schema, body, name)
        return
    if status in _GENERIC_ERRORS or status >= 400:
        if not isinstance(body, Mapping) or "detail" not in body:
            raise AssertionError(f"{name}: an error reply must be a JSON object with 'detail'")
        return
    raise AssertionError(f"{name}: status {status} is not declared by the contract")
