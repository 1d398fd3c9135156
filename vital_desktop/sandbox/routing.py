"""Path templates such as ``/v2/user/{user_id}`` and matching request paths against them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from vital_desktop.sandbox.messages import Request, Response


def split_path(path: str) -> list[str]:
    """Segments of a path, each percent-decoded after splitting.

    Decoding after the split keeps an encoded ``/`` (``%2F``) inside its segment, so a
    ``client_user_id`` containing a slash still fits ``/v2/user/resolve/{client_user_id}``.
    """
    path = path.split("?", 1)[0]
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def is_parameter(segment: str) -> bool:
    """True for a template segment like ``{user_id}``."""
    return segment.startswith("{") and segment.endswith("}")


def path_matches(template: list[str], segments: list[str]) -> bool:
    """True when the request segments fit the template segments."""
    if len(template) != len(segments):
        return False
    return all(is_parameter(t) or t == s for t, s in zip(template, segments, strict=True))


def bind(template: list[str], segments: list[str]) -> dict[str, str]:
    """The values of the template's ``{name}`` segments."""
    return {t[1:-1]: s for t, s in zip(template, segments, strict=True) if is_parameter(t)}


def specificity(template: list[str]) -> int:
    """How many literal segments: ``/v2/user/resolve/{x}`` beats ``/v2/user/{a}/{b}``."""
    return sum(1 for segment in template if not is_parameter(segment))


@dataclass(frozen=True)
class Route:
    """One endpoint: ``handler(request, path_params)``; ``auth`` demands the API key."""

    method: str
    template: str
    handler: Callable[[Request, dict[str, str]], Response]
    auth: bool = True

    @property
    def segments(self) -> list[str]:
        return split_path(self.template)


def find(routes: list[Route], method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """The route for a request, its path parameters, and whether the path exists at all.

    Like FastAPI, a route matching path and method wins over one matching only the path;
    among those, the most literal template wins, so ``/v2/user/resolve/{x}`` is preferred to
    ``/v2/user/{user_id}/{provider}``. ``(None, {}, True)`` means a wrong method.
    """
    segments = split_path(path)
    candidates = [r for r in routes if path_matches(r.segments, segments)]
    if not candidates:
        return None, {}, False
    for route in sorted(candidates, key=lambda r: -specificity(r.segments)):
        if route.method == method:
            return route, bind(route.segments, segments), True
    return None, {}, True
