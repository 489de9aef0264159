"""A synthetic national dataset for the regional benchmarks, made deterministically from a seed.

All 21 regions and 290 municipalities of the official register, each with:

- a digitalisation group of 4-7 members from 2-6 functions;
- the region's waves (the shipped catalogue) and 3-8 of them placed on its radar;
- maturity: a consensus round in 2024 (the baseline) and one in 2025, answered through
  `maturity.services.consensus_save`, and a staff survey in 2025 whose responses are imported
  with `maturity.services.survey_import` (the product's bulk path, which writes `AnswerCount`
  and `UnitResponseCount` as a submission does): 2,000 survey responses in all, spread unevenly
  so that about one survey in five stays below the minimum group size and shows no result;
- 100 ideas, 3 of them shared with the region and 5 copies of other municipalities' shared
  ideas (so the most copied ideas have something to count);
- a plan 2026-2028 with a first version, and for a third of them a second one, in every status,
  with 4-12 initiatives per version, budget lines of every kind over the three years, and
  leadership's decision where a version was decided;
- what it publishes: each part with probability 0.6.

Everything but the maturity answers is written with `bulk_create` (no history rows: the history
is not what the pages read). The same seed gives the same data, figures and all; on this machine
it takes about a minute. Run it as `build(seed=...)` inside a Django process whose database has
the register loaded (see bench_region.py), or `python bench/region_data.py [seed]` with
DJANGO_SETTINGS_MODULE and DATABASE_URL set (it refuses a database that already has groups).
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

SEED = 20260301
SURVEY_RESPONSES = 2_000
IDEAS_PER_MUNICIPALITY = 100
SHARED_PER_MUNICIPALITY = 3
COPIES_PER_MUNICIPALITY = 5
FUNCTIONS = [
    "IT",
    "Socialtjänst",
    "Skola",
    "Vård och omsorg",
    "Samhällsbyggnad",
    "Ekonomi",
    "HR",
    "Kommunikation",
    "Kultur och fritid",
    "Kommunledning",
]
IDEA_WORDS = [
    "e-tjänst",
    "chattbot",
    "digital signering",
    "sensorer",
    "öppna data",
    "videomöten",
    "robotiserad handläggning",
    "digitala trygghetslarm",
    "läsplattor",
    "självservice",
    "bokningssystem",
    "e-arkiv",
]
IDEA_AREAS = [
    "bygglov",
    "försörjningsstöd",
    "skolskjuts",
    "hemtjänsten",
    "biblioteket",
    "felanmälan",
    "avfall",
    "föreningsbidrag",
    "färdtjänst",
    "vatten och avlopp",
]


@dataclass(frozen=True)
class Summary:
    """What was made, for the benchmark's stderr."""

    regions: int
    municipalities: int
    groups: int
    members: int
    rounds: int
    survey_responses: int
    surveys_below_minimum: int
    ideas: int
    shared: int
    copies: int
    plans: int
    versions: int
    initiatives: int
    budget_lines: int
    placements: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _spread(rng: random.Random, total: int, parts: int, minimum: int) -> list[int]:
    """`total` split into `parts` whole numbers, unevenly: about one part in five gets 2-4
    (below the survey's minimum group size), the rest share what is left."""
    small = [rng.randint(2, minimum - 1) if rng.random() < 0.2 else 0 for _ in range(parts)]
    rest = total - sum(small)
    large = [i for i, n in enumerate(small) if n == 0]
    weights = [rng.uniform(0.5, 1.5) for _ in large]
    scale = rest / sum(weights)
    sizes = list(small)
    for index, weight in zip(large, weights, strict=True):
        sizes[index] = max(minimum, int(weight * scale))
    # Whatever rounding left over (or took too much) goes to the largest surveys.
    difference = total - sum(sizes)
    order = sorted(large, key=lambda i: -sizes[i])
    step = 1 if difference > 0 else -1
    position = 0
    while difference:
        index = order[position % len(order)]
        if sizes[index] + step >= minimum:
            sizes[index] += step
            difference -= step
        position += 1
    return sizes


def _answers(
    rng: random.Random, statements: list[tuple[str, str, bool]], level: dict[str, float]
) -> dict[str, int | None]:
    """One respondent's answers: the municipality's level per dimension (1-5) plus noise."""
    answers: dict[str, int | None] = {}
    for dimension, key, reverse in statements:
        if rng.random() < 0.06:
            answers[key] = None  # don't know
            continue
        value = min(5, max(1, round(level[dimension] + rng.gauss(0, 0.8))))
        answers[key] = 6 - value if reverse else value
    return answers


def build(*, seed: int = SEED) -> Summary:
    """Make the national dataset in the current database (the register must be loaded)."""
    from django.db import transaction

    from forandra.ideas.models import Idea, Moderation, Source
    from forandra.ideas.models import Status as IdeaStatus
    from forandra.maturity import selectors as maturity_selectors
    from forandra.maturity import services as maturity_services
    from forandra.maturity.models import Mode, min_group_size
    from forandra.municipalities.models import (
        DigitalisationGroup,
        GroupMember,
        Municipality,
        Region,
    )
    from forandra.plans.models import (
        BudgetKind,
        BudgetLine,
        Decision,
        Initiative,
        Plan,
        PlanVersion,
        Status,
    )
    from forandra.regional.models import Publication
    from forandra.scanning import services as scanning_services
    from forandra.scanning.models import Placement, Ring, Wave

    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    regions = list(Region.objects.order_by("code"))
    municipalities = list(Municipality.objects.select_related("region").order_by("code"))
    if len(municipalities) != 290 or len(regions) != 21:
        raise RuntimeError("load the register first: 21 regions, 290 municipalities")
    if DigitalisationGroup.objects.exists():
        raise RuntimeError("the database already has groups; build into a fresh one")

    with transaction.atomic():
        # Groups and their members.
        groups = DigitalisationGroup.objects.bulk_create(
            [
                DigitalisationGroup(municipality=m, name=f"Digitaliseringsgruppen i {m.name}")
                for m in municipalities
            ]
        )
        members = []
        for group, municipality in zip(groups, municipalities, strict=True):
            functions = rng.sample(FUNCTIONS, rng.randint(2, 6))
            for index in range(rng.randint(4, 7)):
                members.append(
                    GroupMember(
                        group=group,
                        name=f"Person {index + 1} i {municipality.name}",
                        email=f"person{index + 1}.{municipality.code}@example.org",
                        function=functions[index % len(functions)],
                    )
                )
        GroupMember.objects.bulk_create(members)

        # Waves and radars.
        for region in regions:
            scanning_services.catalogue_seed(region=region)
        waves: dict[int, list[Wave]] = {}
        for wave in Wave.objects.order_by("region_id", "position", "key"):
            waves.setdefault(wave.region_id, []).append(wave)
        placements = []
        rings = list(Ring.values)
        for municipality in municipalities:
            mine = waves[municipality.region_id]
            for wave in rng.sample(mine, rng.randint(3, min(8, len(mine)))):
                ring = rng.choice(rings)
                placements.append(
                    Placement(
                        municipality=municipality,
                        wave=wave,
                        ring=ring,
                        previous_ring=rng.choice(["", *rings]),
                        rationale="Syntetisk placering.",
                    )
                )
        Placement.objects.bulk_create(placements)

        # Publications.
        Publication.objects.bulk_create(
            [
                Publication(
                    municipality=m,
                    maturity=rng.random() < 0.6,
                    radar=rng.random() < 0.6,
                    plans=rng.random() < 0.6,
                )
                for m in municipalities
            ]
        )

    # Maturity: two consensus rounds and a survey per municipality.
    instrument_version = maturity_services.instrument_default_version()
    minimum = min_group_size()
    sizes = _spread(rng, SURVEY_RESPONSES, len(municipalities), minimum)
    rounds = 0
    statements: list[tuple[str, str, bool]] | None = None
    dimensions: list[str] = []
    for municipality, size in zip(municipalities, sizes, strict=True):
        baseline = maturity_services.round_open(
            municipality=municipality,
            mode=Mode.CONSENSUS,
            title="Gruppens bedömning 2024",
            opened_on=date(2024, 3, 12),
            instrument=instrument_version,
        )
        if statements is None:
            instrument = maturity_selectors.instrument_for(round_=baseline)
            statements = [(d.key, s.key, s.reverse) for d, s in instrument.statements()]
            dimensions = [d.key for d in instrument.dimensions]
        level = {key: rng.uniform(1.6, 3.6) for key in dimensions}
        later = {key: value + rng.uniform(-0.3, 0.9) for key, value in level.items()}
        for round_, levels in (
            (baseline, level),
            (
                maturity_services.round_open(
                    municipality=municipality,
                    mode=Mode.CONSENSUS,
                    title="Gruppens bedömning 2025",
                    opened_on=date(2025, 3, 11),
                    instrument=instrument_version,
                ),
                later,
            ),
        ):
            answers = _answers(rng, statements, levels)
            maturity_services.consensus_save(
                round_=round_, answers={key: (value, "") for key, value in answers.items()}
            )
            maturity_services.round_close(round_=round_)
        survey = maturity_services.round_open(
            municipality=municipality,
            mode=Mode.SURVEY,
            title="Medarbetarenkät 2025",
            opened_on=date(2025, 4, 1),
            instrument=instrument_version,
            invited=size * 3,
        )
        maturity_services.survey_import(
            round_=survey,
            responses=[
                maturity_services.ImportedResponse(answers=_answers(rng, statements, later))
                for _ in range(size)
            ],
            on=date(2025, 4, 20),
        )
        maturity_services.round_close(round_=survey)
        rounds += 3

    with transaction.atomic():
        # Ideas: shared ones first, then the rest, then copies of other municipalities' shared.
        shared_at = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
        statuses = list(IdeaStatus.values)
        originals = []
        for municipality in municipalities:
            for index in range(IDEAS_PER_MUNICIPALITY - COPIES_PER_MUNICIPALITY):
                word, area = rng.choice(IDEA_WORDS), rng.choice(IDEA_AREAS)
                originals.append(
                    Idea(
                        municipality=municipality,
                        title=f"{word.capitalize()} för {area} ({municipality.name} {index + 1})",
                        need=f"Invånarna väntar för länge på {area}.",
                        description=f"Vi prövar {word} för {area} i liten skala först.",
                        source=rng.choice([Source.GROUP, Source.STAFF, Source.WORKSHOP]),
                        one_time_cost=rng.randrange(0, 500_000, 10_000),
                        yearly_cost=rng.randrange(0, 200_000, 5_000),
                        effort=rng.randint(1, 24),
                        benefit=rng.randint(1, 5),
                        feasibility=rng.randint(1, 5),
                        risk=rng.randint(1, 5),
                        status=rng.choice(statuses),
                        moderation=Moderation.PUBLISHED,
                        shared_at=shared_at if index < SHARED_PER_MUNICIPALITY else None,
                    )
                )
        Idea.objects.bulk_create(originals, batch_size=2_000)
        shared_by_region: dict[int, list[Idea]] = {}
        for idea in originals:
            if idea.shared_at is not None:
                shared_by_region.setdefault(idea.municipality.region_id, []).append(idea)
        copies = []
        for municipality in municipalities:
            others = [
                idea
                for idea in shared_by_region[municipality.region_id]
                if idea.municipality_id != municipality.pk
            ]
            # Some ideas are copied far more than others: weight the first ones of the region.
            weights = [1 / (1 + index) for index in range(len(others))]
            chosen: list[Idea] = []
            while others and len(chosen) < min(COPIES_PER_MUNICIPALITY, len(others)):
                source = rng.choices(others, weights)[0]
                if source not in chosen:
                    chosen.append(source)
            for source in chosen:
                copies.append(
                    Idea(
                        municipality=municipality,
                        title=source.title,
                        need=source.need,
                        description=source.description,
                        source=Source.GROUP,
                        one_time_cost=source.one_time_cost,
                        yearly_cost=source.yearly_cost,
                        effort=source.effort,
                        benefit=source.benefit,
                        feasibility=source.feasibility,
                        risk=source.risk,
                        moderation=Moderation.PUBLISHED,
                        copied_from=source,
                        attribution=f"Från {source.municipality.name}s digitaliseringsgrupp",
                    )
                )
            # A municipality alone in its region (Gotland) has no one to copy from.
            for index in range(COPIES_PER_MUNICIPALITY - len(chosen)):
                copies.append(
                    Idea(
                        municipality=municipality,
                        title=f"Egen idé {index + 1} i {municipality.name}",
                        need="Invånarna vill kunna göra mer digitalt.",
                        source=Source.GROUP,
                        moderation=Moderation.PUBLISHED,
                    )
                )
        Idea.objects.bulk_create(copies, batch_size=2_000)

        # Plans: a first version in every status, for a third a second version on top.
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    municipality=m,
                    title=f"Digital omställning i {m.name} 2026–2028",
                    first_year=2026,
                    last_year=2028,
                )
                for m in municipalities
            ]
        )
        first_statuses = [
            Status.DRAFT,
            Status.SUBMITTED,
            Status.APPROVED,
            Status.APPROVED_WITH_CHANGES,
            Status.RETURNED,
            Status.IN_PROGRESS,
            Status.CLOSED,
        ]
        versions: list[PlanVersion] = []
        for plan in plans:
            first = rng.choice(first_statuses)
            versions.append(PlanVersion(plan=plan, number=1, status=first))
            if first in (Status.RETURNED, Status.APPROVED) and rng.random() < 0.66:
                second = rng.choice([Status.DRAFT, Status.SUBMITTED, Status.APPROVED])
                versions.append(PlanVersion(plan=plan, number=2, status=second))
        PlanVersion.objects.bulk_create(versions)
        decided = {
            Status.APPROVED: "approved",
            Status.APPROVED_WITH_CHANGES: "approved_with_changes",
            Status.RETURNED: "returned",
            Status.IN_PROGRESS: "approved",
            Status.CLOSED: "approved",
        }
        Decision.objects.bulk_create(
            [
                Decision(
                    version=version,
                    outcome=decided[Status(version.status)],
                    comment="Beslutat i kommunledningsgruppen.",
                    decided_on=date(2026, 1 + version.number, 15),
                )
                for version in versions
                if version.status in decided
            ]
        )
        initiatives = []
        for version in versions:
            for index in range(rng.randint(4, 12)):
                initiatives.append(
                    Initiative(
                        version=version,
                        key=uuid.UUID(int=rng.getrandbits(128)),
                        title=f"Insats {index + 1}: {rng.choice(IDEA_WORDS)}",
                        owner=rng.choice(FUNCTIONS),
                        start=date(2026, rng.randint(1, 12), 1),
                        end=date(2028, rng.randint(1, 12), 28),
                        first_step="Kartlägg dagens arbetssätt.",
                        citizen_benefit="Snabbare och enklare för invånarna.",
                        order=index,
                    )
                )
        Initiative.objects.bulk_create(initiatives, batch_size=2_000)
        lines = []
        kinds = list(BudgetKind.values)
        for initiative in initiatives:
            for year in (2026, 2027, 2028):
                for kind in kinds:
                    if rng.random() < 0.7 or kind == BudgetKind.INNOVATION:
                        lines.append(
                            BudgetLine(
                                initiative=initiative,
                                year=year,
                                kind=kind,
                                amount=rng.randrange(10_000, 400_000, 1_000),
                            )
                        )
        BudgetLine.objects.bulk_create(lines, batch_size=5_000)

    return Summary(
        regions=len(regions),
        municipalities=len(municipalities),
        groups=len(groups),
        members=len(members),
        rounds=rounds,
        survey_responses=sum(sizes),
        surveys_below_minimum=sum(1 for size in sizes if size < minimum),
        ideas=len(originals) + len(copies),
        shared=sum(1 for idea in originals if idea.shared_at is not None),
        copies=sum(1 for idea in copies if idea.copied_from_id is not None),
        plans=len(plans),
        versions=len(versions),
        initiatives=len(initiatives),
        budget_lines=len(lines),
        placements=len(placements),
        seconds=time.monotonic() - started,
    )


if __name__ == "__main__":
    import django

    django.setup()
    print(build(seed=int(sys.argv[1]) if len(sys.argv) > 1 else SEED).as_dict())
