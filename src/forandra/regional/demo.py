"""The demo's regional part: what Västerbotten's municipalities publish, and the region's open
public page. Vindeln (the home municipality) publishes its maturity results and its radar but
not its plans, so the demo shows both what the others see of it and what they do not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import services

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
