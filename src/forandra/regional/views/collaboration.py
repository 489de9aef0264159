"""Collaboration pages: alike initiatives and ideas across the region's municipalities, and the
joint initiatives that link them (the reads are in `regional.collaboration`, the writes in
`regional.joint`). What a viewer sees is decided by `visibility.sight_for`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import region_for
from forandra.municipalities.models import Region

from .. import collaboration, collaboration_items, joint
from ..forms_joint import JointForm
from ..models import JointInitiative
from ..visibility import Sight, sight_for


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every page here is for signed-in users
    return request.user


def _trail(region: Region, *rest: Crumb) -> list[Crumb]:
    """Region > Collaboration [> rest]; the last crumb is the page itself."""
    trail = crumbs((region.name, "municipalities:region_detail", (region.code,)))
    if not rest:
        return [*trail, Crumb(_("Collaboration"))]
    return [
        *trail,
        Crumb(_("Collaboration"), reverse("regional:collaboration", args=[region.code])),
        *rest,
    ]


def _joint(sight: Sight, pk: int) -> JointInitiative:
    try:
        return collaboration.joint_get(sight=sight, pk=pk)
    except JointInitiative.DoesNotExist:
        raise Http404 from None


def _joint_trail(region: Region, found: JointInitiative, label: str) -> list[Crumb]:
    url = reverse("regional:joint_detail", args=[region.code, found.pk])
    return _trail(region, Crumb(found.title, url), Crumb(label))


def collaboration_page(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.REGION_DASHBOARD)
    sight = sight_for(request.user, region)
    municipality = request.GET.get("municipality", "")[:10]
    overview = collaboration.collaboration_overview(
        sight=sight,
        user=request.user,
        municipality=municipality,
        page=request.GET.get("page", 1),
    )
    if municipality not in {place.code for place in overview.municipalities}:
        municipality = ""
    return render(
        request,
        "regional/collaboration.html",
        {
            "breadcrumbs": _trail(region),
            "region": region,
            "overview": overview,
            "page": overview.page,
            "chosen": municipality,  # not "municipality": base.html names the page by that
            "query": f"municipality={municipality}" if municipality else "",
            "sees_everything": sight.everything,
            "can_create": allowed(request.user, Perm.JOINT_CREATE, region),
            "is_demo": overview.is_demo,
        },
    )


def _form_page(
    request: HttpRequest,
    region: Region,
    form: JointForm,
    *,
    breadcrumbs: list[Crumb],
    title: str,
    found: JointInitiative | None = None,
    hidden: int = 0,
) -> HttpResponse:
    return render(
        request,
        "regional/joint_form.html",
        {
            "breadcrumbs": breadcrumbs,
            "region": region,
            "form": form,
            "title": title,
            "joint": found,
            "hidden": hidden,
            "cancel_url": (
                reverse("regional:joint_detail", args=[region.code, found.pk])
                if found
                else reverse("regional:collaboration", args=[region.code])
            ),
            "is_demo": found.is_demo
            if found
            else any(item.is_demo for item in form.by_value.values()),
        },
    )


@require_http_methods(["GET", "POST"])
def joint_create(request: HttpRequest, code: str) -> HttpResponse:
    region = region_for(request, code, Perm.JOINT_CREATE)
    sight = sight_for(request.user, region)
    items = collaboration_items.visible_items(sight=sight)
    if request.method == "POST":
        form = JointForm(request.POST, items=items)
        if form.is_valid():
            try:
                created = joint.joint_create(region=region, by=_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("The joint initiative “%(title)s” has been started.")
                    % {"title": created.title},
                )
                return redirect("regional:joint_detail", code=region.code, pk=created.pk)
    else:
        wanted = [str(ref) for ref in collaboration_items.refs_from(request.GET.getlist("item"))]
        known = {str(item.ref) for item in items}
        initial = {
            "title": request.GET.get("title", "").strip()[: joint.TITLE_MAX],
            "items": [ref for ref in wanted if ref in known],
        }
        form = JointForm(initial=initial, items=items)
    label = _("Start a joint initiative")
    return _form_page(request, region, form, breadcrumbs=_trail(region, Crumb(label)), title=label)


def joint_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    region = region_for(request, code, Perm.REGION_DASHBOARD)
    sight = sight_for(request.user, region)
    found = _joint(sight, pk)
    view = collaboration.joint_view(sight=sight, user=request.user, joint=found)
    return render(
        request,
        "regional/joint_detail.html",
        {
            "breadcrumbs": _trail(region, Crumb(found.title)),
            "region": region,
            "joint": found,
            "view": view,
            "can_change": allowed(request.user, Perm.JOINT_CREATE, region),
            "is_demo": found.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def joint_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    region = region_for(request, code, Perm.JOINT_CREATE)
    sight = sight_for(request.user, region)
    found = _joint(sight, pk)
    view = collaboration.joint_view(sight=sight, user=request.user, joint=found)
    items = collaboration_items.visible_items(sight=sight)
    listed = {item.ref for item in items}
    items += [item for item in view.items if item.ref not in listed]  # e.g. from an old version
    if request.method == "POST":
        form = JointForm(request.POST, items=items)
        if form.is_valid():
            try:
                joint.joint_update(joint=found, by=_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The joint initiative has been saved."))
                return redirect("regional:joint_detail", code=region.code, pk=found.pk)
    else:
        form = JointForm(
            initial={
                "title": found.title,
                "description": found.description,
                "items": [str(item.ref) for item in view.items],
            },
            items=items,
        )
    return _form_page(
        request,
        region,
        form,
        breadcrumbs=_joint_trail(region, found, _("Edit")),
        title=_("Edit the joint initiative"),
        found=found,
        hidden=view.hidden,
    )


@require_http_methods(["GET", "POST"])
def joint_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    region = region_for(request, code, Perm.JOINT_CREATE)
    sight = sight_for(request.user, region)
    found = _joint(sight, pk)
    if request.method == "POST":
        joint.joint_delete(joint=found)
        messages.success(
            request,
            _("The joint initiative “%(title)s” has been deleted.") % {"title": found.title},
        )
        return redirect("regional:collaboration", code=region.code)
    return render(
        request,
        "regional/joint_delete.html",
        {
            "breadcrumbs": _joint_trail(region, found, _("Delete")),
            "region": region,
            "joint": found,
            "links": found.links.count(),
            "is_demo": found.is_demo,
        },
    )
