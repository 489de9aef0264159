"""Scanning pages: signals.

The signals list shows what a municipality's group sees (its own signals and those of its
region's curated feeds), newest first, with the waves suggested for each and the ones the group
confirmed. Confirming works as a plain form; with htmx, the one signal is replaced in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail
from forandra.municipalities.models import Municipality

from .. import selectors, services
from ..forms import SignalFilterForm, SignalForm, SignalWavesForm
from ..models import Signal, Wave

PER_PAGE = 25
SUMMARY_WORDS = 60  # of a feed item's summary in the list; the source has the rest


@dataclass(frozen=True)
class Suggested:
    wave: Wave
    percent: int


@dataclass(frozen=True)
class SignalRow:
    """A signal as the list shows it."""

    signal: Signal
    href: str  # the link to the source, only if it is an http(s) address
    noted_by: str  # who wrote a manual signal down, "" for a feed item
    duration: str  # a podcast episode's length, written out
    suggested: list[Suggested]
    confirmed: list[Wave]
    checked: frozenset[str]  # the wave keys the form starts with

    @property
    def is_confirmed(self) -> bool:
        return self.signal.confirmed_at is not None


def _is_web_address(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _duration(seconds: int | None) -> str:
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": seconds}


def _row(
    signal: Signal, waves: dict[str, Wave], checked: frozenset[str] | None = None
) -> SignalRow:
    suggested = [
        Suggested(waves[key], round(100 * float(score)))
        for key, score in signal.suggestions
        if key in waves
    ]
    confirmed = list(signal.waves.all())  # prefetched by selectors.signals_for
    if checked is None:
        if signal.confirmed_at is not None:
            checked = frozenset(wave.key for wave in confirmed)
        else:
            # Only the best suggestion starts checked: a confirmation teaches the classifier, so
            # a wave the group did not mean must not slip in by a click on "Save".
            checked = frozenset(s.wave.key for s in suggested[:1])
    author = signal.added_by
    noted_by = ""
    if signal.feed_id is None:
        noted_by = (author.get_full_name() or author.username) if author else _("a group member")
    return SignalRow(
        signal=signal,
        href=signal.link if _is_web_address(signal.link) else "",
        noted_by=noted_by,
        duration=_duration(signal.duration_seconds),
        suggested=suggested,
        confirmed=confirmed,
        checked=checked,
    )


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Signals > rest; the list page's own crumb is not a link."""
    trail = [
        *municipality_trail(request, municipality),
        *crumbs((_("Signals"), "scanning:signal_list", (municipality.code,))),
    ]
    if not rest:
        return [*trail[:-1], Crumb(trail[-1].label)]
    return trail + list(rest)


def _signal(municipality: Municipality, pk: int) -> Signal:
    try:
        return selectors.signal_list(municipality=municipality).get(pk=pk)
    except Signal.DoesNotExist:
        raise Http404 from None


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def signal_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    waves = list(selectors.waves_for(region=municipality.region))
    by_key = {wave.key: wave for wave in waves}
    filters = SignalFilterForm(request.GET, waves=waves)
    wave, unconfirmed = "", False
    if filters.is_valid():
        wave, unconfirmed = filters.cleaned_data["wave"], filters.cleaned_data["unconfirmed"]
    page: Page[Signal] = Paginator(
        selectors.signal_list(municipality=municipality, wave=wave, unconfirmed=unconfirmed),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    rows = [_row(signal, by_key) for signal in page.object_list]
    query = urlencode(
        {k: v for k, v in (("wave", wave), ("unconfirmed", unconfirmed and "on")) if v}
    )
    return render(
        request,
        "scanning/signal_list.html",
        {
            "breadcrumbs": _trail(request, municipality),
            "municipality": municipality,
            "waves": waves,
            "filters": filters,
            "filtered": bool(wave or unconfirmed),
            "page": page,
            "rows": rows,
            "query": query,
            "next": request.get_full_path(),
            "can_edit": allowed(request.user, Perm.SCANNING_EDIT, municipality),
            "is_demo": any(row.signal.is_demo for row in rows),
        },
    )


@require_http_methods(["GET", "POST"])
def signal_add(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.SCANNING_EDIT)
    form = SignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signal = services.signal_add(
                municipality=municipality, added_by=_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” has been noted. Check the waves suggested for it.")
                % {"title": signal.title},
            )
            url = reverse("scanning:signal_list", args=[code])
            return redirect(f"{url}#signal-{signal.pk}")
    return render(
        request,
        "scanning/signal_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Note a signal"))),
            "municipality": municipality,
            "form": form,
        },
    )


def _next(request: HttpRequest, municipality: Municipality) -> str:
    """Where to go back to after a plain (not htmx) save: the list page the form was on."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    list_url = reverse("scanning:signal_list", args=[municipality.code])
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith(list_url) else list_url


@require_http_methods(["GET", "POST"])
def signal_confirm(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The waves of one signal: a page of its own (GET, or a refused POST without htmx), a
    redirect back to the list after a plain POST, or with htmx the signal's fragment."""
    municipality = municipality_for(request, code, Perm.SCANNING_EDIT)
    signal = _signal(municipality, pk)
    waves = list(selectors.waves_for(region=municipality.region))
    by_key = {wave.key: wave for wave in waves}
    form = SignalWavesForm(request.POST or None, waves=waves)
    back = _next(request, municipality)
    context: dict[str, Any] = {"municipality": municipality, "waves": waves, "next": back}
    saved = False
    if request.method == "POST":
        if form.is_valid():
            try:
                services.signal_confirm(signal=signal, waves=form.chosen(), by=_user(request))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                saved = True
        if saved and not _is_htmx(request):
            messages.success(
                request, _("The waves of “%(title)s” are saved.") % {"title": signal.title}
            )
            return redirect(f"{back}#signal-{signal.pk}")
        if saved:
            signal = _signal(municipality, pk)  # the confirmed waves, read again
    checked = None
    if request.method == "POST" and not saved:
        checked = frozenset(key for key in request.POST.getlist("waves") if key in by_key)
    context.update(
        {
            "row": _row(signal, by_key, checked),
            "can_edit": True,
            "open": True,
            "saved": saved,
            "errors": [error for errors in form.errors.values() for error in errors],
        }
    )
    if _is_htmx(request):
        return render(request, "scanning/partials/signal_item.html", context)
    return render(
        request,
        "scanning/signal_confirm.html",
        {
            **context,
            "breadcrumbs": _trail(request, municipality, Crumb(signal.title)),
            "form": form,
            "is_demo": signal.is_demo,
        },
    )
