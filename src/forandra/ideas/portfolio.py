"""Portfolios: the optimiser run on a municipality's ideas, saved as numbered versions.

`run` builds an `optimiser.Problem` from the municipality's candidate ideas (published and not
parked, each valued by its weighted score) and the rules asked for, solves it and saves a
`Portfolio` (the rules, the result, the budget curve) with a `PortfolioChoice` per idea. The
optimiser gives each reason and conflict as a kind code; this module words them in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.maturity import selectors as maturity_selectors
from forandra.maturity.instrument import default_instrument
from forandra.municipalities.models import Municipality

from . import optimiser, scoring
from .models import Dot, Idea, Moderation, Portfolio, PortfolioChoice, ScoringWeights, Status

CURVE_POINTS = 8

# --- Reading ------------------------------------------------------------------------------------


def candidates(*, municipality: Municipality) -> QuerySet[Idea]:
    """The ideas a portfolio chooses from: published and not parked, by title."""
    return (
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
        .exclude(status=Status.PARKED)
        .prefetch_related("waves")
        .order_by("title", "pk")
    )


def portfolios_for(*, municipality: Municipality) -> QuerySet[Portfolio]:
    """A municipality's portfolios, newest version first, with who ran them."""
    return Portfolio.objects.filter(municipality=municipality).select_related("created_by")


def portfolio_get(*, municipality: Municipality, version: int) -> Portfolio:
    """One version of the municipality's portfolio; raises Portfolio.DoesNotExist."""
    return portfolios_for(municipality=municipality).get(version=version)


def choices_of(*, portfolio: Portfolio) -> QuerySet[PortfolioChoice]:
    """Each idea's place in a portfolio, chosen first, then by value."""
    return portfolio.choices.select_related("idea").order_by("-selected", "-value", "idea__title")


def dimension_names() -> dict[str, str]:
    """Maturity dimension key -> its name in the current language."""
    language = get_language() or "sv"
    return {d.key: d.name.get(language) for d in default_instrument().dimensions}


def tag_names(*, municipality: Municipality) -> dict[str, str]:
    """The tags a count rule can name: "wave:<key>" and "dim:<key>", with readable names."""
    from forandra.scanning.models import Wave  # the region's waves; read only here

    names = {
        f"wave:{wave.key}": _("Wave: %(name)s") % {"name": wave.name}
        for wave in Wave.objects.filter(region_id=municipality.region_id)
    }
    names.update(
        {
            f"dim:{key}": _("Dimension: %(name)s") % {"name": n}
            for key, n in dimension_names().items()
        }
    )
    return names


def weakest_dimensions(*, municipality: Municipality, count: int = 3) -> list[str] | None:
    """The keys of the weakest dimensions in the latest closed maturity round with results, or
    None when there is no such round."""
    rounds = maturity_selectors.rounds_for(municipality=municipality).filter(
        closed_at__isnull=False
    )
    for round_ in rounds.order_by("-closed_at"):
        result = maturity_selectors.round_result(round_=round_)
        if result is None:
            continue
        scored = [
            (d.score, index, key)
            for index, (key, d) in enumerate(result.result.dimensions.items())
            if d.score is not None
        ]
        if scored:
            return [key for _score, _index, key in sorted(scored)[:count]]
    return None


def idea_values(*, municipality: Municipality, ideas: Iterable[Idea]) -> dict[int, float]:
    """Each idea's weighted score, compared with the other ideas given."""
    ideas = list(ideas)
    dots = dict(
        Dot.objects.filter(idea__in=ideas)
        .values("idea")
        .annotate(total=Sum("count"))
        .values_list("idea", "total")
    )
    facts = [
        scoring.IdeaFacts(
            id=idea.pk,
            benefit=idea.benefit,
            feasibility=idea.feasibility,
            risk=idea.risk,
            one_time_cost=idea.one_time_cost,
            yearly_cost=idea.yearly_cost,
            effort=float(idea.effort),
            support=idea.support_count + int(dots.get(idea.pk, 0)),
        )
        for idea in ideas
    ]
    weights_row = ScoringWeights.objects.filter(municipality=municipality).first()
    if weights_row is None:
        weights_row = ScoringWeights(municipality=municipality)  # the model's defaults
    weights = {c: getattr(weights_row, c) for c in scoring.CRITERIA}
    return {pk: round(score.total, 2) for pk, score in scoring.scores(facts, weights).items()}


# --- The rules asked for ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """What a portfolio run asks for, as stored in `Portfolio.constraints`."""

    budget: int | None = None
    yearly_cap: int | None = None
    capacity: float | None = None
    weakest: tuple[str, ...] = ()  # dimension keys that must get at least one idea
    counts: tuple[tuple[str, int, int | None], ...] = ()  # (tag, minimum, maximum)
    must_include: tuple[int, ...] = ()
    must_exclude: tuple[int, ...] = ()
    exclusive: tuple[tuple[int, ...], ...] = ()
    requires: tuple[tuple[int, int], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "yearly_cap": self.yearly_cap,
            "capacity": self.capacity,
            "weakest": list(self.weakest),
            "counts": [{"tag": t, "min": lo, "max": hi} for t, lo, hi in self.counts],
            "must_include": list(self.must_include),
            "must_exclude": list(self.must_exclude),
            "exclusive": [list(group) for group in self.exclusive],
            "requires": [list(pair) for pair in self.requires],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rules:
        return cls(
            budget=data.get("budget"),
            yearly_cap=data.get("yearly_cap"),
            capacity=data.get("capacity"),
            weakest=tuple(data.get("weakest", ())),
            counts=tuple((c["tag"], c["min"], c["max"]) for c in data.get("counts", ())),
            must_include=tuple(data.get("must_include", ())),
            must_exclude=tuple(data.get("must_exclude", ())),
            exclusive=tuple(tuple(g) for g in data.get("exclusive", ())),
            requires=tuple((a, b) for a, b in data.get("requires", ())),
        )


def idea_tags(idea: Idea) -> frozenset[str]:
    waves = {f"wave:{wave.key}" for wave in idea.waves.all()}
    return frozenset(waves | {f"dim:{key}" for key in idea.dimensions or ()})


def build_problem(
    *, ideas: list[Idea], values: Mapping[int, float], rules: Rules, names: Mapping[str, str]
) -> optimiser.Problem:
    """The optimiser's problem for these ideas and rules (ideas not among them are ignored)."""
    known = {idea.pk for idea in ideas}
    counts = [
        optimiser.CountRule(f"dim:{key}", 1, label=names.get(f"dim:{key}", key))
        for key in rules.weakest
    ]
    counts += [
        optimiser.CountRule(tag, minimum, maximum, label=names.get(tag, tag))
        for tag, minimum, maximum in rules.counts
    ]
    return optimiser.Problem(
        items=tuple(
            optimiser.Item(
                id=idea.pk,
                title=idea.title,
                value=values[idea.pk],
                one_time=idea.one_time_cost,
                yearly=idea.yearly_cost,
                effort=float(idea.effort),
                tags=idea_tags(idea),
            )
            for idea in ideas
        ),
        budget=rules.budget,
        yearly_cap=rules.yearly_cap,
        capacity=rules.capacity,
        counts=tuple(counts),
        must_include=frozenset(rules.must_include) & known,
        must_exclude=frozenset(rules.must_exclude) & known,
        exclusive=tuple(frozenset(g) & known for g in rules.exclusive if len(set(g) & known) > 1),
        requires=tuple((a, b) for a, b in rules.requires if a in known and b in known),
    )


# --- In words -----------------------------------------------------------------------------------


def kronor(amount: float | None) -> str:
    return number_format(round(amount or 0), 0, force_grouping=True)


def months(amount: float | None) -> str:
    return number_format(amount or 0, 1, force_grouping=True)


def _list(ids: Iterable[int], titles: Mapping[int, str]) -> str:
    return ", ".join(titles.get(i, "?") for i in ids)


def reason_text(
    explanation: optimiser.Explanation, *, titles: Mapping[int, str], names: Mapping[str, str]
) -> str:
    """Why an idea is in or out, in a sentence in the current language."""
    e = explanation
    other = titles.get(e.other, "?") if e.other is not None else ""
    match e.kind:
        case "must_include":
            return _("Chosen: it must be included.")
        case "selected_required_by":
            return _("Chosen: %(other)s needs it.") % {"other": other}
        case "selected":
            return _("Chosen: part of the combination of the highest value within the limits.")
        case "excluded_by_rule":
            return _("Left out: it must not be included.")
        case "exclusive_with":
            return _("Left out: only one of it and %(other)s may be chosen, and %(other)s is.") % {
                "other": other
            }
        case "depends":
            return _("Left out: depends on %(other)s, which is not chosen.") % {"other": other}
        case "count_max":
            return _("Left out: %(group)s already has as many ideas as allowed.") % {
                "group": names.get(e.tag, e.label or e.tag)
            }
        case "budget":
            return _("Left out: would exceed the budget by %(amount)s kr.") % {
                "amount": kronor(e.amount)
            }
        case "yearly_cap":
            return _("Left out: would exceed the cap on yearly costs by %(amount)s kr.") % {
                "amount": kronor(e.amount)
            }
        case "capacity":
            return _("Left out: would exceed the capacity by %(amount)s person-months.") % {
                "amount": months(e.amount)
            }
        case "better_use":
            text = _("Left out: a better use of the same resources: %(others)s.") % {
                "others": _list(e.others, titles)
            }
            if e.amount:
                text += " " + _("Added as well, it would exceed the budget by %(amount)s kr.") % {
                    "amount": kronor(e.amount)
                }
            return text
        case "no_room":
            return _("Left out: no selection that keeps every rule can include it.")
        case "no_value":
            return _("Left out: it adds no value.")
        case _other:
            return _("Left out: the search ended before it could find room for it.")


def conflict_texts(
    error: optimiser.Infeasible, *, titles: Mapping[int, str], names: Mapping[str, str]
) -> list[str]:
    """The conflicting rules of an infeasible run, each in words."""
    texts = []
    for c in error.constraints:
        count = int(c.amount or 0)
        group = names.get(c.tag, c.tag)
        match c.kind:
            case "budget":
                text = _("the budget of %(amount)s kr") % {"amount": kronor(c.amount)}
            case "yearly_cap":
                text = _("yearly costs of at most %(amount)s kr") % {"amount": kronor(c.amount)}
            case "capacity":
                text = _("a capacity of %(amount)s person-months") % {"amount": months(c.amount)}
            case "count_min":
                text = ngettext(
                    "at least %(count)s idea for %(group)s",
                    "at least %(count)s ideas for %(group)s",
                    count,
                ) % {"count": count, "group": group}
            case "count_max":
                text = ngettext(
                    "at most %(count)s idea for %(group)s",
                    "at most %(count)s ideas for %(group)s",
                    count,
                ) % {"count": count, "group": group}
            case "must_include":
                text = _("must include: %(idea)s") % {"idea": _list(c.ids, titles)}
            case "must_exclude":
                text = _("must leave out: %(idea)s") % {"idea": _list(c.ids, titles)}
            case "exclusive":
                text = _("at most one of: %(ideas)s") % {"ideas": _list(c.ids, titles)}
            case "requires":
                text = _("%(idea)s needs %(other)s") % {
                    "idea": titles.get(c.ids[0], "?"),
                    "other": titles.get(c.ids[1], "?"),
                }
            case _other:
                text = c.label
        texts.append(text)
    return texts


def rules_in_words(
    rules: Rules, *, titles: Mapping[int, str], names: Mapping[str, str]
) -> list[str]:
    """What a portfolio asked for, one sentence each."""
    words = []
    if rules.budget is not None:
        words.append(_("One-time costs at most %(amount)s kr.") % {"amount": kronor(rules.budget)})
    if rules.yearly_cap is not None:
        words.append(
            _("Yearly costs at most %(amount)s kr.") % {"amount": kronor(rules.yearly_cap)}
        )
    if rules.capacity is not None:
        words.append(
            _("Effort at most %(amount)s person-months.") % {"amount": months(rules.capacity)}
        )
    for key in rules.weakest:
        words.append(
            _("At least one idea for %(group)s (one of the weakest dimensions).")
            % {"group": names.get(f"dim:{key}", key)}
        )
    for tag, minimum, maximum in rules.counts:
        group = names.get(tag, tag)
        if maximum is None:
            words.append(_("At least %(min)s for %(group)s.") % {"min": minimum, "group": group})
        else:
            words.append(
                _("Between %(min)s and %(max)s for %(group)s.")
                % {"min": minimum, "max": maximum, "group": group}
            )
    if rules.must_include:
        words.append(_("Must include: %(ideas)s.") % {"ideas": _list(rules.must_include, titles)})
    if rules.must_exclude:
        words.append(_("Must leave out: %(ideas)s.") % {"ideas": _list(rules.must_exclude, titles)})
    for group_ids in rules.exclusive:
        words.append(_("At most one of: %(ideas)s.") % {"ideas": _list(group_ids, titles)})
    for a, b in rules.requires:
        words.append(
            _("%(idea)s needs %(other)s.")
            % {"idea": titles.get(a, "?"), "other": titles.get(b, "?")}
        )
    return words or [_("No limits: every idea of value is chosen.")]


def explanation_json(e: optimiser.Explanation) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "amount": e.amount,
        "other": e.other,
        "others": list(e.others),
        "tag": e.tag,
        "label": e.label,
        "loss": e.loss,
        "exact": e.exact,
    }


def explanation_from_json(data: Mapping[str, Any]) -> optimiser.Explanation:
    return optimiser.Explanation(
        kind=data["kind"],
        amount=data.get("amount"),
        other=data.get("other"),
        others=tuple(data.get("others", ())),
        tag=data.get("tag", ""),
        label=data.get("label", ""),
        loss=data.get("loss"),
        exact=data.get("exact", True),
    )


# --- Running ------------------------------------------------------------------------------------


class PortfolioInfeasible(Exception):  # noqa: N818 (named for what happened, like Infeasible)
    """No selection keeps every rule asked for; `conflicts` names them in words."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("; ".join(conflicts))


@transaction.atomic
def run(
    *,
    municipality: Municipality,
    rules: Rules,
    title: str = "",
    created_by: User | None = None,
    is_demo: bool = False,
) -> Portfolio:
    """Solve the municipality's portfolio under these rules and save it as the next version.

    Raises PortfolioInfeasible (and saves nothing) when no selection keeps every rule."""
    ideas = list(candidates(municipality=municipality))
    values = idea_values(municipality=municipality, ideas=ideas)
    names = tag_names(municipality=municipality)
    titles = {idea.pk: idea.title for idea in ideas}
    problem = build_problem(ideas=ideas, values=values, rules=rules, names=names)
    try:
        solution = optimiser.solve(problem)
        points = optimiser.curve(problem, points=CURVE_POINTS) if ideas else []
    except optimiser.Infeasible as error:
        raise PortfolioInfeasible(conflict_texts(error, titles=titles, names=names)) from None
    # Lock the municipality's row so two runs at once cannot take the same version.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    last = Portfolio.objects.filter(municipality=municipality).aggregate(v=Max("version"))["v"]
    portfolio = Portfolio(
        municipality=municipality,
        version=(last or 0) + 1,
        title=title,
        constraints=rules.as_json(),
        result={
            "value": solution.value,
            "optimal": solution.optimal,
            "one_time": solution.one_time,
            "yearly": solution.yearly,
            "effort": solution.effort,
            "selected": sorted(solution.selected),
            "count": len(solution.selected),
            "candidates": len(ideas),
            "curve": [[budget, value] for budget, value in points],
            "explanations": {
                str(pk): explanation_json(e) for pk, e in solution.explanations.items()
            },
        },
        created_by=created_by,
        is_demo=is_demo,
    )
    portfolio.full_clean()
    portfolio.save()
    PortfolioChoice.objects.bulk_create(
        PortfolioChoice(
            portfolio=portfolio,
            idea=idea,
            selected=idea.pk in solution.selected,
            value=values[idea.pk],
            reason=reason_text(solution.explanations[idea.pk], titles=titles, names=names),
        )
        for idea in ideas
    )
    return portfolio


# --- For the pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceRow:
    idea: Idea
    selected: bool
    value: float
    reason: str


@dataclass(frozen=True)
class CurveChart:
    """The budget curve drawn as an SVG line chart (coordinates in the view box)."""

    width: int
    height: int
    # Coordinates are strings with a decimal point: a template would localise a float ("70,5").
    line: str  # the polyline's points
    dots: list[tuple[str, str, str, str]]  # x, y, budget and value in words
    x_ticks: list[tuple[str, str]]
    y_ticks: list[tuple[str, str]]
    current_x: str | None  # where the portfolio's own budget is


def choice_rows(*, portfolio: Portfolio) -> list[ChoiceRow]:
    """Each idea of a saved portfolio with its reason, worded in the current language."""
    choices = list(choices_of(portfolio=portfolio))
    titles = {c.idea_id: c.idea.title for c in choices}
    names = tag_names(municipality=portfolio.municipality)
    explained = portfolio.result.get("explanations", {})
    rows = []
    for c in choices:
        data = explained.get(str(c.idea_id))
        reason = (
            reason_text(explanation_from_json(data), titles=titles, names=names)
            if data
            else c.reason
        )
        rows.append(ChoiceRow(idea=c.idea, selected=c.selected, value=c.value, reason=reason))
    return rows


def curve_chart(
    points: list[list[float]], *, budget: float | None, width: int = 640, height: int = 300
) -> CurveChart | None:
    """The chart of a budget curve (budget on x, best value on y); None for fewer than 2."""
    if len(points) < 2:
        return None
    left, right, top, bottom = 70, 50, 20, 50
    low_x, high_x = points[0][0], points[-1][0]
    high_y = max(value for _b, value in points) or 1.0
    span_x = (high_x - low_x) or 1.0

    def x_of(b: float) -> str:
        return f"{left + (b - low_x) / span_x * (width - left - right):.1f}"

    def y_of(v: float) -> str:
        return f"{height - bottom - v / high_y * (height - top - bottom):.1f}"

    line = " ".join(f"{x_of(b)},{y_of(v)}" for b, v in points)
    dots = [(x_of(b), y_of(v), kronor(b), number_format(v, 1)) for b, v in points]
    x_ticks = [(x_of(b), kronor(b)) for b in (low_x, (low_x + high_x) / 2, high_x)]
    y_ticks = [(y_of(v), number_format(v, 0)) for v in (0, high_y / 2, high_y)]
    current = x_of(budget) if budget is not None and low_x <= budget <= high_x else None
    return CurveChart(width, height, line, dots, x_ticks, y_ticks, current)
