"""Scanning pages: feeds.

A municipality's group follows feeds of its own and reads those its region's coordinator curates
for every group; the coordinator keeps the curated list on the region's own pages. Both kinds of
page share their templates: an `Owner` says whose feeds a page is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.lookups import municipality_for, municipality_trail, region_for
from forandra.municipalities.models import Municipality, Region

from .. import selectors, services
from ..feeds import error_reason
from ..forms import FeedForm, OpmlForm
from ..models import Feed, FetchStatus
from ..opml import OpmlError

# The page names, as in urls.py; a region's own pages carry the prefix `region_`.
PAGES = ("feed_list", "feed_add", "feed_import", "feed_scan")


@dataclass(frozen=True)
class Owner:
    """Whose feeds a page is about: a municipality's, or (no municipality) its region's."""

    region: Region
    municipality: Municipality | None

    @property
    def code(self) -> str:
        return self.municipality.code if self.municipality else self.region.code

    def url_name(self, page: str) -> str:
        return f"scanning:{page}" if self.municipality else f"scanning:region_{page}"

    def url(self, page: str, *args: object) -> str:
        return reverse(self.url_name(page), args=[self.code, *args])

    def context(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "municipality": self.municipality,
            "owner_code": self.code,
            "urls": {page.removeprefix("feed_"): self.url(page) for page in PAGES},
            "remove_url_name": self.url_name("feed_remove"),
        }


@dataclass(frozen=True)
class FeedRow:
    feed: Feed
    reason: str  # why the last fetch failed, in the reader's language; "" unless it failed
    site_href: str  # the feed's web site, only if it is an http(s) address

    @classmethod
    def of(cls, feed: Feed) -> FeedRow:
        failed = feed.status == FetchStatus.ERROR and feed.error_code
        return cls(
            feed=feed,
            reason=error_reason(feed.error_code, feed.error_params) if failed else "",
            site_href=feed.site_url if _is_web_address(feed.site_url) else "",
        )


def _is_web_address(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


# --- Whose feeds ----------------------------------------------------------------------------------


def _municipality(request: HttpRequest, code: str, perm: Perm) -> Owner:
    municipality = municipality_for(request, code, perm)
    return Owner(municipality.region, municipality)


def _region(request: HttpRequest, code: str, perm: Perm) -> Owner:
    return Owner(region_for(request, code, perm), None)


def _trail(request: HttpRequest, owner: Owner, *rest: Crumb) -> list[Crumb]:
    """[Region >] municipality > Feeds > rest, or region > Curated feeds > rest."""
    if owner.municipality is not None:
        trail = [
            *municipality_trail(request, owner.municipality),
            Crumb(_("Feeds"), owner.url("feed_list")),
        ]
    else:
        region = owner.region
        trail = [
            *crumbs((region.name, "municipalities:region_detail", (region.code,))),
            Crumb(_("Curated feeds"), owner.url("feed_list")),
        ]
    if not rest:  # the list page itself: its crumb is not a link
        return [*trail[:-1], Crumb(trail[-1].label)]
    return trail + list(rest)


def _curated(region: Region) -> QuerySet[Feed]:
    """The region's curated feeds, with their signal counts.

    No selector reads them alone yet (selectors.feeds_for takes a municipality and adds the
    region's), so they are read through any municipality of the region."""
    first = municipality_selectors.region_municipalities(region=region).first()
    if first is None:
        return Feed.objects.none()
    return selectors.feeds_for(municipality=first).filter(municipality=None)


def _feeds(owner: Owner) -> QuerySet[Feed]:
    """The feeds a scan from this page reads: the group's with the region's, or the region's."""
    if owner.municipality is not None:
        return selectors.feeds_for(municipality=owner.municipality)
    return _curated(owner.region)


def _feed(owner: Owner, pk: int) -> Feed:
    """One of the owner's own feeds: a group may not remove the region's curated ones."""
    if owner.municipality is not None:
        feeds = selectors.feeds_for(municipality=owner.municipality).filter(
            municipality=owner.municipality
        )
    else:
        feeds = _curated(owner.region)
    try:
        return feeds.get(pk=pk)
    except Feed.DoesNotExist:
        raise Http404 from None


# --- Shared by the municipality's and the region's pages ------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _list(request: HttpRequest, owner: Owner, *, can_edit: bool) -> HttpResponse:
    """The feeds; after "Scan now", also how far the background scan has come. With htmx and a
    scan, only that progress (the page asks again every few seconds until the scan is done)."""
    scan_id = request.GET.get("scan", "")
    scan_context = {
        "scan_id": scan_id,
        "scan": selectors.scan_state(result_id=scan_id) if scan_id else None,
        "scan_url": f"{owner.url('feed_list')}?{urlencode({'scan': scan_id})}",
    }
    if scan_id and _is_htmx(request):
        response = render(
            request,
            "scanning/partials/feed_scan_status.html",
            {**owner.context(), **scan_context},
        )
        patch_vary_headers(response, ["HX-Request"])  # never the fragment for a full page
        return response
    rows = [FeedRow.of(feed) for feed in _feeds(owner)]
    own = [row for row in rows if row.feed.municipality_id is not None]
    curated = [row for row in rows if row.feed.municipality_id is None]
    return render(
        request,
        "scanning/feed_list.html",
        {
            **owner.context(),
            "breadcrumbs": _trail(request, owner),
            "own": own,
            "curated": curated,
            "can_edit": can_edit,
            "can_edit_region": allowed(request.user, Perm.REGION_SCANNING_EDIT, owner.region),
            "is_demo": any(row.feed.is_demo for row in rows),
            **scan_context,
        },
    )


def _add(request: HttpRequest, owner: Owner) -> HttpResponse:
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed = services.feed_add(
                region=owner.region,
                municipality=owner.municipality,
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
                added_by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(feed)s has been added. Choose “Scan now” to read what it has.")
                % {"feed": feed},
            )
            return redirect(owner.url("feed_list"))
    return render(
        request,
        "scanning/feed_form.html",
        {
            **owner.context(),
            "breadcrumbs": _trail(request, owner, Crumb(_("Add a feed"))),
            "form": form,
        },
    )


def _import(request: HttpRequest, owner: Owner) -> HttpResponse:
    form = OpmlForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.opml_import(
                region=owner.region,
                municipality=owner.municipality,
                data=form.cleaned_data["file"].read(),
                added_by=_user(request),
            )
        except OpmlError as error:
            form.add_error("file", error.reason)
    return render(
        request,
        "scanning/feed_import.html",
        {
            **owner.context(),
            "breadcrumbs": _trail(request, owner, Crumb(_("Import feeds from OPML"))),
            "form": form,
            "result": result,
        },
    )


def _scan(request: HttpRequest, owner: Owner) -> HttpResponse:
    feeds = list(_feeds(owner))
    if not feeds:
        messages.info(request, _("There are no feeds to scan yet. Add a feed first."))
        return redirect(owner.url("feed_list"))
    # In the background (django-tasks): the list page shows how far it has come.
    result_id = services.scan_enqueue(feeds=feeds)
    return redirect(f"{owner.url('feed_list')}?{urlencode({'scan': result_id})}")


def _remove(request: HttpRequest, owner: Owner, pk: int) -> HttpResponse:
    feed = _feed(owner, pk)
    if request.method == "POST":
        services.feed_remove(feed=feed)
        messages.success(request, _("%(feed)s is no longer followed.") % {"feed": feed})
        return redirect(owner.url("feed_list"))
    return render(
        request,
        "scanning/feed_confirm_remove.html",
        {
            **owner.context(),
            "breadcrumbs": _trail(request, owner, Crumb(_("Remove %(feed)s") % {"feed": feed})),
            "feed": feed,
            "is_demo": feed.is_demo,
        },
    )


# --- A municipality's feeds -----------------------------------------------------------------------


def feed_list(request: HttpRequest, code: str) -> HttpResponse:
    owner = _municipality(request, code, Perm.SCANNING_VIEW)
    return _list(
        request, owner, can_edit=allowed(request.user, Perm.SCANNING_EDIT, owner.municipality)
    )


@require_http_methods(["GET", "POST"])
def feed_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add(request, _municipality(request, code, Perm.SCANNING_EDIT))


@require_http_methods(["GET", "POST"])
def feed_import(request: HttpRequest, code: str) -> HttpResponse:
    return _import(request, _municipality(request, code, Perm.SCANNING_EDIT))


@require_POST
def feed_scan(request: HttpRequest, code: str) -> HttpResponse:
    return _scan(request, _municipality(request, code, Perm.SCANNING_EDIT))


@require_http_methods(["GET", "POST"])
def feed_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _remove(request, _municipality(request, code, Perm.SCANNING_EDIT), pk)


# --- The region's curated feeds -------------------------------------------------------------------


def region_feed_list(request: HttpRequest, code: str) -> HttpResponse:
    owner = _region(request, code, Perm.REGION_VIEW)
    return _list(
        request, owner, can_edit=allowed(request.user, Perm.REGION_SCANNING_EDIT, owner.region)
    )


@require_http_methods(["GET", "POST"])
def region_feed_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add(request, _region(request, code, Perm.REGION_SCANNING_EDIT))


@require_http_methods(["GET", "POST"])
def region_feed_import(request: HttpRequest, code: str) -> HttpResponse:
    return _import(request, _region(request, code, Perm.REGION_SCANNING_EDIT))


@require_POST
def region_feed_scan(request: HttpRequest, code: str) -> HttpResponse:
    return _scan(request, _region(request, code, Perm.REGION_SCANNING_EDIT))


@require_http_methods(["GET", "POST"])
def region_feed_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _remove(request, _region(request, code, Perm.REGION_SCANNING_EDIT), pk)
