"""Browser fixtures: one Debian Chromium for the session, the demo in the live server's database.

Playwright's sync API runs an event loop in the test thread, and Django refuses database calls
from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests call the ORM
only to load the demo, before the browser is pointed at the live server. The live server listens
on 127.0.0.1, and every browser request to any other host is aborted.

The browser is Debian's /usr/bin/chromium, never one downloaded by `playwright install`.
"""

from __future__ import annotations

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    sync_playwright,
)

from forandra.core.demo import DEMO_PASSWORD, demo_load

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}

# The demo logins, by the role names the tests use; anonymous has none.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "coordinator": "demo-koordinator",
    "member": "demo-grupp",
    "leadership": "demo-ledning",
    "admin": "demo-admin",
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session; each test opens its own context (its own cookies)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as shipped by axe-playwright-python; injected with page.evaluate on each page."""
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def demo_url(transactional_db: None, live_server) -> str:
    """The Västerbotten demo, loaded into the database the live server reads; its base URL."""
    demo_load()
    return str(live_server.url)


def _only_loopback(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def new_context(browser: Browser, demo_url: str) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts on the live server; all of them are closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(**options: object) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=demo_url, **options)  # type: ignore[arg-type]
        context.route("**/*", _only_loopback)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form and land on the start page."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == "/", f"{username} did not reach the start page: {page.url}"
    assert page.locator(".site-nav__logout").count() == 1, f"{username} is not signed in"


def switch_language(page: Page, name: str) -> None:
    """Press a language button in the header (a form that posts to Django's set_language)."""
    with page.expect_navigation():
        page.locator(".language-switch").get_by_role("button", name=name, exact=True).click()
