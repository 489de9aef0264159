"""Scanning pages: a municipality's radar, and the region's view of every radar.

A municipality places each of its region's waves in a ring; its radar has one blip per placed
wave, linked to the wave's signals. The radar goes in and out as Build Your Own Radar files. The
region's pages (the coordinator's and admins' only: placements are a municipality's own,
unpublished data) show every municipality's rings together, and keep the region's waves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from forandra.accounts.models import User
from forandra.core.forms import apply_validation_error
from forandra.core.navigation import Crumb, crumbs
from forandra.core.permissions import Perm, allowed
from forandra.municipalities.lookups import municipality_for, municipality_trail, region_for
from forandra.municipalities.models import Municipality, Region

from .. import byor, selectors, services
from .. import radar as radar_layout
from ..forms import RING_HINTS, PlacementForm, RadarImportForm, WaveCreateForm, WaveForm
from ..models import Placement, Wave

# --- Shared ---------------------------------------------------------------------------------------


def _region(request: HttpRequest, code: str) -> Region:
    return region_for(request, code, Perm.REGION_SCANNING_EDIT)


def _wave(region: Region, key: str) -> Wave:
    wave = selectors.waves_for(region=region).filter(key=key).first()
    if wave is None:
        raise Http404
    return wave


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _trail(request: HttpRequest, municipality: Municipality, *rest: Crumb) -> list[Crumb]:
    """Region (for those who may see it) > municipality > radar > rest."""
    return [
        *municipality_trail(request, municipality),
        *crumbs((_("Radar"), "scanning:radar", (municipality.code,))),
        *rest,
    ]


def _region_trail(region: Region, *rest: Crumb) -> list[Crumb]:
    """Region > environmental scanning > rest."""
    return [
        *crumbs(
            (region.name, "municipalities:region_detail", (region.code,)),
            (_("Environmental scanning"), "scanning:region_scanning", (region.code,)),
        ),
        *rest,
    ]


def _signals_url(code: str, wave_key: str) -> str:
    """The municipality's signals of one wave; empty while the signals page does not exist."""
    try:
        return f"{reverse('scanning:signal_list', args=[code])}?wave={wave_key}"
    except NoReverseMatch:
        return ""


def _posted(request: HttpRequest, *, files: bool = False) -> Any:
    """What binds a form: the posted data (even when empty, so an empty post shows errors)."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def _ring_name(key: str) -> str | Promise:
    return radar_layout.ring_get(key).name


# --- A municipality's radar -----------------------------------------------------------------------


@dataclass(frozen=True)
class WaveLine:
    """One wave in the radar's table: its blip number (if placed), ring and movement."""

    wave: Wave
    placement: Placement | None
    number: int | None
    ring_name: str | Promise
    movement_name: str | Promise
    signals: int
    signals_url: str


def radar(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    rows = selectors.radar_rows(municipality=municipality)
    sectors = selectors.wave_sectors(waves=[row.wave for row in rows])
    blips = [
        replace(blip, url=_signals_url(code, blip.sector))
        for blip in selectors.radar_blips(rows=rows)
    ]
    drawing = radar_layout.layout(sectors, blips) if sectors else None
    numbers = {placed.blip.key: placed.number for placed in drawing.blips} if drawing else {}
    lines = [
        WaveLine(
            wave=row.wave,
            placement=row.placement,
            number=numbers.get(row.wave.key),
            ring_name=_ring_name(row.placement.ring) if row.placement else "",
            movement_name=selectors.movement(row.placement).label if row.placement else "",
            signals=row.signals,
            signals_url=_signals_url(code, row.wave.key),
        )
        for row in rows
    ]
    # Placed waves first, as the drawing numbers them; then the waves not placed yet.
    lines.sort(key=lambda line: (line.number is None, line.number or 0))
    return render(
        request,
        "scanning/radar_detail.html",
        {
            "breadcrumbs": [*_trail(request, municipality)[:-1], Crumb(_("Radar"))],
            "municipality": municipality,
            "radar": drawing,
            "radar_title": _("%(municipality)s's radar") % {"municipality": municipality.name},
            "lines": lines,
            "placed": len(blips),
            "ring_hints": [(ring, RING_HINTS[ring.key]) for ring in radar_layout.RINGS],
            "can_edit": allowed(request.user, Perm.SCANNING_EDIT, municipality),
            "is_demo": any(row.placement.is_demo for row in rows if row.placement),
        },
    )


@require_http_methods(["GET", "POST"])
def radar_place(request: HttpRequest, code: str, wave_key: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.SCANNING_EDIT)
    wave = _wave(municipality.region, wave_key)
    row = next(r for r in selectors.radar_rows(municipality=municipality) if r.wave.pk == wave.pk)
    placement = row.placement
    initial = {"ring": placement.ring, "rationale": placement.rationale} if placement else {}
    form = PlacementForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            placed = services.placement_set(
                municipality=municipality,
                wave=wave,
                ring=form.cleaned_data["ring"],
                rationale=form.cleaned_data["rationale"],
                by=_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(wave)s is placed in %(ring)s (%(movement)s).")
                % {
                    "wave": wave.name,
                    "ring": _ring_name(placed.ring),
                    "movement": str(selectors.movement(placed).label).lower(),
                },
            )
            return redirect("scanning:radar", code=code)
    return render(
        request,
        "scanning/radar_place.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(wave.name)),
            "municipality": municipality,
            "wave": wave,
            "placement": placement,
            "ring_name": _ring_name(placement.ring) if placement else "",
            "movement_name": selectors.movement(placement).label if placement else "",
            "signals": row.signals,
            "signals_url": _signals_url(code, wave.key),
            "form": form,
            "is_demo": bool(placement and placement.is_demo),
        },
    )


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def radar_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The radar as a Build Your Own Radar file; `?for=excel` writes CSV that Swedish Excel
    opens as columns (semicolons and a byte order mark)."""
    municipality = municipality_for(request, code, Perm.SCANNING_VIEW)
    if fmt not in EXPORT_TYPES:
        raise Http404
    rows = selectors.radar_rows(municipality=municipality)
    sectors = selectors.wave_sectors(waves=[row.wave for row in rows])
    blips = selectors.radar_blips(rows=rows)
    excel = fmt == "csv" and request.GET.get("for") == "excel"
    if fmt == "csv":
        body = byor.export_csv(sectors, blips, excel=excel)
    else:
        body = byor.export_json(sectors, blips)
    filename = f"{municipality.code}-radar-{timezone.localdate():%Y%m%d}"
    filename += f"{'-excel' if excel else ''}.{fmt}"
    response = HttpResponse(body.encode("utf-8"), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _columns() -> list[tuple[str, str]]:
    """The columns of a radar file that matter here, with what each says."""
    rings = ", ".join(f"{byor.RING_TO_BYOR[ring.key]} ({ring.name})" for ring in radar_layout.RINGS)
    return [
        ("quadrant", _("The wave, by its name in Swedish or English, or by its key.")),
        ("ring", rings),
        (
            "status",
            _(
                "New, Moved In, Moved Out or No Change: how the wave moved, when it keeps the "
                "ring it has. A wave moved to another ring moves from where it stood."
            ),
        ),
        ("description", _("Why the wave is there.")),
    ]


@require_http_methods(["GET", "POST"])
def radar_import(request: HttpRequest, code: str) -> HttpResponse:
    municipality = municipality_for(request, code, Perm.SCANNING_EDIT)
    form = RadarImportForm(_posted(request), _posted(request, files=True))
    problems: tuple[byor.Problem, ...] = ()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            placed = services.radar_import(
                municipality=municipality,
                data=upload.read(),
                filename=upload.name or "",
                by=_user(request),
            )
        except byor.ByorError as error:
            problems = error.problems
            form.add_error(
                "file",
                _(
                    "The file could not be imported; nothing was changed. Fix the problems listed "
                    "below and try again."
                ),
            )
        else:
            messages.success(
                request,
                ngettext(
                    "The radar file has been imported: %(count)s wave placed.",
                    "The radar file has been imported: %(count)s waves placed.",
                    len(placed),
                )
                % {"count": len(placed)},
            )
            return redirect("scanning:radar", code=code)
    return render(
        request,
        "scanning/radar_import.html",
        {
            "breadcrumbs": _trail(request, municipality, Crumb(_("Import a radar file"))),
            "municipality": municipality,
            "form": form,
            "problems": problems,
            "waves": list(selectors.waves_for(region=municipality.region)),
            "columns": _columns(),
        },
    )


# --- The region -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    ring: str
    ring_name: str | Promise
    movement_name: str | Promise


def _cell(placement: Placement | None) -> MatrixCell | None:
    if placement is None:
        return None
    return MatrixCell(
        placement.ring, _ring_name(placement.ring), selectors.movement(placement).label
    )


def region_scanning(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    matrix = selectors.region_matrix(region=region)
    rows = [(row.municipality, [_cell(c) for c in row.cells], row.placed) for row in matrix.rows]
    months = selectors.signal_months(region=region)
    top = matrix.takes[0] if matrix.takes and matrix.takes[0].taken else None
    return render(
        request,
        "scanning/region_scanning.html",
        {
            "breadcrumbs": [*_region_trail(region)[:-1], Crumb(_("Environmental scanning"))],
            "region": region,
            "matrix": matrix,
            "rows": rows,
            "municipalities": len(matrix.rows),
            "placing": sum(1 for row in matrix.rows if row.placed),
            "top": top,
            "months": months,
            "rings": radar_layout.RINGS,
            "is_demo": matrix.is_demo,
        },
    )


def region_radar(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    waves = list(selectors.waves_for(region=region))
    blips = selectors.region_blips(
        region=region,
        link=lambda municipality, wave: reverse("scanning:radar", args=[municipality.code]),
    )
    drawing = radar_layout.layout(selectors.wave_sectors(waves=waves), blips) if waves else None
    return render(
        request,
        "scanning/region_radar.html",
        {
            "breadcrumbs": _region_trail(region, Crumb(_("All municipalities' radars"))),
            "region": region,
            "radar": drawing,
            "radar_title": _("Every municipality's placements in %(region)s")
            % {"region": region.name},
            "municipalities": len({blip.key.split("-", 1)[0] for blip in blips}),
            "is_demo": selectors.region_placements_are_demo(region=region),
        },
    )


def wave_list(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    return render(
        request,
        "scanning/wave_list.html",
        {
            "breadcrumbs": _region_trail(region, Crumb(_("Waves"))),
            "region": region,
            "waves": [
                (wave, len(wave.keywords.get("sv", [])) + len(wave.keywords.get("en", [])))
                for wave in selectors.waves_for(region=region)
            ],
        },
    )


def _wave_form_page(
    request: HttpRequest, region: Region, form: WaveForm, wave: Wave | None, title: str
) -> HttpResponse:
    return render(
        request,
        "scanning/wave_form.html",
        {
            "breadcrumbs": _region_trail(
                region,
                Crumb(_("Waves"), reverse("scanning:wave_list", args=[region.code])),
                Crumb(title),
            ),
            "region": region,
            "form": form,
            "wave": wave,
            "title": title,
        },
    )


@require_http_methods(["GET", "POST"])
def wave_add(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    form = WaveCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(region=region, **form.wave_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(wave)s has been added.") % {"wave": wave.name})
            return redirect("scanning:wave_list", code=code)
    return _wave_form_page(request, region, form, None, _("Add a wave"))


@require_http_methods(["GET", "POST"])
def wave_edit(request: HttpRequest, code: str, wave_key: str) -> HttpResponse:
    region = _region(request, code)
    wave = _wave(region, wave_key)
    name = wave.name  # the stored name, for the heading, even when the new one is refused
    form = WaveForm(_posted(request), initial=WaveForm.initial_for(wave))
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_update(wave=wave, **form.wave_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(wave)s has been saved.") % {"wave": wave.name})
            return redirect("scanning:wave_list", code=code)
    return _wave_form_page(request, region, form, wave, _("Edit %(wave)s") % {"wave": name})
