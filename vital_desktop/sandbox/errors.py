"""Error replies shaped like the real API's: FastAPI 422 lists and ``error_type`` objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """Raised by a handler to answer with ``status`` and a JSON ``body``."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail_error(status: int, error_type: str, message: str) -> ApiError:
    """``{"detail": {"error_type": ..., "error_message": ...}}``, the documented error shape."""
    return ApiError(status, {"detail": {"error_type": error_type, "error_message": message}})


def user_not_found(user_id: str) -> ApiError:
    """404 for a well-formed id that names no user of this team."""
    return detail_error(404, "USER_NOT_FOUND", f"User {user_id} was not found in this team.")


@dataclass
class Problems:
    """Collects FastAPI-style validation problems so one 422 names all of them."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, loc: list[str | int], msg: str, kind: str) -> None:
        """Record one problem at ``loc`` (e.g. ``["body", "user_id"]``)."""
        self.items.append({"loc": loc, "msg": msg, "type": kind})

    def raise_if_any(self) -> None:
        """Raise the 422 when anything was recorded."""
        if self.items:
            raise ApiError(422, {"detail": self.items})


def validation_error(loc: list[str | int], msg: str, kind: str) -> ApiError:
    """A 422 naming a single problem."""
    return ApiError(422, {"detail": [{"loc": loc, "msg": msg, "type": kind}]})
