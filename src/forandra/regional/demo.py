"""The demo's regional part: what Västerbotten's municipalities publish, and the region's open
public page. Vindeln (the home municipality) publishes its maturity results and its radar but
not its plans, so the demo shows both what the others see of it and what they do not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forandra.ideas import library
from forandra.ideas.models import Idea, Moderation

from . import demo_joint, services

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.municipalities.models import Municipality, Region

#: municipality code -> (maturity, radar, plans) published.
PUBLISHED: dict[str, tuple[bool, bool, bool]] = {
    "2404": (True, True, False),  # Vindeln
    "2418": (True, True, True),  # Malå
    "2421": (True, False, True),  # Storuman
    "2422": (True, True, True),  # Sorsele
    "2425": (False, True, True),  # Dorotea
    "2460": (True, True, True),  # Vännäs
    "2462": (True, False, False),  # Vilhelmina
    "2480": (True, True, True),  # Umeå
    "2482": (True, True, True),  # Skellefteå
}

INTRO = (
    "Kommunerna i Västerbotten leder digital förändring tillsammans. Här visar de det de har "
    "valt att publicera: mognad, vågor de rider på och beslutade planer."
)


def demo_load(*, region: Region, municipalities: Sequence[Municipality], coordinator: User) -> None:
    for municipality in municipalities:
        choice = PUBLISHED.get(municipality.code)
        if choice is None:
            continue
        maturity, radar, plans = choice
        services.publication_set(
            municipality=municipality,
            maturity=maturity,
            radar=radar,
            plans=plans,
            by=coordinator,
            is_demo=True,
        )
    services.public_summary_set(
        region=region, enabled=True, intro=INTRO, by=coordinator, is_demo=True
    )
    _lego_bricks(municipalities)
    # Joint initiatives the coordinator started from alike initiatives (see demo_joint).
    demo_joint.demo_load(region=region, coordinator=coordinator)


#: How many other municipalities copy each of the shared ideas, most copied first.
COPIES = (5, 4, 3, 2, 1, 0)


def _lego_bricks(municipalities: Sequence[Municipality]) -> None:
    """Six groups share one published idea each with the region (the Lego bricks), and other
    groups copy them into their own idea banks: the first five times, the next four, ..."""
    with_ideas = [
        m for m in municipalities if Idea.objects.filter(municipality=m, is_demo=True).exists()
    ]
    shared: list[Idea] = []
    for municipality in with_ideas:
        if len(shared) == len(COPIES):
            break
        taken = {idea.title for idea in shared}
        idea = (
            Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
            .exclude(title__in=taken)
            .order_by("pk")
            .first()
        )
        if idea is not None:
            shared.append(library.idea_share(idea=idea, shared=True))
    for idea, copies in zip(shared, COPIES, strict=False):
        others = [
            m
            for m in with_ideas
            if m.pk != idea.municipality_id
            and not Idea.objects.filter(municipality=m, title=idea.title).exists()
        ]
        for municipality in others[:copies]:
            copy = library.idea_copy(source=idea, municipality=municipality, by=None)
            Idea.objects.filter(pk=copy.pk).update(is_demo=True)
