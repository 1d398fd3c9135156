"""The hosted link widget: a plain HTML page that a patient's browser opens from a link.

It mimics what the desktop can observe of the real widget: it checks the token, lists the
providers the token allows, and ends by sending the browser to ``redirect_url`` with
``state=success`` or ``state=error&error_type=...&error=...`` appended. As in the real
widget, failures and the Close button go to ``redirect_url`` only when the token was made
with ``on_error="redirect"`` / ``on_close="redirect"``; otherwise the page says what
happened. Everything rendered is HTML-escaped; no script and no outside asset is used.
"""

from __future__ import annotations

import html
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from vital_desktop.core.providers import Provider, WebSupport, bundled_catalogue
from vital_desktop.sandbox import catalogue, tokens
from vital_desktop.sandbox.messages import Request, Response
from vital_desktop.sandbox.routing import Route
from vital_desktop.sandbox.state import CodeRefused, LinkTokenRecord, SandboxState, UnknownUser

ERROR_TEXT: dict[str, str] = {
    "invalid_token": "This link is not valid. Ask the clinic for a new link.",
    "token_expired": "This link has expired. Ask the clinic for a new link.",
    "token_consumed": "This link has already been used. Ask the clinic for a new link.",
    "token_not_validated": "This link could not be checked. Ask the clinic for a new link.",
    "provider_credential_error": "The provider did not accept the sign-in details.",
    "provider_password_expired": "The password of the provider account has expired.",
    "provider_api_error": "The provider's service had a problem. Try again later.",
    "unsupported_region": "This provider is not available in your region.",
    "duplicate_connection": "This provider account is already connected to another person.",
    "required_scopes_not_granted": "Some permissions the clinic needs were not granted.",
    "incorrect_mfa_code": "The verification code was not correct.",
    "user_cancelled": "The link was closed without connecting a provider.",
}

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d2330}h1{font-size:1.4rem}ul{list-style:none;padding:0}"
    "li{display:flex;justify-content:space-between;align-items:center;padding:.5rem 0;"
    "border-bottom:1px solid #e3e6ec}button{padding:.4rem .9rem;border-radius:.4rem;"
    "border:1px solid #4a5bdc;background:#4a5bdc;color:#fff;cursor:pointer}"
    "button[disabled]{background:#c9ccd6;border-color:#c9ccd6;cursor:not-allowed}"
    ".muted{color:#667085;font-size:.9rem}.bar{display:flex;gap:.5rem;margin-top:1.5rem}"
    "form{margin:0}"
)

# Characters that may stand as they are in a Location header; everything else (spaces,
# control characters, non-ASCII) is percent-encoded so a redirect can never split headers.
_LOCATION_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` merged into its query; custom schemes keep their shape."""
    parts = urlsplit(quote(url, safe=_LOCATION_SAFE))
    extra = urlencode(params, quote_via=quote)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def page(title: str, body: str, status: int = 200) -> Response:
    """A complete HTML page around ``body`` (already escaped)."""
    return Response.html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>",
        status,
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value)}">'


class Widget:
    """The widget pages of one stand-in."""

    def __init__(self, state: SandboxState, secret: bytes, environment_label: str) -> None:
        self.state = state
        self.secret = secret
        self.environment_label = environment_label

    def routes(self) -> list[Route]:
        """The widget's pages and form targets (no API key: the token is the credential)."""
        return [
            Route("GET", "/link", self.show, auth=False),
            Route("POST", "/link/connect", self.connect, auth=False),
            Route("POST", "/link/cancel", self.cancel, auth=False),
            Route("POST", "/link/error", self.simulate_error, auth=False),
            Route("GET", "/link/code", self.code_form, auth=False),
            Route("POST", "/link/code", self.redeem_code, auth=False),
        ]

    # --------------------------------------------------------------- checks

    def check(self, token: str) -> tuple[LinkTokenRecord | None, str | None]:
        """The token's record (when known) and the error type, None when usable."""
        claims = tokens.decode(token, self.secret)
        if claims is None:
            # A tampered token may still name a token we minted: its redirect_url is known.
            loose = tokens.unverified_claims(token) if token.isascii() else None
            jti = loose.get("jti") if loose else None
            return (self.state.token(jti) if isinstance(jti, str) else None), "invalid_token"
        jti = claims.get("jti")
        record = self.state.token(jti) if isinstance(jti, str) else None
        if record is None or not self.state.has_user(record.user_id):
            return record, "invalid_token"
        if record.spent:
            return record, "token_consumed"
        if self.state.now() >= record.expires_at:
            return record, "token_expired"
        return record, None

    def offered(self, record: LinkTokenRecord) -> list[Provider]:
        """The token's provider, else its filter list, else every web-linkable provider."""
        table = bundled_catalogue()
        if record.provider:
            slugs: tuple[str, ...] = (record.provider,)
        elif record.filter_on_providers:
            slugs = record.filter_on_providers
        else:
            return table.linkable()
        return [
            table.get(s) or Provider(s, catalogue.provider_name(s), "unknown", WebSupport.YES)
            for s in slugs
        ]

    # ---------------------------------------------------------------- pages

    def show(self, request: Request, _: dict[str, str]) -> Response:
        """GET /link/?token=...: the provider list, or the token's error."""
        token = request.query_value("token") or ""
        record, error = self.check(token)
        if error or record is None:
            return self.fail(record, error or "invalid_token", on="error")
        items = []
        for provider in self.offered(record):
            name = html.escape(provider.display_name)
            slug = html.escape(provider.slug)
            if provider.linkable:
                action = (
                    '<form method="post" action="/link/connect">'
                    f"{_hidden('token', token)}{_hidden('provider', provider.slug)}"
                    f'<button type="submit" id="connect-{slug}" name="connect" '
                    f'value="{slug}">Connect</button></form>'
                )
            else:
                reason = html.escape(provider.unavailable_reason or "")
                action = (
                    f'<button type="button" id="connect-{slug}" disabled '
                    f'title="{reason}">Phone app only</button>'
                )
            items.append(f'<li data-provider="{slug}"><span>{name}</span>{action}</li>')
        options = "".join(
            f'<option value="{html.escape(k)}">{html.escape(k)}</option>' for k in ERROR_TEXT
        )
        body = (
            "<h1>Connect a device</h1>"
            f'<p class="muted">Vital sandbox stand-in ({html.escape(self.environment_label)}). '
            "Nothing here talks to a real provider.</p>"
            f'<ul id="providers">{"".join(items)}</ul>'
            '<div class="bar">'
            f'<form method="post" action="/link/cancel">{_hidden("token", token)}'
            '<button type="submit" id="cancel" name="cancel">Cancel</button></form>'
            f'<form method="post" action="/link/error">{_hidden("token", token)}'
            '<label for="error-type" class="muted">Simulate an error </label>'
            f'<select id="error-type" name="error_type">{options}</select> '
            '<button type="submit" id="simulate-error" name="simulate_error">Simulate an error'
            "</button></form></div>"
        )
        return page("Connect a device", body)

    def connect(self, request: Request, _: dict[str, str]) -> Response:
        """POST /link/connect: record the connection, spend the token, go to redirect_url."""
        form = request.form()
        record, error = self.check(form.get("token", ""))
        if error or record is None:
            return self.fail(record, error or "invalid_token", on="error")
        slug = form.get("provider", "")
        allowed = {p.slug for p in self.offered(record) if p.linkable}
        if slug not in allowed:
            return page(
                "Not offered",
                f'<h1>Not offered</h1><p id="message">{html.escape(slug or "No provider")} '
                "cannot be connected through this link.</p>",
                400,
            )
        try:
            spent = self.state.spend_token(record.jti, record.user_id, slug)
        except UnknownUser:
            return self.fail(record, "invalid_token", on="error")
        if not spent:
            return self.fail(record, "token_consumed", on="error")
        if record.redirect_url:
            return Response.redirect(with_query(record.redirect_url, {"state": "success"}))
        name = html.escape(catalogue.provider_name(slug))
        return page(
            "Connected",
            f'<h1 id="result" data-state="success">Connected {name}</h1>'
            "<p>You can close this window.</p>",
        )

    def cancel(self, request: Request, _: dict[str, str]) -> Response:
        """POST /link/cancel: the patient closed the widget."""
        record, error = self.check(request.form().get("token", ""))
        if error:
            return self.fail(record, error, on="error")
        return self.fail(record, "user_cancelled", on="close")

    def simulate_error(self, request: Request, _: dict[str, str]) -> Response:
        """POST /link/error: end as if the provider step failed with the chosen type."""
        form = request.form()
        record, error = self.check(form.get("token", ""))
        chosen = form.get("error_type", "").strip() or "provider_api_error"
        return self.fail(record, error or chosen, on="error")

    def fail(self, record: LinkTokenRecord | None, error_type: str, *, on: str) -> Response:
        """Redirect with the error when the token asked for it, else an error page."""
        text = ERROR_TEXT.get(error_type, "Something went wrong while connecting.")
        wanted = record.on_close if on == "close" and record else None
        if on == "error" and record:
            wanted = record.on_error
        if record and record.redirect_url and wanted == "redirect":
            params = {"state": "error", "error_type": error_type, "error": text}
            return Response.redirect(with_query(record.redirect_url, params))
        status = 200 if error_type == "user_cancelled" else 400
        return page(
            "Could not connect",
            "<h1>Could not connect</h1>"
            f'<p id="message">{html.escape(text)}</p>'
            '<p class="muted">Error type: '
            f'<code id="error-code">{html.escape(error_type)}</code></p>',
            status,
        )

    # ------------------------------------------------------ the phone app's code screen

    def code_form(self, _: Request, __: dict[str, str]) -> Response:
        """GET /link/code: where the vendor's phone app would take a link code (for QA)."""
        options = "".join(
            f'<option value="{html.escape(p.slug)}">{html.escape(p.display_name)}</option>'
            for p in bundled_catalogue()
        )
        body = (
            "<h1>Enter a link code</h1>"
            '<p class="muted">Stands in for the vendor\'s phone app (Settings, link code).</p>'
            '<form method="post" action="/link/code">'
            '<label for="code">Code </label><input id="code" name="code" autocomplete="off"> '
            f'<select id="code-provider" name="provider">{options}</select> '
            '<button type="submit" id="redeem" name="redeem">Connect</button></form>'
        )
        return page("Enter a link code", body)

    def redeem_code(self, request: Request, _: dict[str, str]) -> Response:
        """POST /link/code: connect with a code, once; a used or late code fails like a token."""
        form = request.form()
        slug = form.get("provider", "").strip() or "apple_health_kit"
        if slug not in catalogue.provider_slugs():
            return page(
                "Not offered",
                f'<h1>Not offered</h1><p id="message">{html.escape(slug[:80])} is not a '
                "provider.</p>",
                400,
            )
        try:
            self.state.redeem_code(form.get("code", ""), slug)
        except CodeRefused as refused:
            return self.fail(None, refused.error_type, on="error")
        name = html.escape(catalogue.provider_name(slug))
        return page(
            "Connected",
            f'<h1 id="result" data-state="success">Connected {name}</h1>'
            "<p>You can close the app.</p>",
        )

    def landing(self, request: Request, _: dict[str, str]) -> Response:
        """GET /_sandbox/landing: a redirect target that shows the query it received."""
        rows = "".join(
            f'<dt>{html.escape(k)}</dt><dd id="q-{html.escape(k)}">{html.escape(v[0])}</dd>'
            for k, v in request.query.items()
        )
        return page("Link finished", f'<h1>Link finished</h1><dl id="query">{rows}</dl>')
