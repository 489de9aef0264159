"""Workshop 1 live, in four browsers: a facilitator and three participants on their phones.

The programme is built for Vindeln's group (the demo's home municipality) with a cohort and a
workshop-1 session; three members of Vindeln join, and the region's coordinator facilitates.
Participant 1 writes a definition and the others see it appear without reloading; the three mark
whether they agree, and the counts change on every participant's page and on the facilitator's
screen; a note put on the board reaches everyone; the facilitator starts the timer and moves to
the next step, and the participants see the new step. The pages poll every two seconds, so each
expectation waits a few seconds. The concepts, board and facilitator pages are also checked with
axe-core (WCAG 2.1 A and AA).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from forandra.accounts import services as account_services
from forandra.accounts.models import Role
from forandra.core.demo import DEMO_PASSWORD, HOME_MUNICIPALITY
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup
from forandra.programme import services, ws1

from .conftest import ROLES, log_in
from .test_accessibility_crawl import AXE_OPTIONS, AXE_RUN

pytestmark = pytest.mark.browser

TERM = "digitisation"
WAIT = 8_000  # milliseconds: a poll every 2 s, with room for a slow machine
PHONE = {"width": 375, "height": 740}
DEFINITION = "To turn something analogue into digital data, such as scanning a paper form."
NOTE = "Older residents without internet risk being left outside."


@dataclass(frozen=True)
class Live:
    concepts: str  # the group's pages
    board: str
    facilitate: str  # the session's screen
    participants: int  # Vindeln's active members: the demo's and the three here


def build_programme() -> Live:
    """A programme for the home group with a workshop-1 session today; three member logins."""
    home = municipality_selectors.municipality_get(code=HOME_MUNICIPALITY)
    group = DigitalisationGroup.objects.get(municipality=home)
    today = timezone.localdate()
    programme = services.programme_create(
        region=home.region,
        name="Workshop 1 live",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=60),
        municipalities=[home],
    )
    cohort = services.cohort_create(programme=programme, name="Kohort Live", groups=[group])
    starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    session = services.session_schedule(
        workshop=programme.workshops.get(number=1),
        cohort=cohort,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3, minutes=30),
        place="Kommunhuset",
    )
    for number, name in enumerate(["Anna", "Bo", "Cecilia"], start=1):
        account_services.user_create(
            username=f"ws1-deltagare-{number}",
            password=DEMO_PASSWORD,
            role=Role.MEMBER,
            first_name=name,
            last_name="Deltagare",
            municipality=home,
        )
    base = f"/programmes/{programme.pk}/groups/{home.code}"
    return Live(
        concepts=f"{base}/concepts/",
        board=f"{base}/board/",
        facilitate=f"/programmes/{programme.pk}/sessions/{session.pk}/facilitate/",
        participants=ws1.group_participants(group=group).count(),
    )


def english(context: BrowserContext, base_url: str) -> BrowserContext:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    return context


def check_axe(page: Page, axe_source: str) -> None:
    page.evaluate(axe_source)
    violations = page.evaluate(AXE_RUN, AXE_OPTIONS)
    assert violations == [], f"{page.url}: {violations}"


def test_workshop_one_is_live_for_participants_and_facilitator(
    new_context: Callable[..., BrowserContext], demo_url: str, axe_source: str
) -> None:
    built = build_programme()
    participants = built.participants

    facilitator = english(new_context(), demo_url).new_page()
    log_in(facilitator, ROLES["coordinator"] or "")
    facilitator.goto(built.facilitate)
    phones: list[Page] = []
    for number in (1, 2, 3):
        page = english(new_context(viewport=PHONE, has_touch=True), demo_url).new_page()
        log_in(page, f"ws1-deltagare-{number}")
        page.goto(built.concepts)
        phones.append(page)
    first, second, third = phones
    live = f"#term-{TERM}-live"

    # Participant 1 writes the definition; the others see it without reloading.
    first.locator(f"#term-{TERM} summary", has_text="Write our definition").click()
    first.locator(f"#id_{TERM}-text").fill(DEFINITION)
    with first.expect_navigation():
        first.locator(f"#term-{TERM} form button[type=submit]", has_text="Save").click()
    expect(first.locator(f"{live} [data-definition]")).to_have_text(DEFINITION)
    for page in (second, third):
        expect(page.locator(f"{live} [data-definition]")).to_have_text(DEFINITION, timeout=WAIT)

    # Each marks; the counts change everywhere.
    first.locator(live).get_by_role("button", name="We agree").click()
    expect(first.locator(f"{live} [data-agreement]")).to_contain_text(
        f"1 of {participants} participants agree", timeout=WAIT
    )
    second.locator(live).get_by_role("button", name="We agree").click()
    third.locator(live).get_by_role("button", name="I do not agree yet").click()
    expect(second.locator(live).get_by_role("button", name="We agree")).to_have_attribute(
        "aria-pressed", "true", timeout=WAIT
    )
    for page in phones:
        agreement = page.locator(f"{live} [data-agreement]")
        expect(agreement).to_contain_text(f"2 of {participants} participants agree", timeout=WAIT)
        expect(agreement).to_contain_text("1 does not agree yet", timeout=WAIT)
    expect(facilitator.locator(f"#facilitate-results tr[data-term={TERM}]")).to_contain_text(
        f"2 of {participants} agree", timeout=WAIT
    )
    check_axe(second, axe_source)

    # A note on the board reaches the others and the facilitator.
    for page in phones:
        page.goto(built.board)
    third.get_by_role("radio", name="Risks").check()
    third.get_by_label("Note", exact=True).fill(NOTE)
    with third.expect_navigation():
        third.get_by_role("button", name="Put the note on the board").click()
    for page in (first, second):
        expect(page.locator("#board-live [data-column=risk]")).to_contain_text(NOTE, timeout=WAIT)
    expect(facilitator.locator("#facilitate-results [data-column=risk]")).to_contain_text(
        NOTE, timeout=WAIT
    )
    check_axe(first, axe_source)

    # The facilitator starts the timer and moves on; the participants see the new step.
    timer = facilitator.locator("#facilitate-step [data-timer-display]")
    expect(timer).to_have_text("20:00")
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Start").click()
    expect(timer).not_to_have_text("20:00", timeout=4_000)  # counting down in the browser
    for page in phones:
        expect(page.locator("#now-step")).to_contain_text(
            "Welcome, purpose and expectations", timeout=WAIT
        )
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Next step").click()
    expect(facilitator.locator("#facilitate-step [data-step-title]")).to_have_text(
        "Digitalisation is a team sport, but no district championship"
    )
    expect(timer).to_have_text("30:00")
    for page in phones:
        expect(page.locator("#now-step")).to_contain_text(
            "Digitalisation is a team sport", timeout=WAIT
        )
    check_axe(facilitator, axe_source)
