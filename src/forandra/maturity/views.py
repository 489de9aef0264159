"""Pages for maturity rounds: the group's (signed in) and the staff survey (public link)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
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
from forandra.core.permissions import Perm, allowed
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from . import exports, report, results, selectors, services
from .forms import (
    DONT_KNOW,
    DimensionAnswersForm,
    RoundForm,
    SurveyForm,
    TokensForm,
    survey_answers,
)
from .models import Mode, Round, min_group_size


def _round(municipality: Municipality, pk: int) -> Round:
    try:
        return selectors.round_get(municipality=municipality, pk=pk)
    except Round.DoesNotExist:
        raise Http404 from None


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    return [
        *municipality_trail(request, municipality),
        *crumbs((_("Digital maturity"), "maturity:round_list", (municipality.code,))),
        *rest,
    ]


def round_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
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
    municipality = municipality_for(request, code, Perm.MATURITY_RUN)
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


def round_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    language = get_language() or "sv"
    context = results.results_context(round_=round_, language=language)
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
    municipality = municipality_for(request, code, Perm.MATURITY_RUN)
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
    municipality = municipality_for(request, code, Perm.MATURITY_RUN)
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
    municipality = municipality_for(request, code, Perm.MATURITY_RUN)
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
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
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
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    version = round_.instrument
    response = HttpResponse(version.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.instrument_id}-v{version.version}.yaml"'
    )
    return response


def round_report_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The round's results as a PDF report, in the reader's language."""
    municipality = municipality_for(request, code, Perm.MATURITY_VIEW)
    round_ = _round(municipality, pk)
    body = report.results_pdf(round_, language=get_language() or "sv")
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"{municipality.code}-{round_.opened_on:%Y%m%d}-{round_.mode}-report.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The staff survey: public and anonymous. The whole survey is one form, shown part by part in the
# browser (which also keeps the answers given so far, see forandra.js); the server sees one POST
# per response. A random key in a cookie of the survey's own path lets an open link take one
# response per browser, without a session.

CLIENT_COOKIE = "forandra_survey"
CLIENT_COOKIE_AGE = 400 * 24 * 3600


def _survey(link_key: str) -> Round:
    try:
        return selectors.round_by_link(link_key=link_key)
    except Round.DoesNotExist:
        raise Http404 from None


def _closed_message(round_: Round) -> str | None:
    if not round_.is_open:
        return _("The survey is closed; thank you for your interest.")
    return None


def _submit(
    round_: Round, answers: dict[str, int | None], unit: Any, token: str | None, client_key: str
) -> str | None:
    """Store one response; the reason when it is refused."""
    try:
        services.survey_submit(
            round_=round_, answers=answers, unit=unit, token=token, client_key=client_key
        )
    except services.SurveyRefusedError as refusal:
        return str(refusal)
    return None


def _answer_survey(request: HttpRequest, link_key: str, token: str | None) -> HttpResponse:
    round_ = _survey(link_key)
    instrument = selectors.instrument_for(round_=round_)
    client_key = request.COOKIES.get(CLIENT_COOKIE, "")
    if not 20 <= len(client_key) <= 43:
        client_key = secrets.token_urlsafe(32)
    refused = _closed_message(round_) or selectors.survey_refusal(
        round_=round_, token=token, client_key=client_key
    )
    language = get_language() or "sv"
    units = municipality_selectors.unit_list(municipality=round_.municipality)
    posted = request.method == "POST" and not refused
    refusal: str | None = None
    if posted:
        answers = survey_answers(instrument, request.POST)
        unit_id = request.POST.get("unit", "")
        unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else None
        if answers is not None and (unit is not None or not unit_id):
            # The usual case, read without the form; anything else goes through the form below.
            refusal = _submit(round_, answers, unit, token, client_key)
            if refusal is None:
                return redirect("maturity:survey_thanks", link_key=link_key)
    form = SurveyForm(
        request.POST if posted else None,
        instrument=instrument,
        units=units,
        with_statements=posted,  # an empty page takes its statements from the cache
    )
    if refusal is None and form.is_bound and form.is_valid():
        refusal = _submit(round_, form.answers(), form.cleaned_data["unit"], token, client_key)
        if refusal is None:
            return redirect("maturity:survey_thanks", link_key=link_key)
    if refusal is not None:
        form.add_error(None, refusal)

    def parts() -> list[tuple[str, str, list[Any]]]:
        source = form if posted else SurveyForm(instrument=instrument, units=units)
        return [
            (dimension.name.get(language), dimension.description.get(language), fields)
            for dimension, fields in source.parts()
        ]

    response = render(
        request,
        "maturity/survey.html",
        {
            "round": round_,
            "municipality": round_.municipality,
            "instrument": instrument,
            "form": form,
            "parts": parts,  # called by the template only when the cache lacks the statements
            "steps": len(instrument.dimensions) + 1,
            "statements": len(instrument.statements()),
            "refused": refused,
            "has_units": units.exists(),
            "storage_key": f"{round_.link_key}:{token or ''}",
        },
    )
    if request.COOKIES.get(CLIENT_COOKIE) != client_key:
        response.set_cookie(
            CLIENT_COOKIE,
            client_key,
            max_age=CLIENT_COOKIE_AGE,
            path=reverse("maturity:survey_start", args=[link_key]),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def survey_start(request: HttpRequest, link_key: str) -> HttpResponse:
    return _answer_survey(request, link_key, token=None)


@login_not_required
@require_http_methods(["GET", "POST"])
def survey_token(request: HttpRequest, link_key: str, token: str) -> HttpResponse:
    return _answer_survey(request, link_key, token=token)


@login_not_required
def survey_thanks(request: HttpRequest, link_key: str) -> HttpResponse:
    round_ = _survey(link_key)
    return render(
        request,
        "maturity/survey_thanks.html",
        {"round": round_, "municipality": round_.municipality},
    )
