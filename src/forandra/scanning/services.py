"""Writes for scanning: the waves catalogue, feeds, scans, signals, and radar placements."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality, Region

from . import selectors
from .classify import signal_text
from .feeds import FeedError, ParsedItem, parse_feed
from .fetch import DEFAULT_LIMITS, FetchError, FetchLimits, FetchResult, fetch, normalise_url
from .models import Feed, FetchStatus, Placement, Ring, Signal, Wave
from .opml import OpmlDocument, parse_opml
from .waves import Catalogue, default_catalogue

# Stored text is capped where feeds are unbounded (feeds.py does not truncate).
TITLE_MAX = 500
SUMMARY_MAX = 20_000
URL_MAX = 2000


def catalogue_seed(*, region: Region, catalogue: Catalogue | None = None) -> int:
    """Give a region the shipped waves, if it has none yet; the number of waves added."""
    if Wave.objects.filter(region=region).exists():
        return 0
    catalogue = catalogue or default_catalogue()
    Wave.objects.bulk_create(
        [
            Wave(
                region=region,
                key=wave.key,
                name_sv=wave.name.sv,
                name_en=wave.name.en,
                description_sv=wave.description.sv,
                description_en=wave.description.en,
                dimensions=list(wave.dimensions),
                keywords={"sv": list(wave.keywords.sv), "en": list(wave.keywords.en)},
                examples={"sv": list(wave.examples.sv), "en": list(wave.examples.en)},
                position=index,
            )
            for index, wave in enumerate(catalogue.waves)
        ]
    )
    return len(catalogue.waves)


def _owner(region: Region, municipality: Municipality | None) -> dict[str, object]:
    return {"region": region, "municipality": municipality}


def feed_add(
    *,
    region: Region,
    municipality: Municipality | None,
    url: str,
    added_by: User | None = None,
    title: str = "",
    folder: str = "",
    is_demo: bool = False,
) -> Feed:
    """Follow a feed (a municipality's, or with no municipality the region's curated one)."""
    if municipality is not None and municipality.region_id != region.pk:
        raise ValidationError(_("The municipality is not in this region."))
    try:
        address = normalise_url(url)
    except FetchError as error:
        raise ValidationError({"url": error.reason}) from None
    if Feed.objects.filter(**_owner(region, municipality), url=address).exists():
        raise ValidationError({"url": _("This feed is already followed.")})
    try:
        with transaction.atomic():
            return Feed.objects.create(
                **_owner(region, municipality),
                url=address,
                title=title[:300],
                folder=folder[:300],
                added_by=added_by,
                is_demo=is_demo,
            )
    except IntegrityError:
        raise ValidationError({"url": _("This feed is already followed.")}) from None


@dataclass(frozen=True)
class OpmlImport:
    document: OpmlDocument
    added: list[Feed]
    already: list[str]  # addresses already followed


@transaction.atomic
def opml_import(
    *,
    region: Region,
    municipality: Municipality | None,
    data: bytes,
    added_by: User | None = None,
) -> OpmlImport:
    """Follow every feed an OPML file lists; raises OpmlError (nothing added) for a bad file."""
    document = parse_opml(data)
    followed = set(
        Feed.objects.filter(**_owner(region, municipality)).values_list("url", flat=True)
    )
    added, already = [], []
    for item in document.feeds:
        if item.url in followed:
            already.append(item.url)
            continue
        added.append(
            Feed.objects.create(
                **_owner(region, municipality),
                url=item.url,
                title=item.title[:300],
                site_url=item.html_url[:URL_MAX],
                folder=" / ".join(item.folder)[:300],
                added_by=added_by,
            )
        )
        followed.add(item.url)
    return OpmlImport(document, added, already)


def feed_remove(*, feed: Feed) -> None:
    """Stop following a feed; the signals it brought go with it."""
    feed.delete()


def _item_key(item: ParsedItem) -> str:
    return hashlib.sha256(item.key.encode()).hexdigest()


def _signal(feed: Feed, item: ParsedItem) -> Signal:
    return Signal(
        region_id=feed.region_id,
        municipality_id=feed.municipality_id,
        feed=feed,
        item_key=_item_key(item),
        title=(item.title or item.link or "–")[:TITLE_MAX],
        link=item.link if len(item.link) <= URL_MAX else "",
        summary_html=item.summary_html[:SUMMARY_MAX],
        summary_text=item.summary_text[:SUMMARY_MAX],
        published_at=item.published,
        episode=item.episode,
        duration_seconds=item.duration_seconds,
        enclosure_url=(
            item.enclosure.url if item.enclosure and len(item.enclosure.url) <= URL_MAX else ""
        ),
        is_demo=feed.is_demo,
    )


@dataclass
class ScanResult:
    feed: Feed
    status: str  # a FetchStatus
    new_signals: int = 0
    reason: str = ""  # why it failed, in the active language


def _suggest(region_id: int, signals: list[Signal]) -> None:
    if not signals:
        return
    classifier = selectors.classifier_for(region=Region.objects.get(pk=region_id))
    texts = [signal_text(s.title, s.summary_text or s.note) for s in signals]
    for signal, suggestions in zip(signals, classifier.suggest_all(texts), strict=True):
        signal.suggestions = [[s.wave_key, round(s.score, 4)] for s in suggestions[:3]]


def _failed(feed: Feed, error: FetchError | FeedError, now: datetime) -> ScanResult:
    feed.status, feed.checked_at = FetchStatus.ERROR, now
    feed.error_code, feed.error_params = error.code, error.params
    feed.failures += 1
    feed.save(
        update_fields=[
            "status",
            "checked_at",
            "error_code",
            "error_params",
            "failures",
            "updated_at",
        ]
    )
    return ScanResult(feed, FetchStatus.ERROR, reason=error.reason)


def feed_scan(*, feed: Feed, limits: FetchLimits = DEFAULT_LIMITS) -> ScanResult:
    """Fetch a feed and store its new items as signals, with suggested waves.

    A failure is recorded on the feed (a stable code and its parameters) and returned, never
    raised: one bad feed must not stop a scan of many.
    """
    try:
        fetched = fetch(
            feed.url,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            limits=limits,
        )
    except FetchError as error:
        return _failed(feed, error, timezone.now())
    return feed_ingest(feed=feed, fetched=fetched)


def feed_ingest(*, feed: Feed, fetched: FetchResult) -> ScanResult:
    """Store what a fetch of the feed brought: its new items as signals, with suggested waves."""
    now = timezone.now()
    if fetched.not_modified:
        feed.status, feed.checked_at, feed.failures = FetchStatus.NOT_MODIFIED, now, 0
        feed.error_code, feed.error_params = "", {}
        feed.save(
            update_fields=[
                "status",
                "checked_at",
                "failures",
                "error_code",
                "error_params",
                "updated_at",
            ]
        )
        return ScanResult(feed, FetchStatus.NOT_MODIFIED)
    try:
        parsed = parse_feed(
            fetched.content, url=fetched.final_url, content_type=fetched.content_type
        )
    except FeedError as error:
        return _failed(feed, error, now)

    known = set(Signal.objects.filter(feed=feed).values_list("item_key", flat=True))
    fresh: dict[str, Signal] = {}
    for item in parsed.items:
        signal = _signal(feed, item)
        if signal.item_key not in known:
            fresh.setdefault(signal.item_key, signal)
    new = list(fresh.values())
    _suggest(feed.region_id, new)
    with transaction.atomic():
        Signal.objects.bulk_create(new, ignore_conflicts=True)
        feed.title = feed.title or parsed.title[:300]
        feed.site_url = feed.site_url or (parsed.link if len(parsed.link) <= URL_MAX else "")
        feed.is_podcast = parsed.is_podcast
        feed.etag, feed.last_modified = fetched.etag or "", fetched.last_modified or ""
        if fetched.permanent_url and fetched.permanent_url != feed.url:
            moved = Feed.objects.filter(
                region_id=feed.region_id,
                municipality=feed.municipality,
                url=fetched.permanent_url,
            )
            if not moved.exists():
                feed.url = fetched.permanent_url
        feed.status, feed.checked_at, feed.failures = FetchStatus.OK, now, 0
        feed.error_code, feed.error_params = "", {}
        feed.warnings = [{"code": w.code, "params": dict(w.params)} for w in parsed.warnings]
        feed.save()
    return ScanResult(feed, FetchStatus.OK, new_signals=len(new))


@dataclass
class ScanSummary:
    results: list[ScanResult] = field(default_factory=list)

    @property
    def new_signals(self) -> int:
        return sum(r.new_signals for r in self.results)

    @property
    def failed(self) -> list[ScanResult]:
        return [r for r in self.results if r.status == FetchStatus.ERROR]


def scan(
    *,
    feeds: Iterable[Feed],
    limits: FetchLimits = DEFAULT_LIMITS,
    progress: Callable[[ScanResult], None] | None = None,
) -> ScanSummary:
    """Scan feeds one after another; `progress` hears of each as it is done."""
    summary = ScanSummary()
    for feed in feeds:
        result = feed_scan(feed=feed, limits=limits)
        summary.results.append(result)
        if progress is not None:
            progress(result)
    return summary


def signal_add(
    *,
    municipality: Municipality,
    title: str,
    link: str = "",
    note: str = "",
    added_by: User | None = None,
) -> Signal:
    """A signal a group member noticed and wrote down, with suggested waves."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Write what you noticed, in a few words.")})
    signal = Signal(
        region_id=municipality.region_id,
        municipality=municipality,
        title=title[:TITLE_MAX],
        link=link.strip(),
        note=note.strip(),
        added_by=added_by,
        published_at=timezone.now(),
    )
    _suggest(municipality.region_id, [signal])
    signal.save()
    return signal


@transaction.atomic
def signal_confirm(*, signal: Signal, waves: Iterable[Wave], by: User | None) -> Signal:
    """Say which waves a signal belongs to; later suggestions learn from it."""
    chosen = list(waves)
    if any(wave.region_id != signal.region_id for wave in chosen):
        raise ValidationError(_("A wave of another region cannot be chosen."))
    signal.waves.set(chosen)
    signal.confirmed_by = by
    signal.confirmed_at = timezone.now()
    signal.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return signal


@transaction.atomic
def placement_set(
    *,
    municipality: Municipality,
    wave: Wave,
    ring: str,
    rationale: str = "",
    by: User | None = None,
    is_demo: bool = False,
) -> Placement:
    """Place a wave on the municipality's radar; the ring it had before gives its movement."""
    if wave.region_id != municipality.region_id:
        raise ValidationError(_("A wave of another region cannot be placed."))
    if ring not in Ring.values:
        raise ValidationError({"ring": _("Choose one of the four rings.")})
    placement = (
        Placement.objects.select_for_update().filter(municipality=municipality, wave=wave).first()
    )
    if placement is None:
        return Placement.objects.create(
            municipality=municipality,
            wave=wave,
            ring=ring,
            rationale=rationale.strip(),
            placed_by=by,
            is_demo=is_demo,
        )
    placement.previous_ring = placement.ring  # each placement is measured against the one before
    placement.ring = ring
    placement.rationale = rationale.strip()
    placement.placed_by = by
    placement.save()
    return placement
