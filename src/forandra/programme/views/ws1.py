"""Workshop 1 pages: a group's shared concepts (its own definitions and who agrees) and its board
of what digitalisation means for the community.

Both pages are live: a hidden element polls a `live` URL every two seconds with the fingerprint
of each region the page shows; the answer holds only the regions that changed (htmx swaps them
in "out of band", inside their containers, so no form anyone is typing in is touched), or
"204 No Content" when nothing did. A short status line, read out by screen readers, says what
changed. Without script the forms post and come back to the page with a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb
from forandra.core.permissions import Perm, allowed

from .. import ws1
from ..access import ProgrammeGroup, programme_group_for, programme_trail
from ..forms_ws1 import BoardNoteForm, DefinitionForm, MarkForm
from ..glossary import default_glossary
from ..models import BoardNote, Programme

POLL_SECONDS = 2

# --- Live regions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveRegion:
    """A part of a page that the poll keeps up to date: its element id, the fingerprint of what
    it shows, and the template (with its context) that renders its inside."""

    id: str
    version: str
    template: str
    context: dict[str, Any]
    # What the status line says when this region changed; empty: nothing.
    announce: str = ""


def region_html(request: HttpRequest, region: LiveRegion, **extra: Any) -> SafeString:
    """The inside of a live region, with the hidden field that carries its fingerprint."""
    return mark_safe(  # noqa: S308 (our own template's output, escaped where it renders data)
        render_to_string(
            region.template,
            {**region.context, **extra, "live_id": region.id, "live_version": region.version},
            request=request,
        )
    )


def live_response(
    request: HttpRequest, regions: Iterable[LiveRegion], *, summary: str = ""
) -> HttpResponse:
    """The regions whose fingerprint differs from what the page sent, swapped out of band; 204
    when none did. `summary` (with "%(changes)s") frames what the status line announces."""
    changed = [r for r in regions if request.GET.get(f"v-{r.id}") != r.version]
    if not changed:
        return HttpResponse(status=204)
    parts = [
        format_html('<div id="{}" hx-swap-oob="innerHTML">{}</div>', r.id, region_html(request, r))
        for r in changed
    ]
    said = [r.announce for r in changed if r.announce]
    if said:
        text = "; ".join(said)
        parts.append(
            format_html(
                '<div id="live-status" hx-swap-oob="innerHTML">{}</div>',
                summary % {"changes": text} if summary else text,
            )
        )
    return HttpResponse("\n".join(parts))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def page_url(name: str, *args: object) -> str | None:
    """The address of a page that may not exist yet (another part of the programme's pages)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _trail(request: HttpRequest, place: ProgrammeGroup, here: str) -> list[Crumb]:
    """Programme > group > here."""
    return [
        *trail_to_programme(request, place.programme),
        Crumb(
            place.group.municipality.name,
            page_url("programme:group_detail", place.programme.pk, place.group.municipality.code),
        ),
        Crumb(here),
    ]


def trail_to_programme(request: HttpRequest, programme: Programme) -> list[Crumb]:
    """The trail to the programme's page, or its name alone while that page is not there."""
    try:
        return programme_trail(request, programme)
    except NoReverseMatch:
        return [Crumb(programme.name)]


def _now_region(place: ProgrammeGroup) -> LiveRegion:
    now = ws1.group_now_step(programme=place.programme, group=place.group)
    return LiveRegion(
        id="now-step",
        version=now.version if now else "",
        template="programme/ws1/partials/now_step.html",
        context={"now": now},
        announce=(_("Now: %(step)s") % {"step": now.step.title}) if now else "",
    )


# --- Shared concepts ------------------------------------------------------------------------------


def _term_context(place: ProgrammeGroup, request: HttpRequest) -> dict[str, Any]:
    return {
        "place": place,
        "programme": place.programme,
        "code": place.group.municipality.code,
        "can_work": allowed(request.user, Perm.PROGRAMME_GROUP_WORK, place),
    }


def _term_region(row: ws1.TermRow, context: dict[str, Any]) -> LiveRegion:
    return LiveRegion(
        id=f"term-{row.key}-live",
        version=row.version,
        template="programme/ws1/partials/term_live.html",
        context={**context, "row": row},
        announce=row.name,
    )


def _concepts_page(
    request: HttpRequest,
    place: ProgrammeGroup,
    *,
    bound: tuple[str, DefinitionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = ws1.concepts_rows(programme=place.programme, group=place.group, user=_user(request))
    context = _term_context(place, request)
    terms = []
    for row in rows:
        if bound is not None and bound[0] == row.key:
            form = bound[1]
        else:
            form = DefinitionForm(
                prefix=row.key,
                term_name=row.name,
                initial={
                    "text": row.definition.text if row.definition else "",
                    "revision": row.revision,
                },
            )
        region = _term_region(row, context)
        terms.append(
            {"row": row, "form": form, "id": region.id, "html": region_html(request, region)}
        )
    now = _now_region(place)
    return render(
        request,
        "programme/ws1/concepts.html",
        {
            **context,
            "breadcrumbs": _trail(request, place, _("Shared concepts")),
            "municipality": place.group.municipality,
            "group": place.group,
            "terms": terms,
            "defined": sum(1 for row in rows if row.definition),
            "now_html": region_html(request, now),
            "form": bound[1] if bound else None,
            "open_term": bound[0] if bound else "",
            "poll_seconds": POLL_SECONDS,
            "board_url": reverse(
                "programme:board", args=[place.programme.pk, place.group.municipality.code]
            ),
        },
        status=status,
    )


@require_GET
def concepts(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    return _concepts_page(request, place)


@require_GET
def concepts_live(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The regions of the concepts page that changed since the page's fingerprints."""
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    context = _term_context(place, request)
    rows = ws1.concepts_rows(programme=place.programme, group=place.group, user=_user(request))
    return live_response(
        request,
        [_now_region(place), *(_term_region(row, context) for row in rows)],
        summary=_("Updated: %(changes)s"),
    )


def _term_or_404(term_key: str) -> None:
    if term_key not in default_glossary().keys:
        raise Http404


def _back_to_term(place: ProgrammeGroup, term_key: str) -> str:
    url = reverse("programme:concepts", args=[place.programme.pk, place.group.municipality.code])
    return f"{url}#term-{term_key}"


@require_POST
def concepts_define(request: HttpRequest, pk: int, code: str, term_key: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_WORK)
    _term_or_404(term_key)
    term = default_glossary().term(term_key)
    name = term.term.get(request.LANGUAGE_CODE or "sv")
    form = DefinitionForm(request.POST, prefix=term_key, term_name=name)
    if form.is_valid():
        try:
            ws1.definition_set(
                programme=place.programme,
                group=place.group,
                term_key=term_key,
                text=form.cleaned_data["text"],
                by=_user(request),
                seen_revision=form.cleaned_data["revision"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            if any(e.code == "changed" for e in getattr(error, "error_dict", {}).get("text", [])):
                # Saving again replaces the newer text on purpose: the form now holds its
                # revision, and the writer's own text is kept in the field.
                current = ws1.group_definition(
                    programme=place.programme, group=place.group, term_key=term_key
                )
                data = request.POST.copy()
                data[f"{term_key}-revision"] = str(current.revision if current else 0)
                form.data = data
        else:
            messages.success(
                request,
                _(
                    "The group's definition of “%(term)s” is saved. Each participant now marks "
                    "whether they agree with it."
                )
                % {"term": name},
            )
            return redirect(_back_to_term(place, term_key))
    return _concepts_page(request, place, bound=(term_key, form))


@require_POST
def concepts_mark(request: HttpRequest, pk: int, code: str, term_key: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_WORK)
    _term_or_404(term_key)
    user = _user(request)
    definition = ws1.group_definition(
        programme=place.programme, group=place.group, term_key=term_key
    )
    form = MarkForm(request.POST)
    problem = ""
    if definition is None:
        problem = _("The group has not written a definition of this term yet.")
    elif not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        assert user is not None  # the permission needs a signed-in user
        try:
            ws1.definition_mark(
                definition=definition,
                user=user,
                agrees=form.cleaned_data["agrees"],
                seen_revision=form.cleaned_data["revision"],
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
    if _is_htmx(request):
        row = next(
            r
            for r in ws1.concepts_rows(programme=place.programme, group=place.group, user=user)
            if r.key == term_key
        )
        region = _term_region(row, _term_context(place, request))
        return HttpResponse(region_html(request, region, mark_problem=problem, marked=not problem))
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Your mark is saved."))
    return redirect(_back_to_term(place, term_key))


# --- The community board --------------------------------------------------------------------------


def _board_region(request: HttpRequest, place: ProgrammeGroup) -> LiveRegion:
    columns = ws1.board_columns(programme=place.programme, group=place.group)
    return LiveRegion(
        id="board-live",
        version=ws1.board_version(columns),
        template="programme/ws1/partials/board_live.html",
        context={
            "columns": columns,
            "place": place,
            "programme": place.programme,
            "code": place.group.municipality.code,
            "can_work": allowed(request.user, Perm.PROGRAMME_GROUP_WORK, place),
            "can_manage": allowed(request.user, Perm.PROGRAMME_FACILITATE, place.programme),
            "user_id": getattr(request.user, "pk", None),
        },
        announce=_("the board"),
    )


def _board_page(
    request: HttpRequest, place: ProgrammeGroup, form: BoardNoteForm | None = None
) -> HttpResponse:
    board = _board_region(request, place)
    return render(
        request,
        "programme/ws1/board.html",
        {
            "breadcrumbs": _trail(request, place, _("Our community board")),
            "municipality": place.group.municipality,
            "group": place.group,
            "programme": place.programme,
            "code": place.group.municipality.code,
            "can_work": board.context["can_work"],
            "form": form if form is not None else BoardNoteForm(),
            "board_html": region_html(request, board),
            "now_html": region_html(request, _now_region(place)),
            "poll_seconds": POLL_SECONDS,
            "concepts_url": reverse(
                "programme:concepts", args=[place.programme.pk, place.group.municipality.code]
            ),
        },
    )


@require_GET
def board(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    return _board_page(request, place)


@require_GET
def board_live(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_VIEW)
    return live_response(
        request,
        [_now_region(place), _board_region(request, place)],
        summary=_("Updated: %(changes)s"),
    )


@require_POST
def board_add(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_WORK)
    form = BoardNoteForm(request.POST)
    if form.is_valid():
        try:
            note = ws1.board_note_add(
                programme=place.programme,
                group=place.group,
                column=form.cleaned_data["column"],
                text=form.cleaned_data["text"],
                by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Your note is on the board under %(column)s.")
                % {"column": note.get_column_display()},
            )
            url = reverse("programme:board", args=[pk, code])
            return redirect(f"{url}#note-{note.pk}")
    return _board_page(request, place, form)


def _note_for_removal(request: HttpRequest, place: ProgrammeGroup, note_pk: int) -> BoardNote:
    """The note, if the user may take it off: their own, or any for those who run the
    programme."""
    try:
        note = ws1.board_note_get(programme=place.programme, group=place.group, pk=note_pk)
    except BoardNote.DoesNotExist:
        raise Http404 from None
    own = note.written_by_id is not None and note.written_by_id == getattr(request.user, "pk", None)
    if not own and not allowed(request.user, Perm.PROGRAMME_FACILITATE, place.programme):
        raise PermissionDenied
    return note


@require_http_methods(["GET", "POST"])
def board_note_remove(request: HttpRequest, pk: int, code: str, note_pk: int) -> HttpResponse:
    """Take a note off the board, after asking on a page of its own."""
    place = programme_group_for(request, pk, code, Perm.PROGRAMME_GROUP_WORK)
    note = _note_for_removal(request, place, note_pk)
    board_url = reverse("programme:board", args=[pk, code])
    if request.method == "POST":
        ws1.board_note_remove(note=note)
        messages.success(request, _("The note is taken off the board."))
        return redirect(board_url)
    return render(
        request,
        "programme/ws1/board_note_remove.html",
        {
            "breadcrumbs": [
                *_trail(request, place, _("Our community board"))[:-1],
                Crumb(_("Our community board"), board_url),
                Crumb(_("Remove a note")),
            ],
            "municipality": place.group.municipality,
            "note": note,
            "written_by": ws1.user_name(note.written_by),
            "board_url": board_url,
        },
    )
