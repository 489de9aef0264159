"""Maturity rounds end to end, by keyboard alone: a consensus round and a staff survey.

A member of Vindeln's group (the demo's home municipality) signs in, opens a round and answers it
with Tab, Space, the arrow keys and typing; anonymous staff answer the survey from its link, part
by part, each in a browser context of their own. Nothing is clicked, checked or filled: the only
`page.goto` calls start a flow or open the survey link, which the interface shows as text.

The results pages are compared with the scores `forandra.maturity.scoring` gives for the answers
the keys chose, and the answering and results pages are checked with axe-core (WCAG 2.1 A and AA).
The interface is in English (the language switch's cookie), so the test reads English labels.

Chromium's keyboard model for radio buttons, which the answers rely on: Tab into a group with no
checked radio focuses its first radio without checking it; Space checks the focused radio;
ArrowDown moves to the next radio and checks it; ArrowUp on the first wraps round to the last
("Don't know"). Tab leaves the group, so a statement can be left unanswered with one Tab.

Screenshots of the main steps go to pytest's tmp_path, or to FORANDRA_SCREENSHOTS if it is set.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from forandra.core.demo import DEMO_PASSWORD, HOME_MUNICIPALITY
from forandra.maturity import scoring
from forandra.maturity import services as maturity_services
from forandra.maturity.instrument import Dimension, Instrument, Statement, default_instrument
from forandra.maturity.models import Mode
from forandra.municipalities import selectors as municipality_selectors

from .conftest import ROLES
from .test_accessibility_crawl import AXE_OPTIONS, AXE_RUN

pytestmark = pytest.mark.browser

ROUNDS = f"/municipalities/{HOME_MUNICIPALITY}/maturity/"
MEMBER = ROLES["member"] or ""
DK = 0  # "Don't know", a statement's last radio; None in a plan means "left unanswered"
MIN_GROUP = 5  # MATURITY_MIN_GROUP_SIZE of the test settings

# The keys that pick an answer from a statement's first radio, none checked yet.
KEYS: dict[int, list[str]] = {
    1: ["Space"],
    2: ["ArrowDown"],
    3: ["ArrowDown", "ArrowDown"],
    DK: ["ArrowUp"],  # wraps round from the first radio to the last
    5: ["ArrowUp", "ArrowUp"],
}

FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.tagName.toLowerCase(), type: e.getAttribute("type"), name: e.getAttribute("name"),
    value: e.value ?? null, text: (e.innerText || "").trim().slice(0, 80),
  };
}"""
CHECKED = """(root) => Object.fromEntries(Array.from(
  root.querySelectorAll("input[type=radio]:checked"), (input) => [input.name, input.value]))"""
# textContent, not innerText: the tables of answers per statement sit in closed <details>.
TABLE = """(table) => Array.from(table.querySelectorAll("tr"), (row) =>
  Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim()))"""

Plan = dict[str, int | None]  # statement key -> 1..5, DK, or None (left unanswered)


# The keyboard --------------------------------------------------------------------------------


def english(context: BrowserContext, base_url: str) -> BrowserContext:
    """The interface in English, as the header's language switch leaves it (its cookie)."""
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    return context


def focused(page: Page) -> dict[str, str | None]:
    element: dict[str, str | None] = page.evaluate(FOCUSED)
    return element


def tab_to(page: Page, selector: str, *, limit: int = 40) -> dict[str, str | None]:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would;
    on a page just opened, through the skip link first when the element is in the main content."""
    if page.evaluate(
        "(s) => document.activeElement === document.body"
        " && !!document.querySelector('main')?.querySelector(s)",
        selector,
    ):
        tab_into_main(page)
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return focused(page)
        page.keyboard.press("Tab")
    pytest.fail(f"{limit} Tabs never reached {selector} on {page.url}; stuck on {focused(page)}")


def press_and_load(page: Page, key: str = "Enter") -> None:
    """Press a key that follows a link or sends a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def tab_into_main(page: Page) -> None:
    """Tab to the first control in the main content, through the skip link if Tab meets it.

    The first Tab stop of a page is the skip link; Enter on it moves focus to the main content.
    A form sent after that leads to a page with the same #main fragment (the browser keeps it
    through the redirect), and there the first Tab goes into the main content straight away."""
    page.keyboard.press("Tab")
    if page.evaluate("() => document.activeElement.matches('a.skip-link')"):
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        page.keyboard.press("Tab")


def answer_statements(
    page: Page,
    statements: Sequence[Statement],
    plan: Plan,
    *,
    why: bool = False,
    tab_first: bool = True,
) -> None:
    """Answer statements in a row, from the Tab stop before the first (or on it: `tab_first`).

    The first statement's first radio must have focus when answering starts; the others are
    checked together afterwards, from the radios the keys left checked."""
    for index, statement in enumerate(statements):
        if index or tab_first:
            page.keyboard.press("Tab")
        if index == 0:
            here = focused(page)
            assert (here["type"], here["name"], here["value"]) == ("radio", statement.key, "1"), (
                f"Tab should reach the first answer to {statement.key}, not {here}"
            )
        answer = plan[statement.key]
        for key in KEYS[answer] if answer is not None else []:
            page.keyboard.press(key)
        if why:
            page.keyboard.press("Tab")  # past the statement's "Why this answer?"


def checked_in(page: Page, selector: str) -> dict[str, str]:
    checked: dict[str, str] = page.locator(selector).evaluate(CHECKED)
    return checked


def as_checked(plan: Plan, dimensions: Sequence[Dimension]) -> dict[str, str]:
    """The radios a plan leaves checked in these dimensions: name -> value."""
    return {
        s.key: ("dk" if plan[s.key] == DK else str(plan[s.key]))
        for d in dimensions
        for s in d.statements
        if plan[s.key] is not None
    }


def sign_in(page: Page, username: str, next_path: str) -> None:
    page.goto(f"/accounts/login/?next={next_path}")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    press_and_load(page)
    assert urlsplit(page.url).path == next_path, f"{username} did not land on {next_path}"


def open_round(page: Page, *, title: str, survey: bool, invited: int | None = None) -> None:
    """From the municipality's rounds, open a new round through its form."""
    assert urlsplit(page.url).path == ROUNDS
    assert tab_to(page, f"main a[href='{ROUNDS}new/']")["text"] == "Open a round"
    press_and_load(page)
    tab_to(page, "input[name=title]")
    page.keyboard.type(title)
    page.keyboard.press("Tab")  # into "How to answer": consensus first, then survey
    assert focused(page)["name"] == "mode"
    page.keyboard.press("ArrowDown" if survey else "Space")
    expect(page.locator("input[name=mode]:checked")).to_have_value(
        "survey" if survey else "consensus"
    )
    if invited is not None:
        tab_to(page, "input[name=invited]")  # past the date, which keeps today's
        page.keyboard.type(str(invited))
    assert tab_to(page, "main form button[type=submit]")["text"] == "Open the round"
    press_and_load(page)
    expect(page.locator("main [role=status]")).to_have_text("The round is open.")


# Checks --------------------------------------------------------------------------------------


def assert_axe_clean(page: Page, axe_source: str, where: str) -> None:
    """Zero WCAG 2.1 A/AA violations by axe-core, with the crawl's options."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_source)
    violations = page.evaluate(AXE_RUN, AXE_OPTIONS)
    assert not violations, f"axe on {where} ({page.url}):\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} {v['targets']}" for v in violations
    )


@dataclass
class Shots:
    directory: Path
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page: Page, name: str) -> None:
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    directory = Path(os.environ.get("FORANDRA_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return Shots(directory)


def counts_of(plans: list[Plan]) -> dict[str, dict[int, int]]:
    """The answers added up, as the scoring module takes them ("don't know" is no answer)."""
    counts: dict[str, Counter[int]] = {}
    for plan in plans:
        for key, value in plan.items():
            if value is not None and value != DK:
                counts.setdefault(key, Counter())[value] += 1
    return {key: dict(counter) for key, counter in counts.items()}


def assert_near(shown: str, expected: float | None, what: str) -> None:
    """The page rounds to whole numbers; it must show the expected figure to within rounding."""
    if expected is None:
        assert shown == "–", f"{what}: {shown!r} shown where there is nothing to show"
        return
    assert re.fullmatch(r"-?\d+", shown), f"{what}: {shown!r} is not a whole number"
    assert abs(int(shown) - expected) <= 0.5 + 1e-9, (
        f"{what}: the page shows {shown}, the answers give {expected:.2f}"
    )


def results_tables(page: Page) -> dict[str, list[list[str]]]:
    """The results page's tables as rows of cell texts: "dimensions", "units", and the answers
    per statement under each dimension's name."""
    found = {}
    for name in ("dimensions", "units"):
        table = page.locator(f"[aria-labelledby={name}-heading] table")
        if table.count():
            found[name] = table.evaluate(TABLE)
    for details in page.locator("main details").all():
        name = details.locator("summary").inner_text().strip()
        found[name] = details.locator("table").evaluate(TABLE)
    return found


def assert_scores(
    page: Page, instrument: Instrument, result: scoring.Result, other: scoring.Result | None
) -> list[list[str]]:
    """The overall score, the chart and its table, and the three weakest dimensions; with
    `other`, the gap column against the round of the other mode. Returns the table's rows."""
    overall = page.locator(".callout__figure").inner_text()
    assert_near(overall.removesuffix("/ 100").strip(), result.overall, "overall score")

    chart = page.locator("figure.chart svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text("Score per dimension, 0 to 100")
    expect(chart.locator("rect.chart__bar")).to_have_count(len(instrument.dimensions))

    weakest = page.locator("h2:text-is('The three weakest dimensions') + ol > li")
    expect(weakest).to_have_text([d.name.en for d in weakest_dimensions(instrument, result)])

    rows = results_tables(page)["dimensions"]
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Dimension", "Score", "Answers", "Spread"]
    assert [row[0] for row in body] == [d.name.en for d in instrument.dimensions]
    for dimension, row in zip(instrument.dimensions, body, strict=True):
        score = result.dimensions[dimension.key]
        assert_near(row[1], score.score, f"{dimension.name.en}: score")
        assert row[2] == str(score.answers), f"{dimension.name.en}: answers"
        assert_near(row[3], score.spread, f"{dimension.name.en}: spread")
    if other is not None:
        column = next(i for i, title in enumerate(header) if " minus " in title)
        for dimension, row in zip(instrument.dimensions, body, strict=True):
            theirs = other.dimensions[dimension.key].score
            ours = result.dimensions[dimension.key].score
            gap = None if theirs is None or ours is None else theirs - ours
            assert_near(row[column], gap, f"{dimension.name.en}: {header[column]}")
    return rows


def weakest_dimensions(instrument: Instrument, result: scoring.Result) -> list[Dimension]:
    return [instrument.dimension(score.key) for score in scoring.weakest(result, 3)]


# The consensus round -------------------------------------------------------------------------


def consensus_plan(instrument: Instrument) -> tuple[Plan, dict[str, str]]:
    """The group's answers (one "don't know"), and a short "why" in a few parts (typing is one
    key press per character)."""
    cycle = (1, 2, 3, 2, 5)
    plan: Plan = {}
    whys: dict[str, str] = {}
    for d, dimension in enumerate(instrument.dimensions):
        for s, statement in enumerate(dimension.statements):
            plan[statement.key] = cycle[(3 * d + s) % len(cycle)]
        if d % 4 == 0:
            whys[dimension.statements[0].key] = f"Workshop {d + 1} agreed."
    plan[instrument.dimensions[0].statements[-1].key] = DK
    return plan, whys


def answer_consensus_part(
    page: Page, dimension: Dimension, plan: Plan, whys: dict[str, str]
) -> None:
    """The first statement, maybe with its "why" typed, then the others with no why."""
    first, *rest = dimension.statements
    tab_into_main(page)
    answer_statements(page, [first], plan, tab_first=False)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == f"{first.key}__why", "Tab goes on to 'Why this answer?'"
    page.keyboard.type(whys.get(first.key, ""))
    answer_statements(page, rest, plan, why=True)
    assert checked_in(page, "main form") == as_checked(plan, [dimension])


def test_a_group_answers_a_consensus_round_by_keyboard_and_sees_its_scores(
    new_context: Callable[..., BrowserContext], demo_url: str, axe_source: str, shots: Shots
) -> None:
    instrument = default_instrument()
    plan, whys = consensus_plan(instrument)
    page = english(new_context(), demo_url).new_page()
    sign_in(page, MEMBER, ROUNDS)
    open_round(page, title="Group by keyboard", survey=False)

    steps = len(instrument.dimensions)
    for step, dimension in enumerate(instrument.dimensions, start=1):
        assert urlsplit(page.url).path.endswith(f"/answer/{step}/"), page.url
        expect(page.locator("h1")).to_have_text(dimension.name.en)
        expect(page.locator("main .caption")).to_have_text(f"Part {step} of {steps}")
        answer_consensus_part(page, dimension, plan, whys)
        if step == 1:
            assert_axe_clean(page, axe_source, "the consensus answer page")
            shots(page, "consensus-part-1")
        here = tab_to(page, "main form button[type=submit]", limit=2)
        assert here["text"] == ("Save and continue" if step < steps else "Save the answers")
        press_and_load(page)

    # The last part leads to the results: the group's own scores.
    assert re.fullmatch(rf"{ROUNDS}\d+/", urlsplit(page.url).path), page.url
    expect(page.locator("h1")).to_have_text("Group by keyboard")
    expect(page.locator("main [role=status]")).to_have_text("The group's answers are saved.")
    assert_scores(page, instrument, scoring.score(instrument, counts_of([plan])), other=None)
    shots(page, "consensus-results")
    assert_axe_clean(page, axe_source, "the consensus results page")

    # "Answer together" again: the first part shows the group's answers and its why.
    assert tab_to(page, "main a[href$='/answer/1/']")["text"] == "Answer together"
    press_and_load(page)
    first = instrument.dimensions[0]
    assert checked_in(page, "main form") == as_checked(plan, [first])
    why = page.locator(f"textarea[name={first.statements[0].key}__why]")
    expect(why).to_have_value(whys[first.statements[0].key])


# The survey round ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Respondent:
    """One anonymous member of staff: their answers and the department they give, if any."""

    number: int
    plan: Plan
    unit: str | None  # None: "I would rather not say"


# The demo's departments, as the survey lists them (by name), below "I would rather not say".
UNIT_NAMES = [
    "Kommunledning",
    "Samhällsbyggnad",
    "Skola och förskola",
    "Socialtjänst",
    "Vård och omsorg",
]
BIG, SMALL = "Kommunledning", "Samhällsbyggnad"
# Five from one department (shown), one from another (too few: never named), one without.
UNITS: list[str | None] = [BIG, BIG, BIG, BIG, BIG, SMALL, None]
# Answers "don't know" to each part's first statement, goes back a part and forth again, checks
# the pages with axe, and tries to answer a second time.
FIRST = 0
RELOADS = 2  # reloads the page in the middle of a part
RELOAD_PART, RELOAD_AFTER = 4, 2  # ... after the first two statements of part 4
SKIPS = 6  # leaves every even-numbered part unanswered


def respondents(instrument: Instrument) -> list[Respondent]:
    cycle = (2, 1, 2, 3, 1)  # mostly one key each: the survey is answered seven times
    people = []
    for number, unit in enumerate(UNITS):
        plan: Plan = {}
        for d, dimension in enumerate(instrument.dimensions):
            for s, statement in enumerate(dimension.statements):
                skipped = number == SKIPS and d % 2 == 1
                plan[statement.key] = None if skipped else cycle[(number + 2 * d + s) % len(cycle)]
            if number == FIRST:
                plan[dimension.statements[0].key] = DK
        people.append(Respondent(number, plan, unit))
    return people


def shown_parts(page: Page) -> list[str]:
    parts: list[str] = page.locator(".survey-part:visible").evaluate_all(
        "(parts) => parts.map((part) => part.id)"
    )
    return parts


def next_part(page: Page, part: int) -> None:
    """From a part's last statement: Tab to "Next part", Enter; focus is on the next heading."""
    page.keyboard.press("Tab")
    expect(page.locator(f"#part-{part} [data-survey-next]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#part-{part + 1}-title")).to_be_focused()
    assert shown_parts(page) == [f"part-{part + 1}"], f"after part {part}"


def back_and_forth(page: Page, instrument: Instrument, plan: Plan) -> None:
    """From part 2's last statement: "Previous part" shows part 1 as it was answered; "Next
    part" leads back to part 2."""
    first, second = instrument.dimensions[:2]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#part-2 [data-survey-back]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#part-1-title")).to_be_focused()
    assert shown_parts(page) == ["part-1"]
    assert checked_in(page, "#part-1") == as_checked(plan, [first])
    for _ in first.statements:
        page.keyboard.press("Tab")  # one stop per statement, on its checked answer
    next_part(page, 1)
    for _ in second.statements:
        page.keyboard.press("Tab")
    assert focused(page)["name"] == second.statements[-1].key


def reload_in_the_middle(page: Page, instrument: Instrument, person: Respondent) -> None:
    """Answer two statements of a part, reload: the answers and the part are kept; go on."""
    dimension = instrument.dimensions[RELOAD_PART - 1]
    before, after = dimension.statements[:RELOAD_AFTER], dimension.statements[RELOAD_AFTER:]
    answer_statements(page, before, person.plan)
    given = as_checked(person.plan, instrument.dimensions[: RELOAD_PART - 1])
    given |= {
        key: value
        for key, value in as_checked(person.plan, [dimension]).items()
        if key in {s.key for s in before}
    }

    page.reload()
    assert shown_parts(page) == [f"part-{RELOAD_PART}"], "the reload shows another part"
    assert checked_in(page, "form[data-survey]") == given, "the reload lost answers"

    tab_into_main(page)  # onto the part's first statement, answered before the reload
    assert focused(page)["name"] == before[0].key
    for _ in before[1:]:
        page.keyboard.press("Tab")  # past the others answered before the reload
    answer_statements(page, after, person.plan)
    assert checked_in(page, f"#part-{RELOAD_PART}") == as_checked(person.plan, [dimension])


def answer_survey(
    page: Page, instrument: Instrument, person: Respondent, axe_source: str, shots: Shots
) -> None:
    """One respondent answers the whole survey part by part, gives a department, and sends."""
    dimensions = instrument.dimensions
    last = len(dimensions) + 1
    middle = (last + 1) // 2
    expect(page.locator("h1")).to_have_text("Digital maturity in Vindeln")
    assert shown_parts(page) == ["part-1"]
    if person.number == FIRST:
        expect(page.locator("#part-1 .survey-part__step")).to_have_text(f"Part 1 of {last}")
        assert_axe_clean(page, axe_source, "the survey's first part")
    tab_into_main(page)  # onto the first statement
    for part, dimension in enumerate(dimensions, start=1):
        if person.number == RELOADS and part == RELOAD_PART:
            reload_in_the_middle(page, instrument, person)
        else:
            answer_statements(page, dimension.statements, person.plan, tab_first=part > 1)
            assert checked_in(page, f"#part-{part}") == as_checked(person.plan, [dimension])
        if person.number == FIRST and part == 2:
            back_and_forth(page, instrument, person.plan)
        next_part(page, part)
        if person.number == FIRST and part + 1 == middle:
            expect(page.locator(f"#part-{middle} .survey-part__step")).to_have_text(
                f"Part {middle} of {last}"
            )
            assert_axe_clean(page, axe_source, f"the survey's part {middle}")
            shots(page, f"survey-part-{middle}")

    # The last part: how many were answered, the department, and "Send the answers".
    answered = sum(1 for value in person.plan.values() if value not in (None, DK))
    expect(page.locator("[data-survey-answered]")).to_have_text(
        f"You have answered {answered} of {len(instrument.statements())} statements."
    )
    if person.number == FIRST:
        expect(page.locator(f"#part-{last}-title")).to_have_text(
            f"Part {last} of {last}: Send your answers"
        )
        assert_axe_clean(page, axe_source, "the survey's last part")
        shots(page, "survey-last-part")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "unit", "Tab from the last part's heading: the department"
    if person.unit is not None:
        for _ in range(UNIT_NAMES.index(person.unit) + 1):
            page.keyboard.press("ArrowDown")
    expect(page.locator("select[name=unit] option:checked")).to_have_text(
        person.unit or "I would rather not say"
    )
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Send the answers"
    press_and_load(page)
    expect(page.locator("h1")).to_have_text("Thank you for your answers")
    kept = page.evaluate("() => Object.keys(localStorage)")
    assert not [key for key in kept if key.startswith("forandra-survey:")], "answers kept"


def group_round_of_today(instrument: Instrument) -> tuple[str, scoring.Result]:
    """The group's own view on the survey's day, so the results show the gap between them.

    Made through the services: answering a consensus round by keyboard is the other test."""
    home = municipality_selectors.municipality_get(code=HOME_MUNICIPALITY)
    group = maturity_services.round_open(
        municipality=home,
        mode=Mode.CONSENSUS,
        title="Group assessment",
        opened_on=timezone.localdate(),
    )
    plan: Plan = {s.key: 4 - i % 2 for i, (_d, s) in enumerate(instrument.statements())}
    maturity_services.consensus_save(
        round_=group, answers={key: (value, "") for key, value in plan.items()}
    )
    return group.title, scoring.score(instrument, counts_of([plan]))


def test_staff_answer_a_survey_round_by_keyboard_and_the_results_keep_them_anonymous(
    new_context: Callable[..., BrowserContext], demo_url: str, axe_source: str, shots: Shots
) -> None:
    instrument = default_instrument()
    group_title, group_result = group_round_of_today(instrument)
    people = respondents(instrument)

    # The member opens a survey round for 10 invited staff and reads its link off the page.
    member = english(new_context(), demo_url).new_page()
    sign_in(member, MEMBER, ROUNDS)
    open_round(member, title="Staff survey by keyboard", survey=True, invited=10)
    expect(member.locator("h1")).to_have_text("Survey link")
    link = member.locator(".copy-box a").inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/survey/[\w-]+/", link), link

    # Seven anonymous respondents, each in a browser of their own.
    for person in people:
        context = english(new_context(), demo_url)
        page = context.new_page()
        page.goto(link)
        answer_survey(page, instrument, person, axe_source, shots)
        if person.number == FIRST:
            page.goto(link)  # the same browser again
            expect(page.locator("main")).to_contain_text("You have already answered this survey.")
            expect(page.locator("form[data-survey]")).to_have_count(0)
        context.close()

    # The member goes back to the round and closes it, through its confirmation page.
    round_path = urlsplit(member.url).path.removesuffix("link/")
    assert tab_to(member, f"main a[href='{round_path}']")["text"] == "Back to the round"
    press_and_load(member)
    expect(member.locator(".summary-list")).to_contain_text("7 of 10 invited (70 %)")
    assert tab_to(member, "main a[href$='/close/']")["text"] == "Close the round"
    press_and_load(member)
    expect(member.locator("h1")).to_have_text("Close Staff survey by keyboard?")
    assert tab_to(member, "main form button[type=submit]")["text"] == "Yes, close the round"
    press_and_load(member)
    expect(member.locator("main [role=status]")).to_contain_text("The round is closed")
    expect(member.locator(".summary-list")).to_contain_text("Closed")
    expect(member.locator("main a[href$='/close/']")).to_have_count(0)

    # The results: scores with chart and table, the weakest, the gap to the group's round.
    result = scoring.score(instrument, counts_of([p.plan for p in people]))
    header = assert_scores(member, instrument, result, other=group_result)[0]
    tables = results_tables(member)
    assert "Group minus staff survey" in header
    expect(member.locator("main")).to_contain_text(
        f"The gap compares this round with {group_title}:"
    )
    # ... beside the previous survey (the demo's 2019 one) and the region's spread.
    assert "Change since Personalenkät 2019" in header
    region = header.index("Region: median (quartiles)")
    for row in tables["dimensions"][1:]:
        assert re.fullmatch(r"\d+ \(\d+–\d+\)", row[region]), row

    # The answers per statement: how many gave each step of the scale.
    counts = counts_of([p.plan for p in people])
    scale = ["Not true at all", "Mostly not true", "Partly true", "Mostly true", "Completely true"]
    for dimension in instrument.dimensions:
        table = tables[dimension.name.en]
        assert table[0] == ["Statement", *scale, "Don't know", "Score"]
        for statement, row in zip(dimension.statements, table[1:], strict=True):
            assert row[0].startswith(statement.text.en)
            given = counts.get(statement.key, {})
            assert row[1:6] == [str(given.get(v, 0)) for v in range(1, 6)], statement.key
            # "Don't know" counts "don't know" and statements left unanswered alike.
            unknown = sum(p.plan.get(statement.key) in (None, DK) for p in people)
            assert row[6] == str(unknown), statement.key
            score = result.dimensions[dimension.key].statements[statement.key].score
            assert_near(row[7], score, f"{statement.key}: score")

    # By department: only the one with five responses; the one with one is never named.
    units = tables["units"]
    assert [row[:2] for row in units[1:]] == [[BIG, "5"]], units
    big = scoring.score(instrument, counts_of([p.plan for p in people if p.unit == BIG]))
    assert_near(units[1][2], big.overall, f"{BIG}: overall")
    departments = member.locator("[aria-labelledby=units-heading]").inner_text()
    assert SMALL not in departments, f"a department of fewer than {MIN_GROUP} is named"
    assert "Other departments" not in departments, f"fewer than {MIN_GROUP} merged are shown"
    shots(member, "survey-results")
    assert_axe_clean(member, axe_source, "the survey results page")

    # A closed survey takes no more answers.
    late = english(new_context(), demo_url).new_page()
    late.goto(link)
    expect(late.locator("main")).to_contain_text("The survey is closed")
    expect(late.locator("form[data-survey]")).to_have_count(0)
