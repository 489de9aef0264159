"""A transformation plan end to end in the browser: draft from data, edit, submit, decide,
follow up.

A member of Vindeln's group starts a plan from data (the demo's maturity results, radar and
portfolio), tries to submit it and is told exactly what is missing, writes the sense of urgency,
gives every initiative an owner and one an innovation budget, and submits. Leadership approves
it with changes, with a comment; the group sees the decision and checks in on an initiative;
leadership's overview shows the check-in. The pages on the way are checked with axe-core.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from forandra.core.demo import HOME_MUNICIPALITY

from .conftest import ROLES
from .test_maturity_rounds import Shots, assert_axe_clean, english, sign_in

pytestmark = pytest.mark.browser

PLANS = f"/municipalities/{HOME_MUNICIPALITY}/plans/"
TITLE = "Digital omställning 2030–2032"
URGENCY = "Invånarna väntar på e-tjänster som fungerar dygnet runt."
PLAN_PATH = re.compile(rf"^{PLANS}\d+/$")


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    directory = Path(os.environ.get("FORANDRA_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return Shots(directory)


def submit(page: Page, button: str) -> None:
    """Press a form's button by its text and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def follow(page: Page, link: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=link).first.click()


def start_from_data(page: Page, axe_source: str) -> str:
    """The member starts a new plan from data; the path of its first version."""
    page.goto(PLANS)
    assert_axe_clean(page, axe_source, "the plans list")
    follow(page, "Start a new plan")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("input[name=first_year]").fill("2030")
    page.locator("input[name=last_year]").fill("2032")
    assert page.locator("input[name=from_data]").is_checked()
    submit(page, "Create the plan")
    path = urlsplit(page.url).path
    assert PLAN_PATH.match(path), f"not on the plan's page: {page.url}"
    expect(page.locator("h1")).to_contain_text(TITLE)
    return path + "versions/1/"


def test_a_plan_from_data_is_submitted_decided_and_followed_up(
    new_context: Callable[..., BrowserContext], live_server, axe_source: str, shots: Shots
) -> None:
    base = str(live_server.url)
    member = english(new_context(), base).new_page()
    sign_in(member, ROLES["member"] or "", PLANS)
    version = start_from_data(member, axe_source)
    plan_path = version.split("versions/")[0]

    # The draft was made from the demo's data: the urgency names the maturity results, the
    # capabilities are dimensions with scores, the initiatives come from the portfolio.
    urgency = member.locator("#step-1")
    expect(urgency).to_contain_text(re.compile(r"\d"))
    assert member.locator("section[aria-labelledby=capabilities] tbody tr").count() == 3
    initiatives = member.locator("main [href$='/edit/'][href*='/initiatives/']")
    count = initiatives.count()
    assert count >= 1, "no initiative came from the portfolio"
    assert_axe_clean(member, axe_source, "a draft from data")
    shots(member, "draft-from-data")

    # Submitting now lists what is missing: owners and the innovation budget.
    submit(member, "Submit to the leadership")
    missing = member.locator("main")
    expect(missing).to_contain_text("has no owner")
    expect(missing).to_contain_text("innovation")
    assert_axe_clean(member, axe_source, "the list of what is missing")
    shots(member, "missing")

    # The group writes the sense of urgency.
    member.goto(version + "steps/1/")
    member.locator("textarea[name=text]").fill(URGENCY)
    submit(member, "Save the step")
    expect(member.locator("#step-1")).to_contain_text(URGENCY)

    # Every initiative gets an owner; the first also an innovation budget for 2030.
    edit_links = [initiatives.nth(i).get_attribute("href") or "" for i in range(count)]
    for n, href in enumerate(edit_links):
        member.goto(href)
        member.locator("input[name=owner]").fill(f"Ägare {n + 1}")
        if n == 0:
            member.locator("input[name=budget_2030_innovation]").fill("75 000")
            assert_axe_clean(member, axe_source, "the initiative form")
        submit(member, "Save the initiative")
        assert urlsplit(member.url).path == version, f"not back on the version: {member.url}"
    expect(member.locator(".plan-budget")).to_contain_text("75")

    submit(member, "Submit to the leadership")
    expect(member.locator("main")).to_contain_text("Submitted")
    assert member.locator("a[href$='steps/1/']").count() == 0, "a submitted plan offers edits"
    shots(member, "submitted")

    # Leadership approves with changes.
    leader = english(new_context(), base).new_page()
    sign_in(leader, ROLES["leadership"] or "", version)
    follow(leader, "Decide on the plan")
    assert_axe_clean(leader, axe_source, "the decision form")
    leader.get_by_label("Approved with changes").check()
    leader.locator("textarea[name=comment]").fill("Lägg till en plan för kompetensutveckling.")
    submit(leader, "Save the decision")
    expect(leader.locator("main")).to_contain_text("Approved with changes")
    shots(leader, "decided")

    # The group sees the decision and checks in on the first initiative.
    member.goto(version)
    expect(member.locator("main")).to_contain_text("Lägg till en plan för kompetensutveckling.")
    follow(member, "Follow up the initiatives")
    assert_axe_clean(member, axe_source, "the follow-up page")
    member.locator("main a[href*='/check-in/']").first.click()
    member.wait_for_load_state()
    member.locator("textarea[name=narrative]").fill("Vi har kartlagt dagens ärenden.")
    member.get_by_label("Needs attention").check()
    member.locator("input[name=next_step]").fill("Upphandla en e-tjänstplattform.")
    member.locator("input[name=next_step_due]").fill("2030-04-30")
    assert_axe_clean(member, axe_source, "the check-in form")
    submit(member, "Save the check-in")
    expect(member.locator("main")).to_contain_text("Vi har kartlagt dagens ärenden.")
    shots(member, "checked-in")

    # Leadership's overview shows the latest check-in, and the plan is now in progress.
    leader.goto(PLANS + "follow-up/")
    expect(leader.locator("main")).to_contain_text("Upphandla en e-tjänstplattform.")
    assert_axe_clean(leader, axe_source, "leadership's overview")
    leader.goto(plan_path)
    expect(leader.locator("main")).to_contain_text("In progress")
    shots(leader, "overview")
