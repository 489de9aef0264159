"""The material library: a programme's reading, slides, podcasts and links per workshop, and the
files the facilitators upload (served only through here, to those who may see the programme)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed

from .. import library, selectors
from ..access import programme_for, programme_trail
from ..forms_library import MaterialFilterForm, MaterialForm
from ..models import Material, Programme, Workshop


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _list_url(programme: Programme, workshop: Workshop | None = None) -> str:
    url = reverse("programme:material", args=[programme.pk])
    return f"{url}#workshop-{workshop.number}" if workshop else url


def _trail(request: HttpRequest, programme: Programme, *rest: Crumb) -> list[Crumb]:
    """[Region's programmes >] programme > Material > rest; the last crumb is not a link."""
    try:
        trail = programme_trail(request, programme)
    except NoReverseMatch:  # the programme's own page is not there yet: name it, unlinked
        trail = [Crumb(programme.name)]
    trail.append(Crumb(_("Material"), _list_url(programme)))
    trail += rest
    return [*trail[:-1], Crumb(trail[-1].label)]


def _material(programme: Programme, pk: int) -> Material:
    try:
        return library.material_get(programme=programme, pk=pk)
    except Material.DoesNotExist:
        raise Http404 from None


@require_GET
def material(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_VIEW)
    workshops = list(selectors.programme_workshops(programme=programme))
    filters = MaterialFilterForm(request.GET, workshops=workshops)
    number, kind, language = None, "", ""
    if filters.is_valid():
        number = filters.cleaned_data["workshop"] or None
        kind, language = filters.cleaned_data["kind"], filters.cleaned_data["language"]
    sections = library.material_sections(
        programme=programme, workshop=number, kind=kind, language=language
    )
    return render(
        request,
        "programme/library/material_list.html",
        {
            "breadcrumbs": _trail(request, programme),
            "programme": programme,
            "region": programme.region,
            "sections": sections,
            "filters": filters,
            "filtered": bool(number or kind or language),
            "found": sum(len(section.materials) for section in sections),
            "can_add": allowed(request.user, Perm.PROGRAMME_FACILITATE, programme),
        },
    )


@require_http_methods(["GET", "POST"])
def material_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_FACILITATE)
    workshop = selectors.programme_workshops(programme=programme).filter(number=number).first()
    if workshop is None:
        raise Http404
    posted = request.method == "POST"  # bound even when empty, so an empty post shows errors
    form = MaterialForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = library.material_add(
                workshop=workshop,
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
                title_sv=form.cleaned_data["title_sv"],
                title_en=form.cleaned_data["title_en"],
                url=form.cleaned_data["url"],
                file=form.cleaned_data["file"],
                added_by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” has been added to %(workshop)s.")
                % {"title": added.title, "workshop": workshop.label},
            )
            return redirect(_list_url(programme, workshop))
    chosen = request.FILES.get("file")
    if form.errors and chosen is not None and not form.has_error("file"):
        # A browser never keeps a chosen file when the page comes back: say so where it matters.
        field = form["file"]  # the bound field: it has its own copy of the help text
        field.help_text = format_html(
            "<strong>{}</strong> {}",
            _("You chose “%(name)s”: choose it again before you send, the page cannot keep it.")
            % {"name": library.file_name(chosen.name or "")},
            field.help_text,
        )
    return render(
        request,
        "programme/library/material_form.html",
        {
            "breadcrumbs": _trail(
                request, programme, Crumb(_("Add material to %(w)s") % {"w": workshop.label})
            ),
            "programme": programme,
            "region": programme.region,
            "workshop": workshop,
            "form": form,
            "cancel_url": _list_url(programme, workshop),
        },
    )


@require_GET
def material_file(request: HttpRequest, pk: int, material_pk: int) -> FileResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_VIEW)
    item = _material(programme, material_pk)
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.filename or item.file.name.rsplit("/", 1)[-1],
        content_type=item.content_type or "application/octet-stream",
    )
    # The type is the one we checked, never guessed again by the browser; always a download.
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


@require_http_methods(["GET", "POST"])
def material_remove(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    programme = programme_for(request, pk, Perm.PROGRAMME_FACILITATE)
    item = _material(programme, material_pk)
    if request.method == "POST":
        title, workshop = item.title, item.workshop
        library.material_remove(material=item)
        messages.success(request, _("“%(title)s” has been removed.") % {"title": title})
        return redirect(_list_url(programme, workshop))
    return render(
        request,
        "programme/library/material_confirm_remove.html",
        {
            "breadcrumbs": _trail(request, programme, Crumb(_("Remove material"))),
            "programme": programme,
            "region": programme.region,
            "material": item,
            "cancel_url": _list_url(programme, item.workshop),
        },
    )
