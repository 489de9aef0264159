"""Pages for maturity rounds: the group's (signed in) and the staff survey (public link)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, require
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality

from . import charts, exports, scoring, selectors, services
from .forms import DONT_KNOW, DimensionAnswersForm, FinishSurveyForm, RoundForm, TokensForm
from .models import Mode, Round, min_group_size


def _municipality(request: HttpRequest, code: str, perm: Perm) -> Municipality:
    try:
        municipality = municipality_selectors.municipality_get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    require(request.user, perm, municipality)
    return municipality


def _round(municipality: Municipality, pk: int) -> Round:
    try:
        return selectors.round_get(municipality=municipality, pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    trail: list[Crumb] = []
    if allowed(request.user, Perm.REGION_VIEW, municipality.region):
        region = municipality.region
        trail += crumbs((region.name, "municipalities:region_detail", (region.code,)))
    trail += crumbs(
        (municipality.name, "municipalities:municipality_detail", (municipality.code,)),
        (_("Digital maturity"), "maturity:round_list", (municipality.code,)),
    )
    return trail + list(rest)


def round_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_VIEW)
    trail = _trail(request, municipality)
    rounds = list(selectors.rounds_for(municipality=municipality))
    return render(
        request,
        "maturity/round_list.html",
        {
            "breadcrumbs": [*trail[:-1], Crumb(_("Digital maturity"))],
            "municipality": municipality,
            "rounds": rounds,
            "can_run": allowed(request.user, Perm.MATURITY_RUN, municipality),
            "is_demo": any(r.is_demo for r in rounds),
        },
    )


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_RUN)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_open(municipality=municipality, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The round is open."))
            if round_.mode == Mode.CONSENSUS:
                return redirect("maturity:consensus_answer", code=code, pk=round_.pk, step=1)
            return redirect("maturity:survey_link", code=code, pk=round_.pk)
    return render(
        request,
        "maturity/round_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Open a round"))),
            "municipality": municipality,
            "form": form,
        },
    )


@dataclass(frozen=True)
class StatementRow:
    text: str
    reverse: bool
    score: scoring.StatementScore
    distribution: scoring.Distribution


@dataclass(frozen=True)
class DimensionRow:
    """One dimension of the results table: the score beside what it is compared with."""

    name: str
    score: scoring.DimensionScore
    previous: float | None
    other: float | None  # the counterpart round of the other mode
    region: selectors.Spread | None
    statements: list[StatementRow]

    @property
    def change(self) -> float | None:
        return _difference(self.score.score, self.previous)

    @property
    def gap(self) -> float | None:
        return _difference(self.other, self.score.score)


def _difference(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else later - earlier


def _results_context(round_: Round, language: str) -> dict[str, Any]:
    """Everything the results page shows, read through the selectors."""
    result = selectors.round_result(round_=round_)
    if result is None:
        return {"result": None}
    instrument = result.instrument
    region = selectors.region_comparison(round_=round_)
    previous = selectors.previous(round_=round_)
    previous_result = selectors.round_result(round_=previous) if previous else None
    other = selectors.counterpart(round_=round_)
    other_result = selectors.round_result(round_=other) if other else None
    rows = []
    for dimension in instrument.dimensions:
        score = result.result.dimensions[dimension.key]
        before = previous_result.result.dimensions[dimension.key] if previous_result else None
        theirs = other_result.result.dimensions[dimension.key] if other_result else None
        rows.append(
            DimensionRow(
                name=dimension.name.get(language),
                score=score,
                previous=before.score if before else None,
                other=theirs.score if theirs else None,
                region=region.get(dimension.key),
                statements=[
                    StatementRow(
                        text=statement.text.get(language),
                        reverse=statement.reverse,
                        score=score.statements[statement.key],
                        distribution=result.distribution(statement.key),
                    )
                    for statement in dimension.statements
                ],
            )
        )
    chart = charts.bar_chart(
        [
            (row.name, row.score.score, row.region.median if row.region else None, row.previous)
            for row in rows
        ]
    )
    return {
        "result": result,
        "rows": rows,
        "chart": chart,
        "weakest": [
            instrument.dimension(d.key).name.get(language)
            for d in scoring.weakest(result.result, 3)
        ],
        "scale": [step.label.get(language) for step in instrument.scale.steps],
        "dont_know": instrument.scale.dont_know.get(language),
        "previous": previous,
        "other": other,
        "has_region": bool(region),
        "units": selectors.unit_breakdown(round_=round_),
        "dimension_names": [d.name.get(language) for d in instrument.dimensions],
        "dimension_keys": [d.key for d in instrument.dimensions],
        "level_name": result.result.level.name.get(language) if result.result.level else None,
        "level_description": (
            result.result.level.description.get(language) if result.result.level else None
        ),
        "quadrant": result.result.quadrant,
        "quadrant_name": (
            result.result.quadrant.name.get(language) if result.result.quadrant else None
        ),
        "quadrant_description": (
            result.result.quadrant.description.get(language) if result.result.quadrant else None
        ),
    }


def round_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    language = get_language() or "sv"
    context = _results_context(round_, language)
    context.update(
        {
            "breadcrumbs": _trail(request, municipality, Crumb(round_.title)),
            "municipality": municipality,
            "round": round_,
            "can_run": allowed(request.user, Perm.MATURITY_RUN, municipality),
            "min_group_size": min_group_size(),
            "response_rate": (
                round(100 * round_.response_count / round_.invited) if round_.invited else None
            ),
            "is_demo": round_.is_demo,
        }
    )
    return render(request, "maturity/round_detail.html", context)


def _dimension_step(round_: Round, step: int) -> tuple[Any, Any]:
    instrument = selectors.instrument_for(round_=round_)
    if not 1 <= step <= len(instrument.dimensions):
        raise Http404
    return instrument, instrument.dimensions[step - 1]


@require_http_methods(["GET", "POST"])
def consensus_answer(request: HttpRequest, code: str, pk: int, step: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_RUN)
    round_ = _round(municipality, pk)
    if round_.mode != Mode.CONSENSUS or not round_.is_open:
        return redirect("maturity:round_detail", code=code, pk=pk)
    instrument, dimension = _dimension_step(round_, step)
    stored = selectors.consensus_answers(round_=round_)
    initial: dict[str, str] = {}
    for statement in dimension.statements:
        value, why = stored.get(statement.key, (None, ""))
        if statement.key in stored:
            initial[statement.key] = str(value) if value is not None else DONT_KNOW
        initial[f"{statement.key}__why"] = why
    form = DimensionAnswersForm(
        request.POST or None,
        instrument=instrument,
        dimension=dimension,
        with_why=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        whys = form.whys()
        services.consensus_save(
            round_=round_, answers={k: (v, whys[k]) for k, v in form.answers().items()}
        )
        if step < len(instrument.dimensions):
            return redirect("maturity:consensus_answer", code=code, pk=pk, step=step + 1)
        messages.success(request, _("The group's answers are saved."))
        return redirect("maturity:round_detail", code=code, pk=pk)
    language = get_language() or "sv"
    return render(
        request,
        "maturity/answer_form.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(round_.title, reverse("maturity:round_detail", args=[code, pk])),
                Crumb(dimension.name.get(language)),
            ),
            "municipality": municipality,
            "round": round_,
            "form": form,
            "dimension_name": dimension.name.get(language),
            "dimension_description": dimension.description.get(language),
            "step": step,
            "steps": len(instrument.dimensions),
            "with_why": True,
            "is_demo": round_.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_RUN)
    round_ = _round(municipality, pk)
    if round_.mode != Mode.SURVEY:
        raise Http404
    form = TokensForm(request.POST or None)
    tokens: list[str] = []
    if request.method == "POST" and form.is_valid():
        tokens = services.tokens_issue(round_=round_, count=form.cleaned_data["count"])
        form = TokensForm()
    link = request.build_absolute_uri(reverse("maturity:survey_start", args=[round_.link_key]))
    personal = [
        request.build_absolute_uri(reverse("maturity:survey_token", args=[round_.link_key, token]))
        for token in tokens
    ]
    return render(
        request,
        "maturity/survey_link.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(round_.title, reverse("maturity:round_detail", args=[code, pk])),
                Crumb(_("Survey link")),
            ),
            "municipality": municipality,
            "round": round_,
            "link": link,
            "personal": personal,
            "form": form,
            "is_demo": round_.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_RUN)
    round_ = _round(municipality, pk)
    if request.method == "POST":
        services.round_close(round_=round_)
        messages.success(request, _("The round is closed; its results are final."))
        return redirect("maturity:round_detail", code=code, pk=pk)
    return render(
        request,
        "maturity/round_confirm_close.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(round_.title, reverse("maturity:round_detail", args=[code, pk])),
                Crumb(_("Close the round")),
            ),
            "municipality": municipality,
            "round": round_,
            "is_demo": round_.is_demo,
        },
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def round_export(request: HttpRequest, code: str, pk: int, kind: str, fmt: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    if fmt not in EXPORT_TYPES or kind not in ("scores", "responses"):
        raise Http404
    language = get_language() or "sv"
    if kind == "scores":
        table = exports.scores_table(round_=round_, language=language)
    else:
        table = exports.responses_table(round_=round_)
    if table is None:
        raise Http404  # too few survey responses to show anything
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = f"{municipality.code}-{round_.opened_on:%Y%m%d}-{round_.mode}-{kind}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def instrument_yaml(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The instrument version the round used, as the YAML it was published from."""
    municipality = _municipality(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    version = round_.instrument
    response = HttpResponse(version.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.instrument_id}-v{version.version}.yaml"'
    )
    return response


# The staff survey: public, anonymous. Progress lives in the respondent's session until the
# last page, where the whole response is submitted at once.


def _survey(link_key: str) -> Round:
    try:
        return selectors.round_by_link(link_key=link_key)
    except Round.DoesNotExist:
        raise Http404 from None


def _progress(request: HttpRequest, round_: Round) -> dict[str, Any]:
    key = f"survey:{round_.link_key}"
    progress: dict[str, Any] = request.session.get(key) or {}
    if "client_key" not in progress:
        progress.update(client_key=secrets.token_urlsafe(32), answers={}, token=None)
        request.session[key] = progress
    return progress


def _save_progress(request: HttpRequest, round_: Round, progress: dict[str, Any]) -> None:
    request.session[f"survey:{round_.link_key}"] = progress


@login_not_required
def survey_start(request: HttpRequest, link_key: str) -> HttpResponse:
    round_ = _survey(link_key)
    instrument = selectors.instrument_for(round_=round_)
    return render(
        request,
        "maturity/survey_start.html",
        {
            "round": round_,
            "municipality": round_.municipality,
            "instrument": instrument,
            "steps": len(instrument.dimensions) + 1,
            "statements": len(instrument.statements()),
            "refused": _closed_message(round_)
            or (
                _("You have already answered this survey.")
                if request.session.get(f"survey:{round_.link_key}", {}).get("done")
                else None
            ),
        },
    )


def _closed_message(round_: Round) -> str | None:
    if not round_.is_open:
        return _("The survey is closed; thank you for your interest.")
    return None


@login_not_required
def survey_token(request: HttpRequest, link_key: str, token: str) -> HttpResponse:
    round_ = _survey(link_key)
    progress = _progress(request, round_)
    progress["token"] = token
    _save_progress(request, round_, progress)
    return redirect("maturity:survey_start", link_key=link_key)


@login_not_required
@require_http_methods(["GET", "POST"])
def survey_step(request: HttpRequest, link_key: str, step: int) -> HttpResponse:
    round_ = _survey(link_key)
    if not round_.is_open:
        return redirect("maturity:survey_start", link_key=link_key)
    instrument = selectors.instrument_for(round_=round_)
    progress = _progress(request, round_)
    last = len(instrument.dimensions) + 1
    if not 1 <= step <= last:
        raise Http404
    language = get_language() or "sv"
    context: dict[str, Any] = {
        "round": round_,
        "municipality": round_.municipality,
        "step": step,
        "steps": last,
    }
    if step == last:
        form: Any = FinishSurveyForm(
            request.POST or None, units=selectors.units_for(municipality=round_.municipality)
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_submit(
                    round_=round_,
                    answers=progress["answers"],
                    unit=form.cleaned_data["unit"],
                    token=progress.get("token"),
                    client_key=progress["client_key"],
                )
            except services.SurveyRefusedError as refusal:
                form.add_error(None, str(refusal))
            else:
                # Keep the browser's key, so the open link takes one response per browser.
                _save_progress(request, round_, {**progress, "answers": {}, "done": True})
                return redirect("maturity:survey_thanks", link_key=link_key)
        context.update(form=form, answered=sum(v is not None for v in progress["answers"].values()))
        return render(request, "maturity/survey_finish.html", context)
    _dimension, dimension = _dimension_step(round_, step)
    initial = {
        s.key: (str(progress["answers"][s.key]) if progress["answers"][s.key] else DONT_KNOW)
        for s in dimension.statements
        if s.key in progress["answers"]
    }
    form = DimensionAnswersForm(
        request.POST or None, instrument=instrument, dimension=dimension, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        progress["answers"].update(form.answers())
        _save_progress(request, round_, progress)
        return redirect("maturity:survey_step", link_key=link_key, step=step + 1)
    context.update(
        form=form,
        dimension_name=dimension.name.get(language),
        dimension_description=dimension.description.get(language),
        with_why=False,
    )
    return render(request, "maturity/answer_form.html", context)


@login_not_required
def survey_thanks(request: HttpRequest, link_key: str) -> HttpResponse:
    round_ = _survey(link_key)
    return render(
        request,
        "maturity/survey_thanks.html",
        {"round": round_, "municipality": round_.municipality},
    )
