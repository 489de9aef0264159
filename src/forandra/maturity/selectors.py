"""Reads for the maturity self-assessment: rounds, their counts, scores and comparisons.

Every figure comes from `AnswerCount` rows summed in the database, so the cost of a results page
depends on the instrument's size and the number of units, never on the number of responses.
Survey figures of fewer than `min_group_size()` responses are never returned: such units are
merged into "other departments", or left out when even the merged group is too small.

Scores are a pure function of a round's instrument version and its counts, so computed scores
are kept in Django's cache under the round's `counts_version`, which every change to the counts
replaces in the same transaction: an open round gets a new key with every response, a closed
one keeps its scores. What depends on more than the counts (department names, which rounds a
region compares, the minimum group size) is read fresh on every call.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from forandra.municipalities.models import Municipality, Unit

from . import scoring
from .instrument import Instrument, load_instrument
from .models import (
    AnswerCount,
    InstrumentVersion,
    Mode,
    Response,
    Round,
    SurveyToken,
    UnitResponseCount,
    min_group_size,
)


@lru_cache(maxsize=32)
def _parsed(pk: int, source: str) -> Instrument:
    return load_instrument(source)


def instrument_for(*, round_: Round) -> Instrument:
    """The instrument version a round was opened with (parsed once per process)."""
    version = round_.instrument
    return _parsed(version.pk, version.source)


def rounds_for(*, municipality: Municipality) -> QuerySet[Round]:
    """A municipality's rounds, newest first."""
    return Round.objects.filter(municipality=municipality).select_related("instrument")


def round_get(*, municipality: Municipality, pk: int) -> Round:
    """One round of the municipality; raises Round.DoesNotExist for another's."""
    return Round.objects.select_related("instrument", "municipality__region").get(
        municipality=municipality, pk=pk
    )


def round_by_link(*, link_key: str) -> Round:
    """The survey round behind a link; raises Round.DoesNotExist."""
    return Round.objects.select_related("instrument", "municipality").get(
        link_key=link_key, mode=Mode.SURVEY
    )


Counts = dict[str, dict[int, int]]  # statement -> answer value -> how many gave it

_CACHE_FORMAT = 1  # raise when what is cached changes shape, so that old entries are not read
_CACHE_TIMEOUT = 24 * 60 * 60  # seconds; a closed round's scores never change, this only frees


def _cache_key(round_: Round, part: str) -> str:
    """Where `part` of a round's scores is cached: changes when the round's counts change."""
    return (
        f"maturity:{_CACHE_FORMAT}:{part}:{round_.pk}:{round_.instrument_id}:"
        f"{round_.counts_version.hex}"
    )


def _counts(rounds: list[int]) -> dict[int, Counts]:
    """round id -> statement -> value -> count over all units, summed in the database."""
    result: dict[int, Counts] = {}
    for round_id, key, value, total in (
        AnswerCount.objects.filter(round_id__in=rounds, count__gt=0)
        .values("round_id", "statement_key", "value")
        .annotate(total=Sum("count"))
        .values_list("round_id", "statement_key", "value", "total")
    ):
        result.setdefault(round_id, {}).setdefault(key, {})[value] = total
    return result


def _group_counts(round_: Round, groups: list[list[int]]) -> list[Counts]:
    """The counts of each group of units (unit keys) of a round, in one query summed in the
    database."""
    part = Case(
        *(When(unit_key__in=keys, then=Value(index)) for index, keys in enumerate(groups)),
        output_field=IntegerField(),
    )
    result: list[Counts] = [{} for _group in groups]
    for index, key, value, total in (
        AnswerCount.objects.filter(
            round=round_, count__gt=0, unit_key__in=[key for keys in groups for key in keys]
        )
        .annotate(part=part)
        .values("part", "statement_key", "value")
        .annotate(total=Sum("count"))
        .values_list("part", "statement_key", "value", "total")
    ):
        result[index].setdefault(key, {})[value] = total
    return result


def shows_results(*, round_: Round) -> bool:
    """Survey results appear only once enough have answered; the group's own always do."""
    return round_.mode == Mode.CONSENSUS or round_.response_count >= min_group_size()


@dataclass(frozen=True)
class RoundResult:
    round: Round
    instrument: Instrument
    result: scoring.Result
    counts: Counts

    def distribution(self, statement_key: str) -> scoring.Distribution:
        return scoring.distribution(self.counts.get(statement_key, {}), self.instrument.scale.size)


def round_result(*, round_: Round) -> RoundResult | None:
    """The scores of a round, or None while a survey has too few responses to show.

    Pass a round read in this request: its `counts_version` picks the cached scores.
    """
    if not shows_results(round_=round_):
        return None
    instrument = instrument_for(round_=round_)
    key = _cache_key(round_, "round")
    cached: tuple[scoring.Result, Counts] | None = cache.get(key)
    if cached is None:
        counts = _counts([round_.pk]).get(round_.pk, {})
        cached = (scoring.score(instrument, counts), counts)
        cache.set(key, cached, _CACHE_TIMEOUT)
    result, counts = cached
    return RoundResult(round_, instrument, result, counts)


def _same_instrument(round_: Round) -> QuerySet[Round]:
    return Round.objects.filter(
        municipality_id=round_.municipality_id,
        instrument__instrument_id=round_.instrument.instrument_id,
    ).select_related("instrument")


def counterpart(*, round_: Round) -> Round | None:
    """The round of the other mode closest in time, to compare the group's and the staff's view."""
    other = Mode.SURVEY if round_.mode == Mode.CONSENSUS else Mode.CONSENSUS
    candidates = list(_same_instrument(round_).filter(mode=other))
    candidates = [c for c in candidates if shows_results(round_=c)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (abs((c.opened_on - round_.opened_on).days), -c.pk))


def previous(*, round_: Round) -> Round | None:
    """The same municipality's last earlier round in the same mode, to show change over time."""
    earlier = [
        r
        for r in _same_instrument(round_).filter(mode=round_.mode, opened_on__lt=round_.opened_on)
        if shows_results(round_=r)
    ]
    return max(earlier, key=lambda r: (r.opened_on, r.pk)) if earlier else None


@dataclass(frozen=True)
class UnitResult:
    name: str | None  # None: "other departments" (units too small to show alone, merged)
    responses: int
    result: scoring.Result


def unit_breakdown(*, round_: Round) -> list[UnitResult]:
    """Scores per department, keeping the minimum group size.

    A department with too few responses is merged with the other small ones (and those who gave
    no department) into one group, which is shown only if it reaches the minimum too.
    """
    if round_.mode != Mode.SURVEY or not shows_results(round_=round_):
        return []
    k = min_group_size()
    sizes = dict(
        UnitResponseCount.objects.filter(round=round_, count__gt=0).values_list("unit_key", "count")
    )
    names = dict(Unit.objects.filter(pk__in=sizes).values_list("pk", "name"))
    shown = [key for key, size in sizes.items() if key and key in names and size >= k]
    merged = [key for key in sizes if key not in shown]
    if not shown:
        return []  # one group alone is the whole round, already shown
    shown.sort(key=lambda key: names[key])
    merged_size = sum(sizes[key] for key in merged)
    groups = [[key] for key in shown] + ([merged] if merged_size >= k else [])
    results = _group_results(round_, groups)
    units = [UnitResult(names[key], sizes[key], results[i]) for i, key in enumerate(shown)]
    if merged_size >= k:
        units.append(UnitResult(None, merged_size, results[-1]))
    return units


def _group_results(round_: Round, groups: list[list[int]]) -> list[scoring.Result]:
    """The scores of each group of units, cached under the round's counts and the grouping."""
    grouping = hashlib.sha256(repr(groups).encode()).hexdigest()[:32]
    key = _cache_key(round_, f"units-{grouping}")
    results: list[scoring.Result] | None = cache.get(key)
    if results is None:
        instrument = instrument_for(round_=round_)
        results = [scoring.score(instrument, counts) for counts in _group_counts(round_, groups)]
        cache.set(key, results, _CACHE_TIMEOUT)
    return results


@dataclass(frozen=True)
class Spread:
    """Quartiles of the region's municipalities for one dimension."""

    municipalities: int
    q1: float
    median: float
    q3: float


def region_comparison(*, round_: Round) -> dict[str, Spread]:
    """Per dimension, the median and quartiles of the latest shown round of each municipality
    of the region that used the same instrument (this round's municipality included)."""
    region_id = round_.municipality.region_id
    instrument_id = round_.instrument.instrument_id
    latest: dict[int, Round] = {}
    candidates = (
        Round.objects.filter(
            municipality__region_id=region_id, instrument__instrument_id=instrument_id
        )
        .order_by("municipality_id", "-opened_on", "-pk")
        # Only what picking the rounds and the cache key need: not the instrument's source.
        .only("municipality_id", "instrument_id", "mode", "response_count", "counts_version")
    )
    for candidate in candidates:
        if candidate.municipality_id not in latest and shows_results(round_=candidate):
            latest[candidate.municipality_id] = candidate
    if len(latest) < 2:
        return {}
    scores = _dimension_scores(
        list(latest.values()), f"maturity:{_CACHE_FORMAT}:region:{region_id}:{instrument_id}"
    )
    per_dimension: dict[str, list[float]] = defaultdict(list)
    for dimensions in scores:
        for key, score in dimensions.items():
            if score is not None:
                per_dimension[key].append(score)
    spreads = {}
    for key, values in per_dimension.items():
        if len(values) >= 2:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
            spreads[key] = Spread(len(values), q1, median, q3)
    return spreads


def _dimension_scores(rounds: list[Round], key: str) -> list[dict[str, float | None]]:
    """Each round's dimension scores, kept together in one cache entry (`key`) per region.

    One entry rather than one per round, so that a region of 290 municipalities does not crowd a
    small cache (the default one keeps 300 entries). Inside it every round's scores are filed
    under its counts version, so only rounds whose counts changed are counted and scored again,
    all of them in one query.
    """
    known: dict[tuple[int, int, str], dict[str, float | None]] = cache.get(key) or {}
    slots = {r.pk: (r.pk, r.instrument_id, r.counts_version.hex) for r in rounds}
    missing = [r for r in rounds if slots[r.pk] not in known]
    if missing:
        sources = dict(
            InstrumentVersion.objects.filter(pk__in={r.instrument_id for r in missing}).values_list(
                "pk", "source"
            )
        )
        counts = _counts([r.pk for r in missing])
        for r in missing:
            instrument = _parsed(r.instrument_id, sources[r.instrument_id])
            result = scoring.score(instrument, counts.get(r.pk, {}))
            known[slots[r.pk]] = {
                dimension_key: dimension.score
                for dimension_key, dimension in result.dimensions.items()
            }
        # Written back with only the rounds compared now, so the entry does not grow.
        cache.set(key, {slot: known[slot] for slot in slots.values()}, _CACHE_TIMEOUT)
    return [known[slot] for slot in slots.values()]


def dimension_scores(*, rounds: Sequence[Round], key: str) -> list[dict[str, float | None]]:
    """Each round's dimension scores (None where unanswered), for pages that show many rounds:
    scored in one query and cached together in one entry named by `key` (e.g. a region's).

    Pass only rounds whose results may be shown (`shows_results`)."""
    if not rounds:
        return []
    return _dimension_scores(list(rounds), f"maturity:{_CACHE_FORMAT}:{key}")


def consensus_answers(*, round_: Round) -> dict[str, tuple[int | None, str]]:
    """The group's stored answers in a consensus round: statement -> (value, why)."""
    response = Response.objects.filter(round=round_).first()
    if response is None:
        return {}
    return {key: (value, response.whys.get(key, "")) for key, value in response.answers.items()}


def survey_refusal(*, round_: Round, token: str | None, client_key: str) -> str | None:
    """Why this browser (or personal link) cannot answer the open survey, if it cannot."""
    if token:
        used = SurveyToken.objects.filter(round=round_, token=token).values_list(
            "used_at", flat=True
        )
        if not used:
            return _("The link is not valid for this survey.")
        if used[0] is not None:
            return _("This link has already been used to answer.")
        return None
    if round_.tokens_required:
        return _("This survey is answered through personal links only.")
    if Response.objects.filter(round=round_, client_key=client_key).exists():
        return _("You have already answered this survey.")
    return None
