"""Browser fixtures: one Debian Chromium for all browser tests, the demo in the live server's DB.

While Playwright's sync API is started, an event loop counts as running in the test thread, and
Django refuses database calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
tests call the ORM only to load the demo and to empty the database afterwards, never while a
page is loading. The variable is set only while the browser runs (for the tests in this
package), so it never leaks into the rest of the suite or the subprocesses other tests start
(`check --deploy` refuses to pass with it set).

The live server listens on 127.0.0.1, and every browser request to any other host is aborted.
The browser is Debian's /usr/bin/chromium, never one downloaded by `playwright install`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from django.core.management import call_command
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


# "CRAWL <role> <n> pages" lines, shown at the end of the run even without -s.
CRAWL_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CRAWL_SUMMARY:
        terminalreporter.section("accessibility crawl")
        for line in CRAWL_SUMMARY:
            terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    """pytest-django's live server on 127.0.0.1 (not "localhost"), unless --liveserver says."""
    if not config.getoption("liveserver", default=None):
        config.option.liveserver = "127.0.0.1"


@contextmanager
def async_unsafe_allowed() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests; each test opens its own context (own cookies).

    Package scope: the browser and its event loop stop after the last test in tests/browser."""
    # A missing browser fails the suite: the accessibility gate must never be skipped quietly.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is not installed: run `apt-get install chromium` (.ci/run does)")
    with async_unsafe_allowed(), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as shipped by axe-playwright-python; injected with page.evaluate on each page."""
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def demo_url(transactional_db: None, live_server) -> str:
    """The Västerbotten demo, loaded into the database the live server reads; its base URL.

    Loaded for each test, and the database emptied after it (`transactional_db`). A module whose
    tests only read can share one load instead (`module_demo`)."""
    demo_load()
    return str(live_server.url)


@pytest.fixture(scope="module")
def module_demo(django_db_setup: None, django_db_blocker, live_server) -> Iterator[str]:
    """The demo loaded once for a module's tests, and every table emptied after the last one.

    Only for modules whose tests change nothing another test of the module reads (page visits,
    sign-ins, forms sent with errors): loading the demo takes seconds, and the crawl alone has
    nine tests. Such a module overrides `demo_url` with this and `transactional_db` (which
    pytest-django asks for with every live-server test, and which would empty the database
    after each) with `read_only_db`."""
    with django_db_blocker.unblock():
        demo_load()
    try:
        yield str(live_server.url)
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def read_only_db(django_db_blocker) -> Iterator[None]:
    """Database access for a test of a read-only module, without emptying it afterwards."""
    with django_db_blocker.unblock():
        yield


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
        options.setdefault("locale", "sv-SE")  # Accept-Language: Swedish, as for most users
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
