"""Injected faults: make the stand-in misbehave on purpose, for QA rehearsal and tests.

A fault is written as one spec string::

    [METHOD ]PATH=ACTION[,times=N][,retry-after=S]

``PATH`` is a path template from the API description (``/v2/link/token``,
``/v2/user/{user_id}``; a ``{name}`` segment matches any one segment) or ``*`` for every
path. ``METHOD`` (``GET``, ``POST``, ``DELETE``, ...) is optional; without it every method
matches. ``ACTION`` is one of:

``500``, ``503``, ``401``, ... (any status 400-599)
    answer that status with a JSON error body ``{"detail": {"error_type", "error_message"}}``;
    ``retry-after=S`` adds a ``Retry-After: S`` header (typical with ``429`` and ``503``).
``slow=S``
    wait S seconds, then answer normally (``stop()`` cuts the wait short).
``invalid-json``
    answer 200 with a body that is not JSON.
``missing-fields``
    answer 200 with a JSON object that lacks every required field.
``long-link``
    answer 200 with a token reply whose link is too long for any QR code.
``huge``
    answer 200 with a body of about 5 MB.
``drop``
    close the connection without sending any reply.

``times=N`` limits the fault to the next N matching requests; without it the fault stays
until cleared. Several faults may be active; the first one added that matches a request
fires. The control endpoints ``/_sandbox/...`` are never faulted, so faults can always be
cleared over HTTP.

Ways to switch faults on: ``SandboxServer(faults=FaultPlan([...]))``,
``server.faults.add("POST /v2/link/token=503,times=2")``, the environment variable
``VITAL_SANDBOX_FAULTS`` (specs separated by ``;``, read by ``FaultPlan.from_env()`` and by
``vital-link sandbox``), and ``POST /_sandbox/faults {"spec": "..."}`` /
``DELETE /_sandbox/faults`` on the running stand-in. A bad spec raises ``ValueError`` with a
sentence saying what is wrong.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vital_desktop.sandbox.routing import path_matches, split_path

FAULTS_VARIABLE = "VITAL_SANDBOX_FAULTS"
HUGE_BODY_BYTES = 5 * 1024 * 1024
MAX_SLOW_SECONDS = 600.0
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_SPEC_SHAPE = "[METHOD ]PATH=ACTION[,times=N]"


class FaultKind(enum.Enum):
    """What an injected fault does."""

    STATUS = "status"
    SLOW = "slow"
    INVALID_JSON = "invalid-json"
    MISSING_FIELDS = "missing-fields"
    HUGE = "huge"
    DROP = "drop"
    LONG_LINK = "long-link"  # a well-formed token reply whose link no QR code can hold


@dataclass(frozen=True)
class Fault:
    """One injected fault. Build it with ``parse_fault`` or directly."""

    path: str
    kind: FaultKind
    method: str | None = None
    status: int | None = None
    seconds: float = 0.0
    retry_after: str | None = None
    times: int | None = None

    def matches(self, method: str, path: str) -> bool:
        """True when this fault applies to a request (``path`` without its query)."""
        if self.method is not None and self.method != method.upper():
            return False
        return self.path == "*" or path_matches(split_path(self.path), split_path(path))

    @property
    def spec(self) -> str:
        """The spec string that ``parse_fault`` turns back into this fault."""
        if self.kind is FaultKind.STATUS:
            action = str(self.status)
        elif self.kind is FaultKind.SLOW:
            action = f"slow={self.seconds:g}"
        else:
            action = self.kind.value
        text = f"{self.method + ' ' if self.method else ''}{self.path}={action}"
        if self.retry_after is not None:
            text += f",retry-after={self.retry_after}"
        if self.times is not None:
            text += f",times={self.times}"
        return text


def _number(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"In fault {spec!r}, {what} must be a number, not {text!r}.") from None
    if not 0 <= value <= MAX_SLOW_SECONDS:
        raise ValueError(
            f"In fault {spec!r}, {what} must be between 0 and {MAX_SLOW_SECONDS:g} seconds."
        )
    return value


def _parse_action(action: str, spec: str) -> tuple[FaultKind, int | None, float]:
    name, has_value, value = action.partition("=")
    name = name.strip().lower()
    if name == "slow":
        if not has_value:
            raise ValueError(f"In fault {spec!r}, write slow=S with S the seconds to wait.")
        return FaultKind.SLOW, None, _number(value.strip(), "slow", spec)
    if has_value:
        raise ValueError(f"In fault {spec!r}, the action {action!r} takes no value.")
    if name.isdigit():
        status = int(name)
        if not 400 <= status <= 599:
            raise ValueError(
                f"In fault {spec!r}, a status must be an error status between 400 and 599."
            )
        return FaultKind.STATUS, status, 0.0
    for kind in FaultKind:
        if kind.value == name and kind not in (FaultKind.STATUS, FaultKind.SLOW):
            return kind, None, 0.0
    raise ValueError(
        f"In fault {spec!r}, the action {action!r} is unknown: use a status such as 503, "
        "slow=S, invalid-json, missing-fields, huge, drop or long-link."
    )


def parse_fault(spec: str) -> Fault:
    """Turn ``[METHOD ]PATH=ACTION[,times=N][,retry-after=S]`` into a ``Fault``.

    Raises ``ValueError`` with a sentence naming what is wrong.
    """
    text = spec.strip()
    head, has_action, tail = text.partition("=")
    if not text or not has_action:
        raise ValueError(f"The fault {spec!r} has no action: write it as {_SPEC_SHAPE}.")
    words = head.split()
    if len(words) == 2:
        method, path = words[0].upper(), words[1]
        if method not in _METHODS:
            raise ValueError(f"In fault {spec!r}, {words[0]!r} is not an HTTP method.")
    elif len(words) == 1:
        method, path = None, words[0]
    else:
        raise ValueError(f"The fault {spec!r} needs a path before '=': write it as {_SPEC_SHAPE}.")
    if path != "*" and not path.startswith("/"):
        raise ValueError(f"In fault {spec!r}, the path must start with / or be *.")
    action, *options = [part.strip() for part in tail.split(",")]
    kind, status, seconds = _parse_action(action, text)
    times: int | None = None
    retry_after: str | None = None
    for option in options:
        key, has_value, value = option.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "times" and has_value:
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"In fault {spec!r}, times must be a whole number of 1 or more.")
            times = int(value)
        elif key == "retry-after" and has_value:
            if kind is not FaultKind.STATUS:
                raise ValueError(
                    f"In fault {spec!r}, retry-after goes only with a status such as 429 or 503."
                )
            retry_after = str(_number(value, "retry-after", text)).removesuffix(".0")
        else:
            raise ValueError(
                f"In fault {spec!r}, the option {option!r} is unknown: use times=N or "
                "retry-after=S."
            )
    return Fault(path, kind, method, status, seconds, retry_after, times)


def parse_faults(text: str) -> list[Fault]:
    """Several specs separated by ``;`` (empty parts are ignored)."""
    return [parse_fault(part) for part in text.split(";") if part.strip()]


class FaultPlan:
    """The active faults of one stand-in, safe to change from any thread."""

    def __init__(self, faults: Iterable[Fault | str] = ()) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        for fault in faults:
            self.add(fault)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FaultPlan:
        """The faults listed in ``VITAL_SANDBOX_FAULTS`` (``;``-separated specs).

        Read it once per server: each call returns new faults, so adding its result to a
        plan that already holds them makes every ``times=N`` fault fire twice as often.
        """
        source = os.environ if environ is None else environ
        return cls(parse_faults(source.get(FAULTS_VARIABLE, "")))

    def add(self, fault: Fault | str) -> Fault:
        """Activate a fault (a ``Fault`` or a spec string, or several joined by ``;``)."""
        if isinstance(fault, str):
            parsed = parse_faults(fault)
            if not parsed:
                raise ValueError("The fault spec is empty: write it as " + _SPEC_SHAPE + ".")
            for item in parsed[:-1]:
                self.add(item)
            fault = parsed[-1]
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Deactivate every fault."""
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        """The faults still active, in the order they were added."""
        with self._lock:
            return list(self._faults)

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that fires for this request, counting one use of it; None if none."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.matches(method, path):
                    continue
                if fault.times is not None:
                    left = fault.times - 1
                    if left:
                        self._faults[index] = replace(fault, times=left)
                    else:
                        del self._faults[index]
                return fault
        return None
