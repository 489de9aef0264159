"""Residents' ideas end to end, by keyboard alone: propose, moderate, support.

A resident (no account) opens Vindeln's public page of ideas, proposes an idea with an e-mail
for follow-up and gets a private link; a member of the group signs in and publishes it from the
moderation queue; the resident supports it and the count rises, and a second support from the
same browser is refused with a message. The title carries a script, which must show as text and
never run. Only Tab, Shift+Tab, Enter, Space and typing are used; the only `page.goto` calls
start a flow or open the private link the resident was shown as text. The public pages are
checked with axe-core (WCAG 2.1 A and AA), as in the accessibility crawl.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from forandra.core.demo import HOME_MUNICIPALITY

from .conftest import ROLES
from .test_maturity_rounds import (
    Shots,
    assert_axe_clean,
    english,
    focused,
    press_and_load,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.browser

PUBLIC = f"/public/{HOME_MUNICIPALITY}/ideas/"
MODERATION = f"/municipalities/{HOME_MUNICIPALITY}/ideas/moderation/"
MEMBER = ROLES["member"] or ""
SCRIPT = "<script>alert(1)</script>"
TITLE = f"Wifi i parken {SCRIPT}"


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    """Screenshots of the main steps, in tmp_path or FORANDRA_SCREENSHOTS."""
    directory = Path(os.environ.get("FORANDRA_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return Shots(directory)


def support_count(page: Page, article: str) -> int:
    text = page.locator(f"#{article} .ideas-support__count").inner_text()
    found = re.search(r"\d+", text)
    assert found, f"no count in {text!r}"
    return int(found.group())


def no_dialogs(page: Page) -> list[str]:
    """Collect any JavaScript dialog (an alert from injected script would open one)."""
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def propose_by_keyboard(page: Page, axe_source: str, shots: Shots) -> str:
    """From the public page, propose an idea with an e-mail; the private link shown after."""
    page.goto(PUBLIC)
    assert_axe_clean(page, axe_source, "the public ideas page")
    assert tab_to(page, f"main a[href='{PUBLIC}propose/']")["text"] == "Propose an idea"
    press_and_load(page)
    assert_axe_clean(page, axe_source, "the proposal form")
    tab_to(page, "input[name=title]")
    page.keyboard.type(TITLE)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "need"
    page.keyboard.type("Vi som bor nära parken vill kunna jobba och studera utomhus.")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "description"
    page.keyboard.type("Öppet wifi vid lekplatsen och scenen.")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "email"
    page.keyboard.type("anna@example.se")
    # The honeypot is out of the Tab order: the next stop is the button.
    page.keyboard.press("Tab")
    here = focused(page)
    assert (here["tag"], here["text"]) == ("button", "Send the proposal"), here
    # Shift+Tab goes back to the e-mail, as a resident checking what they typed would.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "email"
    page.keyboard.press("Tab")
    press_and_load(page)
    expect(page.locator("h1")).to_have_text("Thank you for your proposal")
    assert_axe_clean(page, axe_source, "the thank-you page")
    shots(page, "proposal-sent")
    link = page.locator("#private-link").inner_text()
    assert urlsplit(link).path.startswith("/public/proposals/")
    expect(page.locator("#proposal-state")).to_contain_text("Waiting")
    return link


def publish_by_keyboard(page: Page, shots: Shots) -> str:
    """A group member publishes the proposal from the queue; the idea's element id."""
    sign_in(page, MEMBER, MODERATION)
    proposal = page.locator("article.ideas-proposal", has_text="Wifi i parken")
    expect(proposal.locator("h2")).to_have_text(TITLE)
    expect(proposal).to_contain_text("anna@example.se")  # for the group's follow-up only
    article = proposal.get_attribute("id") or ""
    shots(page, "moderation-queue")
    here = tab_to(page, f"#{article} button[type=submit]")
    assert here["text"] is not None and here["text"].startswith("Publish")
    press_and_load(page)
    expect(page.locator("main [role=status]")).to_contain_text("is published")
    expect(page.locator(f"#{article}")).to_have_count(0)
    return article.replace("proposal-", "idea-")


def test_a_resident_proposes_and_supports_an_idea_by_keyboard(
    new_context: Callable[..., BrowserContext], demo_url: str, axe_source: str, shots: Shots
) -> None:
    resident = english(new_context(), demo_url).new_page()
    dialogs = no_dialogs(resident)
    link = propose_by_keyboard(resident, axe_source, shots)

    member = english(new_context(), demo_url).new_page()
    article = publish_by_keyboard(member, shots)

    # The resident follows the private link they were shown, then goes on to the public page.
    resident.goto(link)
    expect(resident.locator("#proposal-state")).to_contain_text("Published")
    tab_to(resident, f"main a[href='{PUBLIC}#{article}']")
    press_and_load(resident)
    assert_axe_clean(resident, axe_source, "the public ideas page with the new idea")
    title = resident.locator(f"#{article} h3")
    expect(title).to_have_text(TITLE)  # the script is text
    assert resident.evaluate("() => document.querySelectorAll('main script').length") == 0
    before = support_count(resident, article)

    tab_to(resident, f"#{article} button[type=submit]")
    press_and_load(resident, "Space")
    expect(resident.locator("main [role=status]")).to_contain_text("Thank you for supporting")
    assert support_count(resident, article) == before + 1
    expect(resident.locator(f"#{article}")).to_contain_text("You support it")
    shots(resident, "supported")

    tab_to(resident, f"#{article} button[type=submit]")
    press_and_load(resident)
    expect(resident.locator("main [role=status]")).to_contain_text("You already support")
    assert support_count(resident, article) == before + 1
    assert_axe_clean(resident, axe_source, "the public page after a refused support")
    assert dialogs == [], f"a script ran: {dialogs}"


def test_the_proposal_form_in_its_error_state_passes_axe(
    new_context: Callable[..., BrowserContext], demo_url: str, axe_source: str
) -> None:
    page = english(new_context(), demo_url).new_page()
    page.goto(f"{PUBLIC}propose/")
    tab_to(page, "main form button[type=submit]")
    press_and_load(page)

    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title().startswith("Error:")
    assert_axe_clean(page, axe_source, "the proposal form with errors")
