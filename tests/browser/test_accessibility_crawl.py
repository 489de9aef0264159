"""The accessibility crawl: every page each role can reach, checked with axe-core.

For anonymous and for each demo role the crawl signs in through the real login form, starts at
`/` and follows every same-site link breadth-first (GET only). On each page it runs axe-core with
the WCAG 2.1 A and AA rules, and checks what axe does not: one `<h1>`, `<main id="main">`,
`html[lang]`, a title ending in "– Förändra", no console errors (which is how Chromium reports a
Content-Security-Policy violation or a missing static file), and no HTTP error for a page
reached by a link. Forms are also checked in their error state. Every problem is collected and
the test fails once, listing them all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Response

from .conftest import ROLES, log_in, switch_language

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
AXE_RUN = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""
PAGE_FACTS = """() => ({
  h1: document.querySelectorAll("h1").length,
  main: document.querySelectorAll("main#main").length,
  lang: document.documentElement.getAttribute("lang"),
  title: document.title,
  errorSummaryFocused: !!document.activeElement?.matches(".error-summary"),
})"""
LINKS = """() => Array.from(document.querySelectorAll("a[href]"),
  (a) => ({raw: a.getAttribute("href"), url: a.href}))"""
TITLE_END = "– Förändra"
ERROR_TITLE_STARTS = ("Fel:", "Error:")
SKIPPED_PREFIXES = ("/admin/", "/static/")

# Pages each role must reach; the crawl finds them by following links from the start page.
EVERYONE = {"/", "/accessibility/"}
SIGNED_IN = EVERYONE | {
    "/regions/24/",
    "/municipalities/2404/",
    "/municipalities/2404/group/",
    "/accounts/profile/",
    "/accounts/password/change/",
}
MANAGERS = SIGNED_IN | {
    "/municipalities/2404/group/edit/",
    "/municipalities/2404/group/members/add/",
}
REQUIRED_PAGES: dict[str, set[str]] = {
    "anonymous": EVERYONE | {"/accounts/login/", "/accounts/password/reset/"},
    "coordinator": MANAGERS,
    "member": MANAGERS,
    "leadership": SIGNED_IN,
    "admin": MANAGERS,
}


@dataclass(frozen=True)
class Problem:
    url: str
    kind: str
    detail: str
    targets: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"  {self.kind}: {self.detail}"]
        lines += [f"      {target}" for target in self.targets]
        return "\n".join(lines)


@dataclass
class Crawl:
    """One browser page crawling the site as one role, collecting problems instead of failing."""

    page: Page
    axe_source: str
    role: str
    lang: str = "sv"
    visited: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _console: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._console.append(f"page error: {error}"))
        self.origin = urlsplit(self.page.url or "http://127.0.0.1/").netloc

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self._console.append(f"{message.text} ({where})" if where else message.text)

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # One page ------------------------------------------------------------------------------

    def check(self, *, error_form: bool = False) -> None:
        """Check the page the browser is on now."""
        url = self.path()
        facts = self.page.evaluate(PAGE_FACTS)
        if facts["h1"] != 1:
            self._add(url, "structure", f"{facts['h1']} <h1> elements, expected exactly one")
        if facts["main"] != 1:
            self._add(url, "structure", 'no <main id="main"> (the skip link\'s target)')
        if not facts["lang"]:
            self._add(url, "structure", "<html> has no lang attribute")
        elif facts["lang"] != self.lang:
            self._add(url, "structure", f'<html lang="{facts["lang"]}">, expected "{self.lang}"')
        if not facts["title"].endswith(TITLE_END):
            self._add(url, "structure", f"title {facts['title']!r} does not end in {TITLE_END!r}")
        if error_form:
            if not facts["title"].startswith(ERROR_TITLE_STARTS):
                self._add(url, "error form", f"title {facts['title']!r} does not say 'Fel:'")
            if not facts["errorSummaryFocused"]:
                self._add(url, "error form", "the error summary does not have focus on load")

        self.page.evaluate(self.axe_source)
        for violation in self.page.evaluate(AXE_RUN, AXE_OPTIONS):
            self._add(
                url,
                f"axe {violation['id']} ({violation['impact']})",
                violation["help"],
                tuple(violation["targets"]),
            )
        # By now the page has loaded and axe has run, so its console messages have arrived.
        for message in self._console:
            self._add(url, "console error", message)
        self._console.clear()
        self.visited.append(url)

    def visit(self, url: str) -> None:
        try:
            response: Response | None = self.page.goto(url)
        except Error as error:
            self._add(url, "navigation", str(error).splitlines()[0])
            return
        if response is not None and response.status >= 400:
            self._add(self.path(), f"HTTP {response.status}", f"reached by a link to {url}")
        self.check()

    def _add(self, url: str, kind: str, detail: str, targets: tuple[str, ...] = ()) -> None:
        self.problems.append(Problem(url, kind, detail, targets))

    # The whole site ------------------------------------------------------------------------

    def links(self) -> list[str]:
        found = []
        for link in self.page.evaluate(LINKS):
            if link["raw"].startswith("#"):
                continue  # a fragment of this page
            parts = urlsplit(link["url"])
            if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
                continue  # mailto:, tel:, another site
            if parts.path.startswith(SKIPPED_PREFIXES):
                continue
            found.append(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
        return found

    def run(self, start: str) -> None:
        """Breadth-first from `start`, following every same-site link once."""
        start_parts = urlsplit(start)
        self.origin = start_parts.netloc
        queue = deque([start])
        seen = {start}
        while queue:
            url = queue.popleft()
            self.visit(url)
            for link in self.links():
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def report(self) -> str:
        by_page: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_page.setdefault(problem.url, []).append(problem)
        lines = [
            f"{len(self.problems)} accessibility problem(s) for {self.role} "
            f"on {len(by_page)} of {len(self.visited)} page(s):"
        ]
        for url, problems in by_page.items():
            lines.append(f"{url}")
            lines += [str(problem) for problem in problems]
        return "\n".join(lines)


def crawl_as(
    role: str,
    new_context: Callable[..., BrowserContext],
    axe_source: str,
    *,
    language: str | None = None,
) -> Crawl:
    """Sign in as `role` (unless anonymous), optionally switch language, and crawl the site."""
    context = new_context()
    page = context.new_page()
    username = ROLES[role]
    if username is not None:
        log_in(page, username)
    else:
        page.goto("/")
    crawl = Crawl(page=page, axe_source=axe_source, role=role)
    if language is not None:
        switch_language(page, language)
        crawl.lang = "en"
        crawl.role = f"{role} ({language})"
    start = page.url
    crawl.run(urlunsplit((*urlsplit(start)[:2], "/", "", "")))

    # Forms in their error state.
    if username is None:
        page.goto("/accounts/login/")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    else:
        page.goto("/accounts/profile/")
        page.locator("input[name=email]").fill("inte en e-postadress")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    crawl.check(error_form=True)
    return crawl


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe(role: str, new_context, axe_source: str) -> None:
    crawl = crawl_as(role, new_context, axe_source)
    pages = set(crawl.visited)
    print(f"\nCRAWL {role} {len(pages)} pages")
    missing = REQUIRED_PAGES[role] - pages
    assert not missing, f"The crawl as {role} did not reach {sorted(missing)}"
    assert not crawl.problems, crawl.report()


def test_english_pages_pass_axe(new_context, axe_source: str) -> None:
    """Signed in, the English button in the header switches the whole interface to English."""
    crawl = crawl_as("member", new_context, axe_source, language="English")
    print(f"\nCRAWL {crawl.role} {len(set(crawl.visited))} pages")
    assert "/" in crawl.visited
    assert crawl.page.locator("html").get_attribute("lang") == "en"
    assert not crawl.problems, crawl.report()
