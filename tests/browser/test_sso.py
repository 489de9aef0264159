"""Single sign-on in Chromium against the local provider (done-when point 5 of issue 8).

With the demo loaded and single sign-on pointed at the local provider, the login page offers
"Log in with Testkommunens konto". First the provider vouches for an address no account has: the
browser comes back to the login page, which says to ask the administrator. Then it vouches for
demo-grupp's address (in other letter case): the browser goes to the provider, comes back with a
code, and lands signed in on the start page as Gustav; logging out signs out. Both login pages
are checked with axe-core. The provider and its settings come from tests/sso (imported); the
test lives here so the browser, and what it sets for its run, ends with this package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.sso.conftest import provider, sso_on  # noqa: F401 (fixtures, found by their names)
from tests.sso.provider import LocalProvider

from .test_maturity_rounds import assert_axe_clean

pytestmark = pytest.mark.browser

BUTTON = re.compile(r"Testkommunens konto")


def press_sso_button(page: Page) -> None:
    page.goto("/accounts/login/")
    with page.expect_navigation(url=re.compile(r"^http://127\.0\.0\.1:\d+/(accounts/login/)?$")):
        page.get_by_role("link", name=BUTTON).click()


def test_logging_in_with_the_organisation_lands_signed_in_on_the_start_page(
    sso_on: LocalProvider,  # noqa: F811 (the imported fixture)
    new_context: Callable[..., BrowserContext],
    axe_source: str,
) -> None:
    page = new_context().new_page()
    page.goto("/accounts/login/")
    assert_axe_clean(page, axe_source, "the login page with single sign-on")

    sso_on.email = "okand.person@kommun.example"
    press_sso_button(page)

    assert urlsplit(page.url).path == "/accounts/login/"
    expect(page.locator(".notification--error")).to_contain_text("okand.person@kommun.example")
    assert page.locator(".site-nav__logout").count() == 0
    assert_axe_clean(page, axe_source, "the login page after a refused sign-in")

    sso_on.email = "Demo-Grupp@Demo.Example"
    press_sso_button(page)

    assert urlsplit(page.url).path == "/"
    assert page.locator(".site-nav__logout").count() == 1
    assert sso_on.served.count("GET /authorize") == 2
    assert sso_on.served.count("POST /token") == 2
    page.goto("/accounts/profile/")
    expect(page.locator("input[name=first_name]")).to_have_value("Gustav")

    with page.expect_navigation():
        page.locator(".site-nav__logout button").click()
    page.goto("/accounts/profile/")
    assert urlsplit(page.url).path == "/accounts/login/"
