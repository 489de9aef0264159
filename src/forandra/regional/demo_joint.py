"""The demo's joint initiatives: two things Västerbotten's municipalities do once, together,
started by the coordinator from what the collaboration page shows alike.

Both link initiatives of decided plans that Malå, Sorsele and Skellefteå publish, so every user
of the region sees them; the second also links Vindeln's night-time supervision, from a plan
Vindeln does not publish, so demo-grupp sees the joint initiative in Vindeln's own plan while
the other municipalities are told that one more linked item is not shown to them.

The items are found by their titles in the demo's plans and idea banks (plans/demo.py and
ideas/demo.py draw them from shared templates); one that a change to those demos removes is
left out, and a joint initiative is started only while it still links two municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from forandra.ideas.models import Idea, Moderation
from forandra.plans.models import Initiative

from . import joint
from .collaboration_items import IDEA, INITIATIVE, ItemRef
from .models import JointInitiative

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.municipalities.models import Region


@dataclass(frozen=True)
class Story:
    title: str
    description: str
    items: tuple[tuple[str, str, str], ...]  # (kind, municipality code, title)


STORIES = (
    Story(
        "Gemensam upphandling av trygghetslarm och läkemedelsautomater",
        "Sorsele, Skellefteå och Malå köper trygghetslarm och läkemedelsautomater i ett "
        "gemensamt avtal. Skellefteå leder upphandlingen; Sorsele och Malå bidrar med "
        "erfarenheterna från sina försök med läkemedelsrobotar hos brukare.",
        (
            (INITIATIVE, "2422", "Gemensam upphandling av välfärdsteknik"),  # Sorsele
            (INITIATIVE, "2482", "Gemensam upphandling av välfärdsteknik"),  # Skellefteå
            (INITIATIVE, "2418", "Läkemedelsrobotar i ordinärt boende"),  # Malå
        ),
    ),
    Story(
        "Digital nattillsyn i inlandets hemtjänst",
        "Vindeln, Malå och Sorsele inför digital nattillsyn med samma rutiner för samtycke, "
        "en gemensam larmcentral på natten och delad utbildning för personalen.",
        (
            (INITIATIVE, "2404", "Digital nattillsyn i hemtjänsten"),  # Vindeln
            (IDEA, "2404", "Digitala trygghetskameror i hemtjänsten"),  # Vindeln's idea bank
            (INITIATIVE, "2418", "Digital nattillsyn i hemtjänsten"),  # Malå
            (INITIATIVE, "2422", "Digital nattillsyn i hemtjänsten"),  # Sorsele
        ),
    ),
)


def _ref(region: Region, kind: str, code: str, title: str) -> ItemRef | None:
    """The item of that title in the municipality: an initiative of its newest plan that has
    one, or a published idea."""
    if kind == INITIATIVE:
        key = (
            Initiative.objects.filter(
                version__plan__municipality__region=region,
                version__plan__municipality__code=code,
                title=title,
            )
            .order_by("-version__plan__first_year", "-version__number")
            .values_list("key", flat=True)
            .first()
        )
        return ItemRef(INITIATIVE, str(key)) if key else None
    pk = (
        Idea.objects.filter(
            municipality__region=region,
            municipality__code=code,
            title=title,
            moderation=Moderation.PUBLISHED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return ItemRef(IDEA, str(pk)) if pk else None


def demo_load(*, region: Region, coordinator: User) -> list[JointInitiative]:
    """The demo's joint initiatives, started by the coordinator; none when the region has some."""
    if JointInitiative.objects.filter(region=region).exists():
        return []
    started = []
    for story in STORIES:
        refs = [ref for item in story.items if (ref := _ref(region, *item)) is not None]
        try:
            started.append(
                joint.joint_create(
                    region=region,
                    by=coordinator,
                    title=story.title,
                    description=story.description,
                    items=refs,
                    is_demo=True,
                )
            )
        except ValidationError:
            continue  # the demo's plans no longer hold items of two municipalities
    return started
