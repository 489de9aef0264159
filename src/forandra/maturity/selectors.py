"""Reads for the maturity self-assessment: rounds, their counts, scores and comparisons.

Every figure comes from `AnswerCount` rows summed in the database, so the cost of a results page
depends on the instrument's size and the number of units, never on the number of responses.
Survey figures of fewer than `min_group_size()` responses are never returned: such units are
merged into "other departments", or left out when even the merged group is too small.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet, Sum

from forandra.municipalities.models import Municipality, Unit

from . import scoring
from .instrument import Instrument, load_instrument
from .models import AnswerCount, Mode, Response, Round, UnitResponseCount, min_group_size


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


def units_for(*, municipality: Municipality) -> QuerySet[Unit]:
    """The municipality's own list of departments, by name."""
    return Unit.objects.filter(municipality=municipality).order_by("name")


def _counts(
    rounds: list[int], unit_keys: list[int] | None = None
) -> dict[int, dict[str, dict[int, int]]]:
    """round id -> statement -> value -> count, summed in the database."""
    rows = AnswerCount.objects.filter(round_id__in=rounds, count__gt=0)
    if unit_keys is not None:
        rows = rows.filter(unit_key__in=unit_keys)
    result: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for round_id, key, value, total in (
        rows.values("round_id", "statement_key", "value")
        .annotate(total=Sum("count"))
        .values_list("round_id", "statement_key", "value", "total")
    ):
        result[round_id][key][value] = total
    return result


def shows_results(*, round_: Round) -> bool:
    """Survey results appear only once enough have answered; the group's own always do."""
    return round_.mode == Mode.CONSENSUS or round_.response_count >= min_group_size()


@dataclass(frozen=True)
class RoundResult:
    round: Round
    instrument: Instrument
    result: scoring.Result
    counts: dict[str, dict[int, int]]

    def distribution(self, statement_key: str) -> scoring.Distribution:
        return scoring.distribution(self.counts.get(statement_key, {}), self.instrument.scale.size)


def round_result(*, round_: Round) -> RoundResult | None:
    """The scores of a round, or None while a survey has too few responses to show."""
    if not shows_results(round_=round_):
        return None
    instrument = instrument_for(round_=round_)
    counts = _counts([round_.pk]).get(round_.pk, {})
    return RoundResult(round_, instrument, scoring.score(instrument, counts), counts)


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
    instrument = instrument_for(round_=round_)
    results = []
    for key in sorted(shown, key=lambda key: names[key]):
        counts = _counts([round_.pk], [key]).get(round_.pk, {})
        results.append(UnitResult(names[key], sizes[key], scoring.score(instrument, counts)))
    merged_size = sum(sizes[key] for key in merged)
    if merged_size >= k:
        counts = _counts([round_.pk], merged).get(round_.pk, {})
        results.append(UnitResult(None, merged_size, scoring.score(instrument, counts)))
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
    latest: dict[int, Round] = {}
    candidates = Round.objects.filter(
        municipality__region_id=round_.municipality.region_id,
        instrument__instrument_id=round_.instrument.instrument_id,
    ).order_by("municipality_id", "-opened_on", "-pk")
    for candidate in candidates.select_related("instrument"):
        if candidate.municipality_id not in latest and shows_results(round_=candidate):
            latest[candidate.municipality_id] = candidate
    if len(latest) < 2:
        return {}
    counts = _counts([r.pk for r in latest.values()])
    per_dimension: dict[str, list[float]] = defaultdict(list)
    for other in latest.values():
        result = scoring.score(instrument_for(round_=other), counts.get(other.pk, {}))
        for key, dimension in result.dimensions.items():
            if dimension.score is not None:
                per_dimension[key].append(dimension.score)
    spreads = {}
    for key, scores in per_dimension.items():
        if len(scores) >= 2:
            q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
            spreads[key] = Spread(len(scores), q1, median, q3)
    return spreads


def consensus_answers(*, round_: Round) -> dict[str, tuple[int | None, str]]:
    """The group's stored answers in a consensus round: statement -> (value, why)."""
    response = Response.objects.filter(round=round_).first()
    if response is None:
        return {}
    return {key: (value, response.whys.get(key, "")) for key, value in response.answers.items()}
