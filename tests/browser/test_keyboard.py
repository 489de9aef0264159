"""Keyboard use: the skip link, signing in without a mouse, and a visible focus on every stop."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from forandra.core.demo import DEMO_PASSWORD

from .conftest import DESKTOP, read_only_db

pytestmark = pytest.mark.browser


# This module's tests only read: the demo is loaded once for all of them (see module_demo).
@pytest.fixture
def demo_url(module_demo: str) -> str:
    return module_demo


@pytest.fixture
def transactional_db(module_demo: str, django_db_blocker) -> Iterator[None]:
    yield from read_only_db(django_db_blocker)


ACTIVE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    name: element.getAttribute("name"),
    id: element.id,
    className: element.className,
    text: (element.textContent || "").trim().slice(0, 40),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
  };
}"""


def active(page: Page) -> dict[str, object]:
    return page.evaluate(ACTIVE)


def shows_focus(element: dict[str, object]) -> bool:
    """A focus indicator: an outline at least 2 px thick, or a box shadow."""
    outline = element["outlineStyle"] != "none" and float(element["outlineWidth"]) >= 2  # type: ignore[arg-type]
    return outline or element["boxShadow"] != "none"


def test_the_first_tab_stop_is_a_visible_skip_link_to_the_main_content(new_context) -> None:
    page = new_context().new_page()
    page.goto("/")
    skip_link = page.locator("a.skip-link")

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None, "the focused skip link is not rendered"
    assert box["width"] > 1 and box["height"] > 1, f"the skip link is hidden when focused: {box}"
    left, top = box["x"], box["y"]
    right, bottom = left + box["width"], top + box["height"]
    assert left >= 0 and right <= DESKTOP["width"], f"the skip link is off screen: {box}"
    assert top >= 0 and bottom <= DESKTOP["height"], f"the skip link is off screen: {box}"
    assert shows_focus(active(page)), "the skip link shows no focus indicator"

    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()


def test_signing_in_with_the_keyboard_alone(new_context) -> None:
    page = new_context().new_page()
    page.goto("/accounts/login/")

    for _ in range(30):  # Tab until the username field has focus (it may have it already)
        if active(page)["name"] == "username":
            break
        page.keyboard.press("Tab")
    assert active(page)["name"] == "username", "Tab never reaches the username field"
    page.keyboard.type("demo-grupp")
    page.keyboard.press("Tab")
    assert active(page)["name"] == "password", "Tab from the username does not go to password"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert urlsplit(page.url).path == "/"
    expect(page.locator(".site-nav__logout button")).to_be_visible()


def test_every_tab_stop_on_the_start_page_shows_focus(new_context) -> None:
    page = new_context().new_page()
    page.goto("/")

    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        element = active(page)
        if element["tag"] == "body" or (stops and element == stops[0]):
            break  # past the last stop
        stops.append(element)

    links = [stop for stop in stops if stop["tag"] == "a" and "skip-link" not in stop["className"]]
    assert links, f"no link among the tab stops: {stops}"
    without_focus = [stop for stop in stops if not shows_focus(stop)]
    assert not without_focus, f"tab stops without a visible focus indicator: {without_focus}"
