"""The leaders' learning path: its modules, each user's own notes, and (for the coordinator) how
the region's leadership takes part, in counts only: a note is read by its writer alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, is_admin, require
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import region_for
from forandra.municipalities.models import Region

from .. import learning_notes
from ..forms_library import LearningNoteForm
from ..learning import Module, ReadingKind, default_learning_path

READING_KINDS = {
    ReadingKind.ARTICLE: gettext_lazy("Article"),
    ReadingKind.REPORT: gettext_lazy("Report"),
    ReadingKind.BOOK: gettext_lazy("Book"),
    ReadingKind.LAW: gettext_lazy("Law"),
    ReadingKind.PODCAST: gettext_lazy("Podcast"),
    ReadingKind.VIDEO: gettext_lazy("Video"),
}
LANGUAGES = {"sv": gettext_lazy("Swedish"), "en": gettext_lazy("English")}


@dataclass(frozen=True)
class ModuleRow:
    """A module on the path's page, in the reader's language, with the user's progress."""

    key: str
    number: int
    title: str
    minutes: int
    done: bool
    has_note: bool


@dataclass(frozen=True)
class Source:
    """A source to read, watch or listen to; a link only when the path gives an address."""

    title: str
    by: str
    year: int | None
    kind: str | Promise
    language: str  # the source's own language, for `lang`
    language_name: str | Promise
    description: str
    url: str


@dataclass(frozen=True)
class ModulePage:
    number: int
    key: str
    title: str
    minutes: int
    introduction: str
    sources: tuple[Source, ...]
    questions: tuple[str, ...]
    note_prompt: str

    @property
    def has_unlinked(self) -> bool:
        return any(not source.url for source in self.sources)

    @classmethod
    def of(cls, module: Module, language: str) -> ModulePage:
        return cls(
            number=module.number,
            key=module.key,
            title=module.title.get(language),
            minutes=module.minutes,
            introduction=module.introduction.get(language),
            sources=tuple(
                Source(
                    title=r.title,
                    by=r.by,
                    year=r.year,
                    kind=READING_KINDS.get(r.kind, r.kind.value),
                    language=r.language,
                    language_name=LANGUAGES.get(r.language, r.language),
                    description=r.description.get(language),
                    url=r.url,
                )
                for r in module.reading
            ),
            questions=tuple(q.get(language) for q in module.questions),
            note_prompt=module.note_prompt.get(language),
        )


def _language() -> str:
    return get_language() or "sv"


def _user(request: HttpRequest) -> User:
    require(request.user, Perm.LEARNING_TAKE, None)
    assert isinstance(request.user, User)
    return request.user


def _path_crumb() -> Crumb:
    return Crumb(_("Leaders' learning path"), reverse("programme:learning_path"))


def _participation_regions(user: User) -> list[Region]:
    """The regions whose participation the user may see: an admin's every region, a
    coordinator's own."""
    if is_admin(user):
        regions = list(municipality_selectors.region_list())
    else:
        regions = [user.region] if user.region is not None else []
    return [region for region in regions if allowed(user, Perm.PROGRAMME_CREATE, region)]


@require_GET
def learning_path(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    path = default_learning_path()
    language = _language()
    rows = [
        ModuleRow(
            key=p.module.key,
            number=p.module.number,
            title=p.module.title.get(language),
            minutes=p.module.minutes,
            done=p.done,
            has_note=p.has_note,
        )
        for p in learning_notes.path_progress(user=user, path=path)
    ]
    return render(
        request,
        "programme/learning/path.html",
        {
            "breadcrumbs": [Crumb(_path_crumb().label)],
            "name": path.name.get(language),
            "description": path.description.get(language),
            "minutes": path.minutes,
            "rows": rows,
            "done": sum(1 for row in rows if row.done),
            "participation_regions": _participation_regions(user),
        },
    )


@require_http_methods(["GET", "POST"])
def learning_module(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    path = default_learning_path()
    module = learning_notes.module_get(key=key, path=path)
    if module is None:
        raise Http404
    record = learning_notes.note_get(user=user, module_key=module.key)
    language = _language()
    initial = {"note": record.note, "done": record.done_at is not None} if record else {}
    form = LearningNoteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        prompt=module.note_prompt.get(language),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = learning_notes.note_save(
                user=user,
                module_key=module.key,
                note=form.cleaned_data["note"],
                done=form.cleaned_data["done"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if saved.done_at is not None:
                messages.success(
                    request,
                    _("Saved. Module %(number)d is marked as done.") % {"number": module.number},
                )
                return redirect("programme:learning_path")
            messages.success(request, _("Your note is saved."))
            return redirect("programme:learning_module", key=module.key)
    index = path.modules.index(module)
    return render(
        request,
        "programme/learning/module.html",
        {
            "breadcrumbs": [_path_crumb(), Crumb(module.title.get(language))],
            "module": ModulePage.of(module, language),
            "modules": len(path.modules),
            "record": record,
            "form": form,
            "previous": _neighbour(path.modules, index - 1, language),
            "next": _neighbour(path.modules, index + 1, language),
        },
    )


def _neighbour(modules: tuple[Module, ...], index: int, language: str) -> ModuleRow | None:
    """The module before or after, for the links at the foot of a module."""
    if not 0 <= index < len(modules):
        return None
    module = modules[index]
    return ModuleRow(
        module.key, module.number, module.title.get(language), module.minutes, False, False
    )


@require_GET
def learning_participation(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.PROGRAMME_CREATE)
    participation = learning_notes.learning_participation(region=region)
    return render(
        request,
        "programme/learning/participation.html",
        {
            "breadcrumbs": [
                *crumbs((region.name, "municipalities:region_detail", (region.code,))),
                _path_crumb(),
                Crumb(_("Leaders' participation")),
            ],
            "region": region,
            "participation": participation,
            "modules": [m.title.get(_language()) for m in participation.path.modules],
        },
    )
