"""The region's public page and open data: no account needed, the same for everyone.

Both answer 404 while the region has not opened its public page, signed in or not, so a closed
page does not tell anyone it exists. They show only what the municipalities publish
(`public.py` reads through `visibility.public_sight`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forandra.core.navigation import Crumb, crumbs
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Region

from .. import opendata, public
from ..visibility import public_page_open


def _open_region(code: str) -> Region:
    """The region, if it has opened its public page; 404 otherwise."""
    try:
        region = municipality_selectors.region_get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    if not public_page_open(region):
        raise Http404
    return region


@login_not_required
@require_safe
def public_summary(request: HttpRequest, code: str) -> HttpResponse:
    region = _open_region(code)
    page = public.public_page(region=region)
    return render(
        request,
        "regional/public_summary.html",
        {
            "breadcrumbs": [Crumb(region.name)],
            "region": region,
            "page": page,
            "is_demo": page.is_demo,
        },
    )


@login_not_required
@require_safe
def data_dictionary(request: HttpRequest, code: str) -> HttpResponse:
    region = _open_region(code)
    return render(
        request,
        "regional/data_dictionary.html",
        {
            "breadcrumbs": crumbs(
                (region.name, "regional:public_summary", (region.code,)), Crumb(_("Open data"))
            ),
            "region": region,
            "datasets": opendata.datasets(),
            "formats": opendata.FORMATS,
            "licence": opendata.LICENCE,
            "licence_id": opendata.LICENCE_ID,
        },
    )


@login_not_required
@require_safe
def data_download(request: HttpRequest, code: str, dataset: str, fmt: str) -> HttpResponse:
    region = _open_region(code)
    definition = opendata.DATASETS.get(dataset)
    if definition is None or fmt not in opendata.WRITERS:
        raise Http404
    now = timezone.localtime()
    table = opendata.table_read(dataset=definition, region=region, now=now)
    response = HttpResponse(opendata.WRITERS[fmt](table), content_type=opendata.CONTENT_TYPES[fmt])
    name = opendata.filename(region=region, dataset=definition, fmt=fmt, on=now.date())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Language"] = get_language() or "sv"
    return response
