"""Pages for regions, municipalities, their departments and digitalisation groups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed, require
from forandra.programme import selectors as programme_selectors
from forandra.regional.visibility import public_page_open

from . import selectors, services
from .forms import GroupForm, MemberForm, UnitForm
from .models import DigitalisationGroup, GroupMember, Municipality, Region, Unit


def _region(code: str) -> Region:
    try:
        return selectors.region_get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def _municipality(request: HttpRequest, code: str, perm: Perm) -> Municipality:
    try:
        municipality = selectors.municipality_get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    require(request.user, perm, municipality)
    return municipality


def _trail(
    request: HttpRequest, municipality: Municipality, *rest: Crumb, group: bool = False
) -> list[Crumb]:
    """Start > region > municipality [> group] > rest; the region only for those who may see it."""
    trail: list[Crumb] = []
    region = municipality.region
    if allowed(request.user, Perm.REGION_VIEW, region):
        trail += crumbs((region.name, "municipalities:region_detail", (region.code,)))
    trail += crumbs((municipality.name, "municipalities:municipality_detail", (municipality.code,)))
    if group:
        trail += crumbs(
            (
                gettext_lazy("Digitalisation group"),
                "municipalities:group_detail",
                (municipality.code,),
            )
        )
    return trail + list(rest)


def _group(municipality: Municipality) -> DigitalisationGroup:
    group = selectors.group_for(municipality=municipality)
    if group is None:
        raise Http404
    return group


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    require(request.user, Perm.REGION_VIEW, region)
    rows = selectors.region_rows(region=region)
    openable = {
        row.municipality.code
        for row in rows
        if allowed(request.user, Perm.MUNICIPALITY_VIEW, row.municipality)
    }
    return render(
        request,
        "municipalities/region_detail.html",
        {
            "breadcrumbs": [Crumb(region.name)],
            "region": region,
            "rows": rows,
            "openable": openable,
            "show_groups": allowed(request.user, Perm.REGION_VIEW_GROUPS, region),
            "can_start_programmes": allowed(request.user, Perm.PROGRAMME_CREATE, region),
            "can_see_plans": allowed(request.user, Perm.PLANS_REGION, region),
            "can_edit_public_page": allowed(request.user, Perm.REGION_PUBLIC_EDIT, region),
            "public_page_open": public_page_open(region),
            "group_count": sum(1 for row in rows if row.group is not None),
            "is_demo": any(row.group is not None and row.group.is_demo for row in rows),
        },
    )


def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MUNICIPALITY_VIEW)
    group = selectors.group_for(municipality=municipality)
    programmes = [
        programme
        for programme in programme_selectors.programmes_for_municipality(municipality=municipality)
        if allowed(request.user, Perm.PROGRAMME_VIEW, programme)
    ]
    return render(
        request,
        "municipalities/municipality_detail.html",
        {
            "programmes": programmes,
            "breadcrumbs": [*_trail(request, municipality)[:-1], Crumb(municipality.name)],
            "municipality": municipality,
            "group": group,
            "cross": selectors.group_cross_functionality(group=group) if group else None,
            "units": list(selectors.unit_list(municipality=municipality)),
            "can_manage": allowed(request.user, Perm.GROUP_MANAGE, municipality),
            "can_view_region": allowed(request.user, Perm.REGION_VIEW, municipality.region),
            "can_view_ideas": allowed(request.user, Perm.IDEAS_VIEW, municipality),
            "can_view_plans": allowed(request.user, Perm.PLANS_VIEW, municipality),
            "can_publish": allowed(request.user, Perm.MUNICIPALITY_PUBLISH, municipality),
            "can_manage_webhooks": allowed(request.user, Perm.WEBHOOKS_MANAGE, municipality),
            "is_demo": bool(group and group.is_demo),
        },
    )


def group_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.MUNICIPALITY_VIEW)
    group = _group(municipality)
    return render(
        request,
        "municipalities/group_detail.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(group.name)),
            "municipality": municipality,
            "group": group,
            "members": list(group.members.all()),
            "cross": selectors.group_cross_functionality(group=group),
            "changes": selectors.group_changes(group=group),
            "can_manage": allowed(request.user, Perm.GROUP_MANAGE, municipality),
            "can_view_region": allowed(request.user, Perm.REGION_VIEW, municipality.region),
            "is_demo": group.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    if selectors.group_for(municipality=municipality) is not None:
        return redirect("municipalities:group_detail", code=code)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.group_create(municipality=municipality, name=form.cleaned_data["name"])
        messages.success(request, _("The group has been created. Now add its members."))
        return redirect("municipalities:member_add", code=code)
    return render(
        request,
        "municipalities/group_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Form the group"))),
            "municipality": municipality,
            "form": form,
            "creating": True,
        },
    )


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    group = _group(municipality)
    form = GroupForm(request.POST or None, initial={"name": group.name})
    if request.method == "POST" and form.is_valid():
        services.group_update(group=group, name=form.cleaned_data["name"])
        messages.success(request, _("The group has been saved."))
        return redirect("municipalities:group_detail", code=code)
    return render(
        request,
        "municipalities/group_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Rename the group")), group=True),
            "municipality": municipality,
            "group": group,
            "form": form,
            "creating": False,
            "is_demo": group.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    group = _group(municipality)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_add(group=group, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(name)s has been added to the group.") % {"name": member.name}
            )
            return redirect("municipalities:group_detail", code=code)
    return render(
        request,
        "municipalities/member_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Add a member")), group=True),
            "municipality": municipality,
            "group": group,
            "form": form,
            "member": None,
            "is_demo": group.is_demo,
        },
    )


def _member(group: DigitalisationGroup, pk: int) -> GroupMember:
    try:
        return selectors.member_get(group=group, pk=pk)
    except GroupMember.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    group = _group(municipality)
    member = _member(group, pk)
    form = MemberForm(
        request.POST or None,
        initial={
            "name": member.name,
            "email": member.email,
            "function": member.function,
            "role": member.role,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, **form.cleaned_data)
        except (ValidationError, IntegrityError) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The member has been saved."))
            return redirect("municipalities:group_detail", code=code)
    return render(
        request,
        "municipalities/member_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(member.name), group=True),
            "municipality": municipality,
            "group": group,
            "form": form,
            "member": member,
            "is_demo": group.is_demo,
        },
    )


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    group = _group(municipality)
    member = _member(group, pk)
    if request.method == "POST":
        services.member_remove(member=member)
        messages.success(
            request, _("%(name)s has been removed from the group.") % {"name": member.name}
        )
        return redirect("municipalities:group_detail", code=code)
    return render(
        request,
        "municipalities/member_confirm_remove.html",
        {
            "breadcrumbs": _trail(
                request,
                municipality,
                Crumb(_("Remove %(name)s") % {"name": member.name}),
                group=True,
            ),
            "municipality": municipality,
            "group": group,
            "member": member,
            "is_demo": group.is_demo,
        },
    )


# Departments (units) are the municipality's, but whoever may manage its group keeps the list.


def _unit(municipality: Municipality, pk: int) -> Unit:
    try:
        return selectors.unit_get(municipality=municipality, pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(municipality=municipality, name=form.cleaned_data["name"])
        except (ValidationError, IntegrityError) as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(name)s has been added to the departments.") % {"name": unit.name}
            )
            return redirect("municipalities:municipality_detail", code=code)
    return render(
        request,
        "municipalities/unit_form.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Add a department"))),
            "municipality": municipality,
            "form": form,
            "unit": None,
            "is_demo": selectors.municipality_is_demo(municipality=municipality),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    unit = _unit(municipality, pk)
    name = unit.name  # the stored name, for the heading, even when the new one is refused
    form = UnitForm(request.POST or None, initial={"name": name})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_rename(unit=unit, name=form.cleaned_data["name"])
        except (ValidationError, IntegrityError) as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The department has been renamed."))
            return redirect("municipalities:municipality_detail", code=code)
    return render(
        request,
        "municipalities/unit_form.html",
        {
            "breadcrumbs": _trail(
                request, municipality, Crumb(_("Rename %(name)s") % {"name": name})
            ),
            "municipality": municipality,
            "form": form,
            "unit": unit,
            "unit_name": name,
            "is_demo": selectors.municipality_is_demo(municipality=municipality),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, code, Perm.GROUP_MANAGE)
    unit = _unit(municipality, pk)
    if request.method == "POST":
        try:
            services.unit_remove(unit=unit)
        except ValidationError:
            pass  # a response named it since the page was shown: say so below, as on GET
        else:
            messages.success(
                request, _("%(name)s has been removed from the departments.") % {"name": unit.name}
            )
            return redirect("municipalities:municipality_detail", code=code)
    return render(
        request,
        "municipalities/unit_confirm_remove.html",
        {
            "breadcrumbs": _trail(
                request, municipality, Crumb(_("Remove %(name)s") % {"name": unit.name})
            ),
            "municipality": municipality,
            "unit": unit,
            "in_use": selectors.unit_in_use(unit=unit),
            "is_demo": selectors.municipality_is_demo(municipality=municipality),
        },
    )
