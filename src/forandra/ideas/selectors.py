"""Reads for the idea bank: scored lists, one idea's score and history, moderation, public pages.

Scores compare ideas with one another (cost, effort and support are relative to the highest
among them), so an idea's score is always computed over the municipality's published ideas;
filters only choose which of them are shown.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from forandra.maturity.instrument import default_instrument
from forandra.municipalities.models import DigitalisationGroup, Municipality
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning.models import Wave

from . import scoring
from .models import Idea, IdeaSupport, Moderation, ScoringWeights

SORTS = ("score", "newest", "benefit")


@functools.cache
def _dimension_names() -> tuple[tuple[str, str, str], ...]:
    """(key, Swedish name, English name) of the default instrument's dimensions, read once."""
    return tuple((d.key, d.name.sv, d.name.en) for d in default_instrument().dimensions)


def dimension_choices() -> list[tuple[str, str]]:
    """The maturity dimensions an idea can build: (key, name in the current language)."""
    english = (get_language() or "sv").startswith("en")
    return [(key, en if english else sv) for key, sv, en in _dimension_names()]


def waves_for(*, municipality: Municipality) -> QuerySet[Wave]:
    """The waves of change of the municipality's region, in the region's order."""
    return scanning_selectors.waves_for(region=municipality.region)


def weights_for(*, municipality: Municipality) -> dict[str, int]:
    """The municipality's scoring weights, or the defaults when it has not set its own."""
    saved = ScoringWeights.objects.filter(municipality=municipality).first()
    if saved is None:
        saved = ScoringWeights(municipality=municipality)  # the model's defaults, not stored
    return {c: int(getattr(saved, c)) for c in scoring.CRITERIA}


def _with_dots(ideas: QuerySet[Idea]) -> Any:  # a QuerySet[Idea] with `dot_total`
    return ideas.annotate(dot_total=Coalesce(Sum("dots__count"), 0))


def _facts(rows: Iterable[dict[str, Any]]) -> list[scoring.IdeaFacts]:
    return [
        scoring.IdeaFacts(
            id=row["pk"],
            benefit=row["benefit"],
            feasibility=row["feasibility"],
            risk=row["risk"],
            one_time_cost=row["one_time_cost"],
            yearly_cost=row["yearly_cost"],
            effort=float(row["effort"]),
            support=row["support_count"] + row["dot_total"],
        )
        for row in rows
    ]


def _published_facts(municipality: Municipality) -> list[scoring.IdeaFacts]:
    """The facts the scores are computed from, for every published idea, in one query."""
    rows = _with_dots(
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
    ).values(
        "pk",
        "benefit",
        "feasibility",
        "risk",
        "one_time_cost",
        "yearly_cost",
        "effort",
        "support_count",
        "dot_total",
    )
    return _facts(rows)


@dataclass(frozen=True)
class ScoredIdea:
    idea: Idea
    score: scoring.Score
    dots: int

    @property
    def support(self) -> int:
        return self.idea.support_count + self.dots


def idea_list(
    *,
    municipality: Municipality,
    status: str = "",
    source: str = "",
    wave: str = "",
    dimension: str = "",
    text: str = "",
    sort: str = "score",
) -> list[ScoredIdea]:
    """The municipality's published ideas with their scores, filtered and sorted (4 queries)."""
    scores = scoring.scores(_published_facts(municipality), weights_for(municipality=municipality))
    ideas = _with_dots(
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
    ).prefetch_related(Prefetch("waves", queryset=Wave.objects.order_by("position", "key")))
    if status:
        ideas = ideas.filter(status=status)
    if source:
        ideas = ideas.filter(source=source)
    if wave:
        # A subquery, not a join: a join beside the sum of dots would multiply it.
        ideas = ideas.filter(
            pk__in=Idea.waves.through.objects.filter(wave__key=wave).values("idea_id")
        )
    if text:
        ideas = ideas.filter(
            Q(title__icontains=text) | Q(need__icontains=text) | Q(description__icontains=text)
        )
    rows = [
        ScoredIdea(idea=idea, score=scores[idea.pk], dots=idea.dot_total)
        for idea in ideas
        # JSON containment is not available on every database: dimensions are few per idea.
        if not dimension or dimension in idea.dimensions
    ]
    if sort == "newest":
        rows.sort(key=lambda row: (row.idea.created_at, row.idea.pk), reverse=True)
    elif sort == "benefit":
        rows.sort(key=lambda row: (-row.idea.benefit, -row.score.total, -row.idea.pk))
    else:
        rows.sort(key=lambda row: (-row.score.total, -row.idea.pk))
    return rows


def idea_get(*, municipality: Municipality, pk: int) -> Idea:
    """One idea of the municipality, any moderation state (raises Idea.DoesNotExist)."""
    idea: Idea = (
        _with_dots(Idea.objects.filter(municipality=municipality))
        .select_related("created_by", "copied_from")
        .prefetch_related("waves")
        .get(pk=pk)
    )
    return idea


def idea_score(*, idea: Idea) -> scoring.Score:
    """One idea's score among the municipality's published ideas (itself included if it is not
    published yet)."""
    facts = _published_facts(idea.municipality)
    if all(f.id != idea.pk for f in facts):
        rows = _with_dots(Idea.objects.filter(pk=idea.pk)).values(
            "pk",
            "benefit",
            "feasibility",
            "risk",
            "one_time_cost",
            "yearly_cost",
            "effort",
            "support_count",
            "dot_total",
        )
        facts += _facts(rows)
    return scoring.scores(facts, weights_for(municipality=idea.municipality))[idea.pk]


@dataclass(frozen=True)
class Change:
    """One entry of an idea's history: who changed which fields when."""

    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" removed
    fields: list[str]  # the changed fields' names (labels), for "~"


def idea_history(*, idea: Idea, limit: int = 50) -> list[Change]:
    """The idea's history, newest first, each change with the fields it changed."""
    records = list(
        Idea.history.filter(id=idea.pk).select_related("history_user").order_by("history_date")
    )
    changes: list[Change] = []
    previous = None
    for record in records:
        fields: list[str] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            fields = [
                str(getattr(Idea._meta.get_field(change.field), "verbose_name", change.field))
                for change in delta.changes
            ]
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else ""
        changes.append(Change(record.history_date, who, record.history_type, fields))
        previous = record
    changes.reverse()
    return changes[:limit]


def pending_proposals(*, municipality: Municipality) -> list[Idea]:
    """Residents' proposals waiting for moderation, oldest first, with the proposer's e-mail."""
    return list(
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PENDING)
        .select_related("contact")
        .order_by("created_at", "pk")
    )


def pending_count(*, municipality: Municipality) -> int:
    """How many proposals wait for moderation."""
    return Idea.objects.filter(municipality=municipality, moderation=Moderation.PENDING).count()


def takes_proposals(*, municipality: Municipality) -> bool:
    """Whether the municipality has a group to moderate residents' proposals."""
    return DigitalisationGroup.objects.filter(municipality=municipality).exists()


def public_ideas(*, municipality: Municipality) -> list[Idea]:
    """The published ideas residents see: nothing but what the public page shows."""
    return list(
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
        .only("pk", "title", "need", "description", "support_count", "created_at")
        .order_by("-created_at", "-pk")
    )


def supported_by(*, supporter: str, ideas: Sequence[Idea]) -> set[int]:
    """The ids of these ideas that a browser's (hashed) key already supports."""
    if not supporter:
        return set()
    return set(
        IdeaSupport.objects.filter(
            supporter=supporter, idea__in=[idea.pk for idea in ideas]
        ).values_list("idea_id", flat=True)
    )


def proposal_by_token(*, token: Any) -> Idea:
    """A resident's proposal by their private link (raises Idea.DoesNotExist)."""
    return Idea.objects.select_related("municipality", "contact").get(proposer_token=token)


def public_idea(*, municipality: Municipality, pk: int) -> Idea:
    """A published idea residents may support (raises Idea.DoesNotExist)."""
    return Idea.objects.get(municipality=municipality, moderation=Moderation.PUBLISHED, pk=pk)
