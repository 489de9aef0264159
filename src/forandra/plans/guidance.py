"""What the group reads while it writes the plan: for each of Kotter's eight steps (Leading
Change, 1996) a short guidance paragraph and a few prompts, and the same for the check of
management versus leadership.

The texts follow Kotter's own account of each step and the programme's setting (the seed of
the "Leading digital change" programme in Västerbotten): residents' needs come first, the
maturity assessment and the waves on the radar give the reasons, a cross-functional
digitalisation group leads, and innovation is budgeted for. English source texts; the
translations are in the catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Step


@dataclass(frozen=True)
class Guidance:
    text: str | Promise
    prompts: tuple[str | Promise, ...]


STEPS: dict[int, Guidance] = {
    Step.URGENCY: Guidance(
        _(
            "Why must the municipality change now, and why can it not wait? Kotter found that "
            "most change efforts fail already here, because complacency is underestimated. "
            "Ground the urgency in what residents need and experience, in what the maturity "
            "assessment showed, and in the waves of change on the radar. Present them as "
            "opportunities the municipality is obliged to take on, not only as threats."
        ),
        (
            _("Which needs of residents are not met well today, and how do you know?"),
            _(
                "What did the maturity assessment show, and which weak dimensions hold back "
                "the services?"
            ),
            _(
                "Which waves of change will reach the municipality in the coming years, "
                "whatever it does?"
            ),
            _("What happens to residents and staff if nothing changes?"),
        ),
    ),
    Step.COALITION: Guidance(
        _(
            "Nobody leads a transformation alone. Kotter's guiding coalition has enough "
            "position power, expertise, credibility and leadership to drive the change, and "
            "works as a team. In the programme its core is the digitalisation group: about five "
            "people from different functions. The groups that were new and cross-functional "
            "succeeded best. Name the group, its sponsors in leadership and the functions that "
            "take part."
        ),
        (
            _(
                "Who is in the group, and which functions do they come from (for example social "
                "services, school, IT, finance, HR)?"
            ),
            _("Who in the leadership sponsors the plan, and what do they commit to?"),
            _("Which function or view is missing, and how will you bring it in?"),
            _("How often does the group meet, and how does it decide?"),
        ),
    ),
    Step.VISION: Guidance(
        _(
            "A vision says what the municipality will be like for its residents when the "
            "change has succeeded; the strategy says how to get there. Kotter's test: if you "
            "cannot describe the vision in five minutes and get a reaction of understanding "
            "and interest, you are not done. The goal is not digitalisation but a better "
            "municipality for its residents."
        ),
        (
            _("What will be different for residents in three years?"),
            _("Which capabilities must the organisation develop to get there?"),
            _("Which two or three choices make up the strategy, and what will you not do?"),
            _("Can you say the vision in two sentences that every employee understands?"),
        ),
    ),
    Step.COMMUNICATION: Guidance(
        _(
            "Kotter saw visions under-communicated by a factor of ten. Use every channel you "
            "have, keep the message simple, give examples, repeat it, and let leaders' "
            "behaviour match their words. Listen as well as tell: staff and residents want to "
            "take part in shaping the change."
        ),
        (
            _("Who needs to hear the vision: staff, elected members, residents, partners?"),
            _("Which channels and meetings will you use, and how often?"),
            _("How will leaders show the change in what they do, not only in what they say?"),
            _("How will you hear questions and objections, and answer them?"),
        ),
    ),
    Step.EMPOWERMENT: Guidance(
        _(
            "Remove what stops people from acting on the vision: structures, missing skills, "
            "systems, and managers who work against the change. Say which barriers this plan "
            "removes, and how. Trust-based governance asks the same: room to act, and support "
            "close to those who do the work."
        ),
        (
            _(
                "Which rules, routines or structures make the change harder, and which will "
                "you remove or change?"
            ),
            _("Which skills do staff need, and how will they get them?"),
            _("Which systems or data stand in the way?"),
            _("Who gets room to try things out and decide for themselves?"),
        ),
    ),
    Step.WINS: Guidance(
        _(
            "Visible, unambiguous improvements early on keep the change credible and take the "
            "wind out of the sceptics. Plan them; do not hope for them. Say what delivers "
            "within six months, who owns it, and how you will show it."
        ),
        (
            _("What will residents or staff notice within six months?"),
            _("Which initiative gives the first result, and who owns it?"),
            _("How will you recognise the people behind the win?"),
            _("How will you tell others about it?"),
        ),
    ),
    Step.CONSOLIDATION: Guidance(
        _(
            "Do not declare victory too soon. Use the credibility of the first wins to change "
            "the systems, structures and policies that do not fit the vision, and to take on "
            "larger changes. Follow up lightly: a short story, a traffic light and the next "
            "step say more than a set of key figures."
        ),
        (
            _("Which larger changes do the first results open up?"),
            _("Which systems, structures or policies will you change next?"),
            _("How will the follow-up show what works, without a heavy reporting regime?"),
            _("When will you assess digital maturity again?"),
        ),
    ),
    Step.CULTURE: Guidance(
        _(
            "A change lasts when it becomes “the way we do things here”: when people "
            "see the link between the new ways of working and better results for residents, "
            "and when new leaders carry them on. Describe how the new approaches become part "
            "of everyday work, and how innovation keeps its place in the budget."
        ),
        (
            _("Which new ways of working should become normal, and how will you know they have?"),
            _("How will new employees and managers learn them?"),
            _("How will you show the link between the changes and better services for residents?"),
            _("How is innovation kept alive, and budgeted for, after this plan?"),
        ),
    ),
}

LEADERSHIP_CHECK = Guidance(
    _(
        "Kotter: management makes a system work. It plans, budgets, organises and controls, "
        "and helps you do what you already know how to do. Leadership builds systems or "
        "transforms old ones: it sets a direction, aligns people and motivates them. A "
        "transformation needs both, but above all leadership. Look through the plan and say "
        "which parts are management and which need leadership, and who gives it."
    ),
    (
        _("Which parts of the plan are about running what exists better (management)?"),
        _("Which parts need someone to set a new direction and bring people along (leadership)?"),
        _("Who in the leadership takes that role, and how?"),
        _("Is the balance right, or is the plan mostly management?"),
    ),
)


def for_step(step: int) -> Guidance:
    """The guidance for one of the eight steps."""
    return STEPS[step]
