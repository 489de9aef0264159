"""Changing what a municipality publishes and whether the region's public page is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from .models import Publication, PublicSummary

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.municipalities.models import Municipality, Region


@transaction.atomic
def publication_set(
    *,
    municipality: Municipality,
    maturity: bool,
    radar: bool,
    plans: bool,
    by: User | None,
    is_demo: bool = False,
) -> Publication:
    """Publish (or take back) the parts of the municipality's data; stored in one row."""
    publication, _created = Publication.objects.select_for_update().get_or_create(
        municipality=municipality, defaults={"is_demo": is_demo}
    )
    publication.maturity, publication.radar, publication.plans = maturity, radar, plans
    publication.updated_by = by
    publication.save()
    return publication


def publication_for(*, municipality: Municipality) -> Publication:
    """The municipality's choices; an unsaved row publishing nothing when it has made none."""
    found = Publication.objects.filter(municipality=municipality).first()
    return found or Publication(municipality=municipality)


@transaction.atomic
def public_summary_set(
    *, region: Region, enabled: bool, intro: str, by: User | None, is_demo: bool = False
) -> PublicSummary:
    """Open or close the region's public page and open data, with its introduction."""
    summary, _created = PublicSummary.objects.select_for_update().get_or_create(
        region=region, defaults={"is_demo": is_demo}
    )
    summary.enabled, summary.intro, summary.updated_by = enabled, intro.strip(), by
    summary.save()
    return summary


def public_summary_for(*, region: Region) -> PublicSummary:
    found = PublicSummary.objects.filter(region=region).first()
    return found or PublicSummary(region=region)
