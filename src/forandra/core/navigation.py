"""Breadcrumbs: the trail under the header on every page below the start page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Crumb:
    label: str | Promise
    url: str | Promise | None = None


def crumbs(*trail: tuple[str | Promise, str | None, tuple[object, ...]] | Crumb) -> list[Crumb]:
    """Build a trail; each step is a Crumb or (label, url name or None, url args)."""
    result = []
    for step in trail:
        if isinstance(step, Crumb):
            result.append(step)
            continue
        label, name, args = step
        result.append(Crumb(label, reverse(name, args=args) if name else None))
    return result
