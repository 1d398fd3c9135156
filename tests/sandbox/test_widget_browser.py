"""The hosted widget in headless Chromium: connect, cancel, expired and spent links.

Uses the system Chromium (/usr/bin/chromium); Playwright never downloads a browser here.
Without Chromium the tests skip, unless VITAL_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vital_desktop.sandbox import SandboxServer

CHROMIUM = Path(os.environ.get("VITAL_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the widget tests"
        if os.environ.get("VITAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="vital-widget-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=ARGS, headless=True
            )
            try:
                yield context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _link(server: SandboxServer, **fields: Any) -> tuple[str, str]:
    user_id = server.state.create_user(f"browser-{time.monotonic_ns()}")["user_id"]
    landing = f"{server.base_url}/_sandbox/landing"
    body = {"user_id": user_id, "redirect_url": landing, **fields}
    reply = httpx.post(
        f"{server.base_url}/v2/link/token",
        json=body,
        headers={"x-vital-api-key": server.demo_key},
    )
    assert reply.status_code == 200, reply.text
    return user_id, str(reply.json()["link_web_url"])


def _landed(page: Any) -> dict[str, list[str]]:
    page.wait_for_url("**/_sandbox/landing?**", timeout=10_000)
    return parse_qs(urlsplit(page.url).query)


def test_connect_lands_on_redirect_with_success(sandbox: SandboxServer, browser_page: Any) -> None:
    user_id, url = _link(sandbox)
    browser_page.goto(url)
    browser_page.click("#connect-oura")
    assert _landed(browser_page)["state"] == ["success"]
    assert browser_page.inner_text("#q-state") == "success"
    providers = httpx.get(
        f"{sandbox.base_url}/v2/user/providers/{user_id}",
        headers={"x-vital-api-key": sandbox.demo_key},
    ).json()["providers"]
    assert [(p["slug"], p["status"]) for p in providers] == [("oura", "connected")]


def test_spent_link_shows_token_consumed(sandbox: SandboxServer, browser_page: Any) -> None:
    _, url = _link(sandbox)
    browser_page.goto(url)
    browser_page.click("#connect-garmin")
    _landed(browser_page)
    browser_page.goto(url)
    assert browser_page.inner_text("#error-code") == "token_consumed"


def test_cancel_lands_with_user_cancelled(sandbox: SandboxServer, browser_page: Any) -> None:
    _, url = _link(sandbox, on_close="redirect", on_error="redirect")
    browser_page.goto(url)
    browser_page.click("#cancel")
    query = _landed(browser_page)
    assert query["state"] == ["error"] and query["error_type"] == ["user_cancelled"]


def test_simulated_error_lands_with_its_type(sandbox: SandboxServer, browser_page: Any) -> None:
    _, url = _link(sandbox, on_error="redirect")
    browser_page.goto(url)
    browser_page.select_option("#error-type", "incorrect_mfa_code")
    browser_page.click("#simulate-error")
    assert _landed(browser_page)["error_type"] == ["incorrect_mfa_code"]


def test_expired_link_shows_token_expired(browser_page: Any) -> None:
    with SandboxServer(link_ttl=0.2) as server:
        _, url = _link(server)
        time.sleep(0.3)
        browser_page.goto(url)
        assert browser_page.inner_text("#error-code") == "token_expired"
