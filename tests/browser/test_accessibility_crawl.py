"""The accessibility crawl: every page each role can reach, checked with axe-core.

For anonymous and for each demo role the crawl signs in through the real login form, starts at
`/` and follows every same-site link breadth-first (GET only; never /admin/ or /static/). Every
page reached must answer without an HTTP error and have exactly one `<h1>`, `<main id="main">`,
`html[lang]` in the expected language and a title ending in "– Förändra".

Pages are opened in Chromium and checked with axe-core (WCAG 2.1 A and AA rules), with every
console error counted as a problem (that is how Chromium reports a Content-Security-Policy
violation or a missing static file). Pages of one URL pattern share their template, so the crawl
opens at most FORANDRA_CRAWL_PER_ROUTE pages of each pattern in the browser (default 3; 0 opens
every page) and fetches the rest over HTTP, which checks their status and structure and finds
their links, so a kind of page reachable only through a page that was fetched is still opened.
Of one pattern it fetches at most FORANDRA_CRAWL_FETCH_PER_ROUTE pages (default 25; 0 fetches
every page): the demo's hundreds of ideas give thousands of pages of a few patterns, and the
rest of each pattern is counted as skipped in the summary.
Links into the demo's home municipality (Vindeln) and its region come first, so those pages are
always among the ones opened. Forms are also opened in their error state.

Every problem is collected and each test fails once, listing all of them by page.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

from .conftest import CRAWL_SUMMARY, DESKTOP, ROLES, log_in, read_only_db, switch_language

pytestmark = pytest.mark.browser


# This module's tests only read: the demo is loaded once for all of them (see module_demo).
@pytest.fixture
def demo_url(module_demo: str) -> str:
    return module_demo


@pytest.fixture
def transactional_db(module_demo: str, django_db_blocker) -> Iterator[None]:
    yield from read_only_db(django_db_blocker)


PER_ROUTE = int(os.environ.get("FORANDRA_CRAWL_PER_ROUTE", "3"))
FETCH_PER_ROUTE = int(os.environ.get("FORANDRA_CRAWL_FETCH_PER_ROUTE", "25"))
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
  hrefs: Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href")),
  errorSummaryFocused: !!document.activeElement?.matches(".error-summary"),
})"""
TITLE_END = "– Förändra"
LANGUAGES = {"Svenska": "sv", "English": "en"}  # the header's buttons and the lang they give
ERROR_TITLE_STARTS = ("Fel:", "Error:")
# Django's admin, static files, and the API: JSON for programs, and its documentation page is
# Swagger UI in English (checked with axe on its own below, test_the_api_documentation_passes_axe).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/api/")
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".yaml", ".pdf", ".docx", ".md", ".ics", ".json")
# The demo's home: its pages are followed first, so they are the ones opened in the browser.
FOCUS_PREFIXES = ("/municipalities/2404/", "/regions/24/", "/municipalities/24")

# Pages each role must reach; the crawl finds them by following links from the start page.
EVERYONE = {"/", "/accessibility/", "/public/regions/24/", "/public/regions/24/data/"}
SIGNED_IN = EVERYONE | {
    "/regions/24/",
    "/regions/24/overview/",
    "/regions/24/collaboration/",
    "/accounts/my-data/",
    "/accounts/tokens/",
    "/municipalities/2404/",
    "/municipalities/2404/group/",
    "/accounts/profile/",
    "/accounts/password/change/",
    "/learning/",
}
MANAGERS = SIGNED_IN | {
    "/municipalities/2404/group/edit/",
    "/municipalities/2404/group/members/add/",
    "/municipalities/2404/publication/",
    "/municipalities/2404/webhooks/",
}
REQUIRED_PAGES: dict[str, set[str]] = {
    "anonymous": EVERYONE
    | {"/accounts/login/", "/accounts/password/reset/", "/privacy/residents/"},
    "coordinator": MANAGERS
    | {"/regions/24/programmes/", "/regions/24/learning/", "/regions/24/public-page/"},
    "member": MANAGERS,
    "leadership": SIGNED_IN,
    "admin": MANAGERS | {"/regions/01/", "/national/"},
}


@dataclass
class Facts:
    """What the crawl checks on every page, from the browser or from the HTML."""

    h1: int = 0
    main: int = 0
    lang: str | None = None
    title: str = ""
    hrefs: list[str] = field(default_factory=list)


class Outline(HTMLParser):
    """The Facts of a page fetched over HTTP."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = Facts()
        self._title: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.facts.lang = attributes.get("lang")
        elif tag == "title" and not self._in_body:  # not an SVG <title> in the page
            self._title = []
        elif tag == "body":
            self._in_body = True
        elif tag == "h1":
            self.facts.h1 += 1
        elif tag == "main" and attributes.get("id") == "main":
            self.facts.main += 1
        elif tag == "a" and attributes.get("href") is not None:
            self.facts.hrefs.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.facts.title = " ".join("".join(self._title).split())
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)


@dataclass(frozen=True)
class Problem:
    url: str
    kind: str
    detail: str
    targets: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"    {self.kind}: {self.detail}"]
        lines += [f"        {target}" for target in self.targets]
        return "\n".join(lines)


def route_of(url: str) -> str:
    """The URL pattern a page comes from; pages of one pattern share their template."""
    path = urlsplit(url).path
    try:
        return resolve(path).route
    except Resolver404:
        return path


def focus_rank(url: str) -> int:
    path = urlsplit(url).path
    return next(
        (rank for rank, prefix in enumerate(FOCUS_PREFIXES) if path.startswith(prefix)),
        len(FOCUS_PREFIXES),
    )


@dataclass
class Crawl:
    """One browser page crawling the site as one role, collecting problems instead of failing."""

    page: Page
    axe_source: str
    role: str
    lang: str = "sv"
    per_route: int = PER_ROUTE
    fetch_per_route: int = FETCH_PER_ROUTE
    origin: str = ""  # host:port of the live server; set when the crawl starts
    visited: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _console: list[str] = field(default_factory=list)
    _opened_per_route: Counter[str] = field(default_factory=Counter)
    _fetched_per_route: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    _downloads_per_route: Counter[tuple[str, str]] = field(default_factory=Counter)
    _headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._console.append(f"page error: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self._console.append(f"{message.text} ({where})" if where else message.text)

    def _add(self, url: str, kind: str, detail: str, targets: tuple[str, ...] = ()) -> None:
        self.problems.append(Problem(url, kind, detail, targets))

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # One page ------------------------------------------------------------------------------

    def _check_facts(self, url: str, facts: Facts) -> None:
        if facts.h1 != 1:
            self._add(url, "structure", f"{facts.h1} <h1> elements, expected exactly one")
        if facts.main != 1:
            self._add(url, "structure", 'no <main id="main"> (the skip link\'s target)')
        if not facts.lang:
            self._add(url, "structure", "<html> has no lang attribute")
        elif facts.lang != self.lang:
            self._add(url, "structure", f'<html lang="{facts.lang}">, expected "{self.lang}"')
        if not facts.title.endswith(TITLE_END):
            self._add(url, "structure", f"title {facts.title!r} does not end in {TITLE_END!r}")

    def check(self, *, error_form: bool = False) -> list[str]:
        """Check the page the browser shows now with axe and the page facts; its links."""
        url = self._path(self.page.url)
        raw = self.page.evaluate(PAGE_FACTS)
        focused = raw.pop("errorSummaryFocused")
        facts = Facts(**raw)
        self._check_facts(url, facts)
        if error_form:
            if not facts.title.startswith(ERROR_TITLE_STARTS):
                self._add(url, "error form", f"title {facts.title!r} does not start with 'Fel:'")
            if not focused:
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
        self.opened.append(url)
        return [urljoin(self.page.url, href) for href in facts.hrefs]

    def open(self, url: str) -> list[str]:
        """Open a page in the browser and check it, axe included."""
        try:
            response = self.page.goto(url)
        except Error as error:
            self._add(self._path(url), "navigation", str(error).splitlines()[0])
            return []
        if response is not None and response.status >= 400:
            self._add(self._path(self.page.url), f"HTTP {response.status}", f"link to {url}")
        return self.check()

    def download(self, url: str) -> None:
        """A file link (CSV, XLSX, YAML...): it must download, and it is not a page to check."""
        request = urllib.request.Request(url, headers=self._headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, kind = response.status, response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            status, kind = error.code, ""
        if status >= 400 or kind == "text/html":
            self._add(self._path(url), f"download {status} {kind}", "a file link must give a file")
        self.downloads.append(self._path(url))

    def fetch(self, url: str) -> list[str]:
        """Fetch a page over HTTP, with the browser's cookies, and check its status and facts."""
        # Only ever http:// on the live server at 127.0.0.1: `_follow` keeps the crawl there.
        request = urllib.request.Request(url, headers=self._headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, final, body = response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            status, final, body = error.code, error.geturl(), error.read()
        path = self._path(final)
        if status >= 400:
            self._add(path, f"HTTP {status}", f"link to {self._path(url)}")
        outline = Outline()
        outline.feed(body.decode("utf-8", errors="replace"))
        self._check_facts(path, outline.facts)
        self.visited.append(path)
        return [urljoin(final, href) for href in outline.facts.hrefs]

    # The whole site ------------------------------------------------------------------------

    def _follow(self, href: str) -> str | None:
        """The URL to crawl for a link, or None if the crawl does not follow it."""
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return None  # mailto:, tel:, another site
        if parts.path.startswith(SKIPPED_PREFIXES):
            return None
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def run(self) -> None:
        """Breadth-first from the start page, following every same-site link once."""
        parts = urlsplit(self.page.url)
        self.origin = parts.netloc
        # Fetched pages see what the browser sees: its session and language cookies.
        cookies = self.page.context.cookies(self.page.url)
        self._headers = {
            "Cookie": "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in cookies),
            "Accept-Language": "sv-SE,sv;q=0.9",
        }
        start = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        queue = deque([start])
        seen = {start}
        while queue:
            url = queue.popleft()
            if urlsplit(url).path.endswith(DOWNLOAD_SUFFIXES):
                # Files of one pattern and name come from one code path: a few of each do.
                kind = (route_of(url), urlsplit(url).path.rsplit("/", 1)[-1])
                if not self.per_route or self._downloads_per_route[kind] < self.per_route:
                    self._downloads_per_route[kind] += 1
                    self.download(url)
                continue
            route = route_of(url)
            if self.per_route and self._opened_per_route[route] >= self.per_route:
                if self.fetch_per_route and self._fetched_per_route[route] >= self.fetch_per_route:
                    self.skipped += 1
                    continue
                self._fetched_per_route[route] += 1
                links = self.fetch(url)
            else:
                self._opened_per_route[route] += 1
                links = self.open(url)
            followed = dict.fromkeys(filter(None, map(self._follow, links)))  # in page order
            for link in sorted(followed, key=focus_rank):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def report(self) -> str:
        by_page: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_page.setdefault(problem.url, []).append(problem)
        lines = [
            f"{len(self.problems)} problem(s) for {self.role} on {len(by_page)} of "
            f"{len(set(self.visited))} page(s):"
        ]
        for url, problems in by_page.items():
            lines.append(f"  {url}")
            lines += [str(problem) for problem in problems]
        return "\n".join(lines)

    def summary(self) -> str:
        return (
            f"CRAWL {self.role} {len(set(self.visited))} pages "
            f"({len(self.opened)} opened in the browser and checked with axe; "
            f"{len(set(self.downloads))} downloads; {self.skipped} more of patterns already "
            "fetched enough skipped)"
        )


def crawl_as(
    role: str,
    new_context: Callable[..., BrowserContext],
    axe_source: str,
    *,
    language: str | None = None,
) -> Crawl:
    """Sign in as `role` (unless anonymous), optionally switch language, and crawl the site."""
    page = new_context().new_page()
    username = ROLES[role]
    if username is not None:
        log_in(page, username)
    else:
        page.goto("/")
    crawl = Crawl(page=page, axe_source=axe_source, role=role)
    if language is not None:
        switch_language(page, language)
        crawl.lang = LANGUAGES[language]
        crawl.role = f"{role} in {language}"
    crawl.run()

    # Forms in their error state: the login form sent empty, the profile with a broken address.
    if username is None:
        page.goto("/accounts/login/")
    else:
        page.goto("/accounts/profile/")
        page.locator("input[name=email]").fill("inte en e-postadress")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    crawl.check(error_form=True)
    return crawl


def assert_clean(crawl: Crawl, required: set[str]) -> None:
    summary = crawl.summary()
    print(f"\n{summary}")
    CRAWL_SUMMARY.append(summary)
    failures = []
    if missing := required - set(crawl.opened):
        failures.append(f"The crawl as {crawl.role} did not open {sorted(missing)}")
    if crawl.problems:
        failures.append(crawl.report())
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe(role: str, new_context, axe_source: str) -> None:
    crawl = crawl_as(role, new_context, axe_source)
    assert_clean(crawl, REQUIRED_PAGES[role])


def test_english_pages_pass_axe(new_context, axe_source: str) -> None:
    """Signed in, the English button in the header switches the interface to English: every page
    then has `<html lang="en">`, the start page first."""
    crawl = crawl_as("coordinator", new_context, axe_source, language="English")
    assert crawl.opened[0] == "/"
    assert_clean(crawl, REQUIRED_PAGES["coordinator"])


def test_the_crawl_reports_what_it_checks(new_context, axe_source: str) -> None:
    """A page broken on purpose: the crawl must name each problem, or its silence means nothing."""
    page = new_context().new_page()
    page.goto("/accessibility/")
    crawl = Crawl(page=page, axe_source=axe_source, role="self-test")
    page.evaluate("""() => {
      document.querySelector("main").insertAdjacentHTML("beforeend",
        '<h1>A second heading</h1><img src="/static/forandra/missing.png"><input type="text">');
      const style = document.createElement("style");  // refused: style-src 'self'
      style.textContent = "p { color: red; }";
      document.head.append(style);
    }""")
    page.wait_for_function("() => document.querySelector('img[src$=\"missing.png\"]').complete")
    crawl.check()
    crawl.origin = urlsplit(page.url).netloc
    crawl.fetch(urljoin(page.url, "/no-such-page/"))

    found = "\n".join(str(problem) for problem in crawl.problems)
    assert "2 <h1> elements" in found
    assert "axe image-alt" in found
    assert "axe label" in found
    assert "Content Security Policy" in found
    assert "404" in found
    assert any(problem.kind == "HTTP 404" for problem in crawl.problems), found


REFLOW_PAGES = ["/", "/regions/24/", "/municipalities/2404/group/"]
NARROW = {"width": 320, "height": 640}


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["1280px", "320px"])
def test_pages_fit_the_width_without_scrolling_sideways(viewport, new_context) -> None:
    """WCAG 1.4.10 Reflow: at 320 CSS pixels the page never scrolls sideways; tables may, inside
    their own container. Set FORANDRA_SCREENSHOTS to a directory to keep a screenshot of each."""
    shots = os.environ.get("FORANDRA_SCREENSHOTS")
    page = new_context(viewport=viewport).new_page()
    log_in(page, ROLES["coordinator"] or "")
    too_wide = {}
    for path in REFLOW_PAGES:
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[path] = width
        if shots:
            name = path.strip("/").replace("/", "-") or "start"
            page.screenshot(path=f"{shots}/{name}-{viewport['width']}.png", full_page=True)
    assert not too_wide, f"pages wider than {viewport['width']} px: {too_wide}"


def test_the_api_documentation_passes_axe(new_context, axe_source: str) -> None:
    """The API's interactive documentation (Swagger UI, served from our static files) once it
    has drawn the operations, and with one operation opened."""
    page = new_context().new_page()
    log_in(page, ROLES["member"] or "")
    page.goto("/api/docs")
    page.locator(".swagger-ui .info").wait_for()
    page.locator(".opblock").first.wait_for()
    page.evaluate(axe_source)
    found = {"closed": page.evaluate(AXE_RUN, AXE_OPTIONS)}
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    found["with an operation open"] = page.evaluate(AXE_RUN, AXE_OPTIONS)

    assert {state: [v["id"] for v in violations] for state, violations in found.items()} == {
        "closed": [],
        "with an operation open": [],
    }
