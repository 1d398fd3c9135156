"""The endpoints of openapi-subset.json, answered from the in-memory state."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import quote

from vital_desktop.core.environments import KEY_PREFIXES, Environment, Region
from vital_desktop.sandbox import catalogue, tokens
from vital_desktop.sandbox.checks import (
    check_enum,
    json_object,
    optional_date,
    optional_redirect,
    optional_string,
    parse_uuid,
    query_datetime,
    query_int,
)
from vital_desktop.sandbox.errors import (
    ApiError,
    Problems,
    detail_error,
    user_not_found,
    validation_error,
)
from vital_desktop.sandbox.messages import Request, Response
from vital_desktop.sandbox.routing import Route
from vital_desktop.sandbox.state import (
    DuplicateClientUserId,
    LinkTokenRecord,
    SandboxState,
    UnknownUser,
    iso,
)

API_KEY_HEADER = "x-vital-api-key"
LINK_CODE_TTL = 3600.0
MAX_PAGE = 500


def _field_uuid(
    body: dict[str, Any], name: str, problems: Problems, *, version4: bool = False
) -> str | None:
    """A required UUID body field; problems are collected rather than raised."""
    if name not in body:
        problems.add(["body", name], "Field required", "missing")
        return None
    try:
        return parse_uuid(body[name], ["body", name], version4=version4)
    except ApiError as error:
        problems.items.extend(error.body["detail"])
        return None


class VitalApi:
    """Handlers for one emulated team in one environment and region."""

    def __init__(
        self,
        state: SandboxState,
        environment: Environment,
        region: Region,
        link_ttl: float,
        secret: bytes,
    ) -> None:
        self.state = state
        self.environment = environment
        self.region = region
        self.link_ttl = link_ttl
        self.secret = secret
        self.key_prefix = KEY_PREFIXES[(environment, region)]
        # Set by the server once it knows its port.
        self.base_url = ""

    @property
    def link_base_url(self) -> str:
        """Where this stand-in's widget lives (the ``aud`` of its link tokens)."""
        return f"{self.base_url}/link/"

    def routes(self) -> list[Route]:
        """Every endpoint of the API description."""
        return [
            Route("POST", "/v2/link/token", self.link_token),
            Route("POST", "/v2/link/code/create", self.link_code),
            Route("POST", "/v2/link/connect/demo", self.demo_connect),
            Route("GET", "/v2/user", self.list_users),
            Route("POST", "/v2/user", self.create_user),
            Route("GET", "/v2/user/{user_id}", self.get_user),
            Route("DELETE", "/v2/user/{user_id}", self.delete_user),
            Route("GET", "/v2/user/resolve/{client_user_id}", self.resolve_user),
            Route("GET", "/v2/user/providers/{user_id}", self.connected_providers),
            Route("DELETE", "/v2/user/{user_id}/{provider}", self.disconnect),
            Route("GET", "/v2/providers", self.providers),
            Route("GET", "/v2/team/users/search", self.search_users),
        ]

    def authorize(self, request: Request) -> None:
        """401 unless the key has this environment's and region's prefix (never echoed)."""
        key = request.headers.get(API_KEY_HEADER, "")
        if key.startswith(self.key_prefix) and len(key) > len(self.key_prefix):
            return
        reason = "No API key was sent" if not key else "The API key is not valid here"
        raise detail_error(
            401,
            "INVALID_API_KEY",
            f"{reason}: this {self.environment.value} {self.region.value} API expects a team "
            f"key starting with {self.key_prefix} in the {API_KEY_HEADER} header.",
        )

    def _known_user(self, raw: str, loc: list[str | int]) -> str:
        user_id = parse_uuid(raw, loc)
        if not self.state.has_user(user_id):
            raise user_not_found(user_id)
        return user_id

    # ------------------------------------------------------------------ link

    def link_token(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v2/link/token."""
        body = json_object(request.body)
        problems = Problems()
        user_id = _field_uuid(body, "user_id", problems)
        slugs = catalogue.provider_slugs()
        provider = body.get("provider")
        if provider is not None:
            provider = check_enum(provider, slugs, ["body", "provider"], problems, "Providers")
        chosen = body.get("filter_on_providers")
        filter_list: tuple[str, ...] | None = None
        if chosen is not None:
            if not isinstance(chosen, list):
                problems.add(
                    ["body", "filter_on_providers"], "Input should be a valid list", "list_type"
                )
            elif not chosen:
                problems.add(
                    ["body", "filter_on_providers"],
                    "List should have at least 1 item after validation, not 0",
                    "too_short",
                )
            else:
                picked = [
                    check_enum(s, slugs, ["body", "filter_on_providers", i], problems, "Providers")
                    for i, s in enumerate(chosen)
                ]
                filter_list = tuple(dict.fromkeys(s for s in picked if s))
        redirect_url = optional_string(body.get("redirect_url"), ["body", "redirect_url"], problems)
        on_error = optional_redirect(body.get("on_error"), ["body", "on_error"], problems)
        on_close = optional_redirect(body.get("on_close"), ["body", "on_close"], problems)
        problems.raise_if_any()
        assert user_id is not None  # no problems means the id parsed
        if not self.state.has_user(user_id):
            raise user_not_found(user_id)
        now = self.state.now()
        jti = uuid.uuid4().hex
        claims = {
            "aud": self.link_base_url,
            "sub": user_id,
            "team_id": self.state.team_id,
            "user_id": user_id,
            "iat": int(now),
            "exp": int(now + self.link_ttl),
            "jti": jti,
        }
        token = tokens.encode(claims, self.secret)
        self.state.add_token(
            LinkTokenRecord(
                jti,
                user_id,
                now + self.link_ttl,
                provider,
                filter_list,
                redirect_url or None,
                on_error,
                on_close,
            )
        )
        url = (
            f"{self.link_base_url}?token={quote(token, safe='')}"
            f"&env={self.environment.value}&region={self.region.value}"
        )
        return Response.json({"link_token": token, "link_web_url": url})

    def link_code(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v2/link/code/create?user_id=[&expires_at=]."""
        raw = request.query_value("user_id")
        if raw is None:
            raise validation_error(["query", "user_id"], "Field required", "missing")
        user_id = self._known_user(raw, ["query", "user_id"])
        expires = query_datetime(request.query_value("expires_at"), ["query", "expires_at"])
        now = self.state.now()
        if expires is None:
            expires = now + LINK_CODE_TTL
        elif expires <= now:
            # The API description declares only 422 for this call: a code that is dead on
            # arrival is a validation problem of the query, reported FastAPI-style.
            raise validation_error(
                ["query", "expires_at"],
                "Value error, expires_at must be in the future",
                "value_error",
            )
        env = "sk" if self.environment is Environment.SANDBOX else "pk"
        code = f"{env}{self.region.value}{secrets.token_hex(4)}"
        self.state.add_code(code, user_id, expires)
        return Response.json(
            {
                "code": code,
                "exchange_url": f"tryvital://tryvital?code={code}",
                "expires_at": iso(expires),
            }
        )

    def demo_connect(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v2/link/connect/demo (sandbox only)."""
        if self.environment is not Environment.SANDBOX:
            raise detail_error(
                400, "INVALID_REQUEST", "Demo connections are available only in sandbox."
            )
        body = json_object(request.body)
        problems = Problems()
        user_id = _field_uuid(body, "user_id", problems, version4=True)
        if "provider" not in body:
            problems.add(["body", "provider"], "Field required", "missing")
            provider = None
        else:
            provider = check_enum(
                body["provider"],
                catalogue.DEMO_PROVIDERS,
                ["body", "provider"],
                problems,
                "DemoProviders",
            )
        problems.raise_if_any()
        assert user_id is not None and provider is not None
        try:
            self.state.connect(user_id, provider)
        except UnknownUser:
            raise user_not_found(user_id) from None
        return Response.json(
            {"success": True, "detail": f"Connected user {user_id} to provider {provider}"}
        )

    # ----------------------------------------------------------------- users

    def list_users(self, request: Request, _: dict[str, str]) -> Response:
        """GET /v2/user?offset=&limit=."""
        problems = Problems()
        offset = query_int(request.query_value("offset"), 0, ["query", "offset"], problems)
        limit = query_int(request.query_value("limit"), 100, ["query", "limit"], problems)
        if limit > MAX_PAGE:
            problems.add(
                ["query", "limit"],
                f"Input should be less than or equal to {MAX_PAGE}",
                "less_than_equal",
            )
        problems.raise_if_any()
        users = self.state.users()
        start = max(offset, 0)
        page = users[start : start + max(limit, 0)]
        return Response.json({"users": page, "total": len(users), "offset": offset, "limit": limit})

    def create_user(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v2/user: 400 with the existing user_id when client_user_id is taken."""
        body = json_object(request.body)
        problems = Problems()
        client_user_id = body.get("client_user_id")
        if "client_user_id" not in body:
            problems.add(["body", "client_user_id"], "Field required", "missing")
        elif not isinstance(client_user_id, str):
            problems.add(
                ["body", "client_user_id"], "Input should be a valid string", "string_type"
            )
        zone = optional_string(
            body.get("fallback_time_zone"), ["body", "fallback_time_zone"], problems
        )
        dates = {
            name: optional_date(body.get(name), ["body", name], problems)
            for name in ("fallback_birth_date", "ingestion_start", "ingestion_end")
        }
        problems.raise_if_any()
        assert isinstance(client_user_id, str)
        try:
            user = self.state.create_user(client_user_id, fallback_time_zone=zone, **dates)
        except DuplicateClientUserId as taken:
            raise ApiError(
                400,
                {
                    "detail": {
                        "error_type": "INVALID_REQUEST",
                        "error_message": "Client user id already exists.",
                        "user_id": taken.existing["user_id"],
                        "created_on": taken.existing["created_on"],
                    }
                },
            ) from None
        return Response.json(user)

    def get_user(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v2/user/{user_id}."""
        user_id = self._known_user(params["user_id"], ["path", "user_id"])
        return Response.json(self.state.user(user_id))

    def delete_user(self, _: Request, params: dict[str, str]) -> Response:
        """DELETE /v2/user/{user_id}."""
        user_id = parse_uuid(params["user_id"], ["path", "user_id"])
        try:
            self.state.delete_user(user_id)
        except UnknownUser:
            raise user_not_found(user_id) from None
        return Response.json({"success": True})

    def resolve_user(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v2/user/resolve/{client_user_id}."""
        client_user_id = params["client_user_id"]
        try:
            return Response.json(self.state.resolve(client_user_id))
        except UnknownUser:
            raise detail_error(
                404, "USER_NOT_FOUND", "No user of this team has that client_user_id."
            ) from None

    def connected_providers(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v2/user/providers/{user_id}."""
        user_id = parse_uuid(params["user_id"], ["path", "user_id"])
        try:
            return Response.json({"providers": self.state.connections(user_id)})
        except UnknownUser:
            raise user_not_found(user_id) from None

    def disconnect(self, _: Request, params: dict[str, str]) -> Response:
        """DELETE /v2/user/{user_id}/{provider}: idempotent for a provider not connected."""
        problems = Problems()
        try:
            user_id: str | None = parse_uuid(params["user_id"], ["path", "user_id"])
        except ApiError as error:
            problems.items.extend(error.body["detail"])
            user_id = None
        slug = check_enum(
            params["provider"],
            catalogue.provider_slugs(),
            ["path", "provider"],
            problems,
            "Providers",
        )
        problems.raise_if_any()
        assert user_id is not None and slug is not None
        try:
            self.state.disconnect(user_id, slug)
        except UnknownUser:
            raise user_not_found(user_id) from None
        return Response.json({"success": True})

    # ------------------------------------------------------------------ team

    def providers(self, _: Request, __: dict[str, str]) -> Response:
        """GET /v2/providers: the whole bundled catalogue (``source_type`` is ignored)."""
        return Response.json(catalogue.catalogue_json())

    def search_users(self, request: Request, _: dict[str, str]) -> Response:
        """GET /v2/team/users/search?query_id=: exact user_id or client_user_id."""
        query = request.query_value("query_id")
        if query is None:
            return Response.json([])
        if len(query) < 2:
            raise validation_error(
                ["query", "query_id"],
                "String should have at least 2 characters",
                "string_too_short",
            )
        return Response.json(self.state.search(query))
