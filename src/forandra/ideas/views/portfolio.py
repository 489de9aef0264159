"""Portfolio pages: the saved versions, running a new one, and one version with its reasons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from .. import portfolio as service
from ..forms_portfolio import (
    CountFormSet,
    ExclusiveFormSet,
    PortfolioForm,
    RequiresFormSet,
    rules_from,
)
from ..models import Portfolio


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Portfolios > rest."""
    url = reverse("ideas:portfolio_list", args=[municipality.code])
    trail = [*municipality_trail(request, municipality), Crumb(_("Portfolios"), url)]
    if not rest:
        return [*trail[:-1], Crumb(trail[-1].label)]
    return trail + list(rest)


def portfolio_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    portfolios = list(service.portfolios_for(municipality=municipality))
    return render(
        request,
        "ideas/portfolio/portfolio_list.html",
        {
            "municipality": municipality,
            "breadcrumbs": _trail(request, municipality),
            "portfolios": portfolios,
            "can_edit": allowed(request.user, Perm.IDEAS_EDIT, municipality),
            "is_demo": any(p.is_demo for p in portfolios),
        },
    )


def _errors(*forms: Any) -> list[tuple[str, str]]:
    """(link target, message) for every error of the forms, for the error summary."""
    found: list[tuple[str, str]] = []
    for form in forms:
        for error in form.non_field_errors():
            found.append(("", str(error)))
        for field in form:
            for error in field.errors:
                target = field.auto_id
                if field.field.widget.__class__.__name__ == "CheckboxSelectMultiple":
                    target += "_0"
                found.append((target, f"{field.label}: {error}"))
    return found


@require_http_methods(["GET", "POST"])
def portfolio_new(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_EDIT)
    ideas = list(service.candidates(municipality=municipality))
    idea_choices = [(idea.pk, idea.title) for idea in ideas]
    names = service.tag_names(municipality=municipality)
    weakest = service.weakest_dimensions(municipality=municipality)
    dimension_names = service.dimension_names()
    if weakest:
        weakest_help = _("From the latest maturity round: %(names)s.") % {
            "names": ", ".join(dimension_names.get(key, key) for key in weakest)
        }
    else:
        weakest_help = _(
            "Not available: the municipality has no closed maturity round with results yet."
        )
    data = request.POST if request.method == "POST" else None
    form = PortfolioForm(
        data, ideas=idea_choices, weakest_help=weakest_help, weakest_available=bool(weakest)
    )
    tags = sorted(names.items(), key=lambda item: (not item[0].startswith("wave:"), item[1]))
    counts = CountFormSet(data, prefix="counts", form_kwargs={"tags": tags})
    exclusive = ExclusiveFormSet(data, prefix="exclusive", form_kwargs={"ideas": idea_choices})
    requires = RequiresFormSet(data, prefix="requires", form_kwargs={"ideas": idea_choices})
    conflicts: list[str] = []
    if data is not None and all(f.is_valid() for f in (form, counts, exclusive, requires)):
        rules = rules_from(form, counts, exclusive, requires, weakest=weakest)
        try:
            saved = service.run(
                municipality=municipality,
                rules=rules,
                title=form.cleaned_data["title"],
                created_by=request.user if isinstance(request.user, User) else None,
            )
        except service.PortfolioInfeasible as error:
            conflicts = error.conflicts
            form.add_error(
                None,
                _("No selection of ideas can keep all of these rules at once."),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Version %(version)s has been saved.") % {"version": saved.version}
            )
            return redirect("ideas:portfolio_detail", code=municipality.code, version=saved.version)
    errors = _errors(form, *counts, *exclusive, *requires)
    errors += [("", str(e)) for fs in (counts, exclusive, requires) for e in fs.non_form_errors()]
    return render(
        request,
        "ideas/portfolio/portfolio_new.html",
        {
            "municipality": municipality,
            "breadcrumbs": _trail(request, municipality, Crumb(_("Run a new portfolio"))),
            "form": form,
            "counts": counts,
            "exclusive": exclusive,
            "requires": requires,
            "errors": errors,
            "conflicts": conflicts,
            "has_ideas": bool(ideas),
        },
    )


def portfolio_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.IDEAS_VIEW)
    try:
        portfolio = service.portfolio_get(municipality=municipality, version=version)
    except Portfolio.DoesNotExist:
        raise Http404 from None
    rows = service.choice_rows(portfolio=portfolio)
    titles = {row.idea.pk: row.idea.title for row in rows}
    rules = service.Rules.from_json(portfolio.constraints)
    result = portfolio.result
    points = result.get("curve", [])
    curve_rows = []
    previous = None
    for budget, value in points:
        curve_rows.append((budget, value, None if previous is None else value - previous))
        previous = value
    return render(
        request,
        "ideas/portfolio/portfolio_detail.html",
        {
            "municipality": municipality,
            "breadcrumbs": _trail(
                request, municipality, Crumb(_("Version %(v)s") % {"v": portfolio.version})
            ),
            "portfolio": portfolio,
            "result": result,
            "rules": rules,
            "rules_in_words": service.rules_in_words(
                rules, titles=titles, names=service.tag_names(municipality=municipality)
            ),
            "chosen": [row for row in rows if row.selected],
            "left_out": [row for row in rows if not row.selected],
            "chart": service.curve_chart(points, budget=rules.budget),
            "curve_rows": curve_rows,
            "can_edit": allowed(request.user, Perm.IDEAS_EDIT, municipality),
            "is_demo": portfolio.is_demo,
        },
    )
