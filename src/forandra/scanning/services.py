"""Writes for scanning: the waves catalogue, feeds, scans, signals, and radar placements."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality, Region

from . import byor, selectors
from .classify import signal_text
from .feeds import FeedError, ParsedItem, parse_feed
from .fetch import DEFAULT_LIMITS, FetchError, FetchLimits, FetchResult, fetch, normalise_url
from .models import Feed, FetchStatus, Placement, Ring, Signal, Wave
from .opml import OpmlDocument, parse_opml
from .radar import Movement
from .waves import Catalogue, default_catalogue

logger = logging.getLogger(__name__)

# Stored text is capped where feeds are unbounded (feeds.py does not truncate).
TITLE_MAX = 500
SUMMARY_MAX = 20_000
URL_MAX = 2000
# Feeds `scan` fetches at once: enough to hide the latency of distant servers, few enough to
# be a polite client and to keep at most 2 x FETCH_THREADS fetched feeds in memory.
FETCH_THREADS = 4
# Item keys looked up per query when a scan tells new items from known ones (SQLite's default
# limit of query parameters is 999 before 3.32).
KEY_BATCH = 500


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
    if len(address) > URL_MAX:
        raise ValidationError({"url": _("The address is too long.")})
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
    too_long: list[str] = field(default_factory=list)  # addresses over URL_MAX, not followed


@transaction.atomic
def opml_import(
    *,
    region: Region,
    municipality: Municipality | None,
    data: bytes,
    added_by: User | None = None,
) -> OpmlImport:
    """Follow every feed an OPML file lists; raises OpmlError (nothing added) for a bad file."""
    if municipality is not None and municipality.region_id != region.pk:
        raise ValidationError(_("The municipality is not in this region."))
    document = parse_opml(data)
    followed = set(
        Feed.objects.filter(**_owner(region, municipality)).values_list("url", flat=True)
    )
    added: list[Feed] = []
    already: list[str] = []
    too_long: list[str] = []
    for item in document.feeds:
        if item.url in followed:
            already.append(item.url)
            continue
        if len(item.url) > URL_MAX:
            too_long.append(item.url)
            continue
        added.append(
            Feed.objects.create(
                **_owner(region, municipality),
                url=item.url,
                title=item.title[:300],
                # A cut address leads nowhere: an overlong one is left out.
                site_url=item.html_url if len(item.html_url) <= URL_MAX else "",
                folder=" / ".join(item.folder)[:300],
                added_by=added_by,
            )
        )
        followed.add(item.url)
    return OpmlImport(document, added, already, too_long)


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


# A ScanResult status besides FetchStatus: the feed was removed while it was being scanned, and
# what the scan found was dropped with it.
REMOVED = "removed"
# The error code of a scan stopped by an error nobody foresaw; it is logged, not stored.
UNEXPECTED = "unexpected"


@dataclass
class ScanResult:
    feed: Feed
    status: str  # a FetchStatus, or REMOVED
    new_signals: int = 0
    reason: str = ""  # why it failed, in the active language
    error_code: str = ""  # the failure's stable code (stored on the feed), UNEXPECTED for a bug


def _suggest(region_id: int, signals: list[Signal]) -> None:
    if not signals:
        return
    if Wave.objects.filter(region_id=region_id).count() < 2:
        return  # nothing to choose between yet (the catalogue is not seeded): no suggestions
    classifier = selectors.classifier_for(region=Region.objects.get(pk=region_id))
    texts = [signal_text(s.title, s.summary_text or s.note) for s in signals]
    for signal, suggestions in zip(signals, classifier.suggest_all(texts), strict=True):
        signal.suggestions = [[s.wave_key, round(s.score, 4)] for s in suggestions[:3]]


def _update(feed: Feed, **values: Any) -> bool:
    """Write `values` to the feed's row and to `feed`; False if the row is gone.

    A scan may take minutes, and a group member may remove a feed meanwhile: `save()` would then
    insert the feed again (and its signals with it). An UPDATE touches only a row that is there,
    and inside a transaction it holds the row until the signals are stored.
    """
    values["updated_at"] = timezone.now()
    for name, value in values.items():
        setattr(feed, name, value)
    return Feed.objects.filter(pk=feed.pk).update(**values) == 1


def _failed(feed: Feed, error: FetchError | FeedError, now: datetime) -> ScanResult:
    stored = _update(
        feed,
        status=FetchStatus.ERROR,
        checked_at=now,
        error_code=error.code,
        error_params=error.params,
        failures=feed.failures + 1,
    )
    if not stored:
        return ScanResult(feed, REMOVED)
    return ScanResult(feed, FetchStatus.ERROR, reason=error.reason, error_code=error.code)


def feed_scan(*, feed: Feed, limits: FetchLimits = DEFAULT_LIMITS) -> ScanResult:
    """Fetch a feed and store its new items as signals, with suggested waves.

    A failure is recorded on the feed (a stable code and its parameters) and returned, never
    raised: one bad feed must not stop a scan of many.
    """
    return _store(feed, _fetch(feed, limits))


def _fetch(feed: Feed, limits: FetchLimits) -> FetchResult | FetchError:
    """Fetch a feed with its validators; a failure is returned, not raised. No database here:
    `scan` runs this in its fetching threads."""
    try:
        return fetch(
            feed.url,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            limits=limits,
        )
    except FetchError as error:
        return error


def _store(feed: Feed, fetched: FetchResult | FetchError) -> ScanResult:
    if isinstance(fetched, FetchError):
        return _failed(feed, fetched, timezone.now())
    return feed_ingest(feed=feed, fetched=fetched)


def feed_ingest(*, feed: Feed, fetched: FetchResult) -> ScanResult:
    """Store what a fetch of the feed brought: its new items as signals, with suggested waves."""
    now = timezone.now()
    cleared: dict[str, Any] = {
        "checked_at": now,
        "failures": 0,
        "error_code": "",
        "error_params": {},
    }
    if fetched.not_modified:
        stored = _update(
            feed,
            status=FetchStatus.NOT_MODIFIED,
            # A 304 may bring new validators; FetchResult repeats the ones sent if it does not.
            etag=fetched.etag or feed.etag,
            last_modified=fetched.last_modified or feed.last_modified,
            **cleared,
        )
        return ScanResult(feed, FetchStatus.NOT_MODIFIED if stored else REMOVED)
    try:
        parsed = parse_feed(
            fetched.content, url=fetched.final_url, content_type=fetched.content_type
        )
    except FeedError as error:
        return _failed(feed, error, now)

    fresh: dict[str, Signal] = {}
    for item in parsed.items:
        signal = _signal(feed, item)
        fresh.setdefault(signal.item_key, signal)
    keys = list(fresh)
    for start in range(0, len(keys), KEY_BATCH):
        known = Signal.objects.filter(feed=feed, item_key__in=keys[start : start + KEY_BATCH])
        for key in known.values_list("item_key", flat=True):
            del fresh[key]
    new = list(fresh.values())
    _suggest(feed.region_id, new)
    values: dict[str, Any] = {
        "title": feed.title or parsed.title[:300],
        "site_url": feed.site_url or (parsed.link if len(parsed.link) <= URL_MAX else ""),
        "is_podcast": parsed.is_podcast,
        "etag": fetched.etag or "",
        "last_modified": fetched.last_modified or "",
        "status": FetchStatus.OK,
        "warnings": [{"code": w.code, "params": dict(w.params)} for w in parsed.warnings],
        **cleared,
    }
    with transaction.atomic():
        if fetched.permanent_url and fetched.permanent_url != feed.url:
            moved = Feed.objects.filter(
                region_id=feed.region_id,
                municipality=feed.municipality,
                url=fetched.permanent_url,
            )
            if len(fetched.permanent_url) <= URL_MAX and not moved.exists():
                values["url"] = fetched.permanent_url
        # The feed's row first: it is locked until the signals are in, so a removal waits.
        if not _update(feed, **values):
            return ScanResult(feed, REMOVED)
        Signal.objects.bulk_create(new, ignore_conflicts=True)
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

    def count(self, status: str) -> int:
        """How many feeds ended with this status."""
        return sum(r.status == status for r in self.results)


def _scan_one(feed: Feed, fetching: Future[FetchResult | FetchError]) -> ScanResult:
    """Store a fetched feed; a failure result (logged, not stored) for an error nobody foresaw."""
    try:
        return _store(feed, fetching.result())
    except Exception:
        # A bug or a database failure: the feed keeps its last status, the scan goes on.
        logger.exception("scanning feed %s (%s) failed unexpectedly", feed.pk, feed.url)
        return ScanResult(
            feed,
            FetchStatus.ERROR,
            reason=_("An unexpected error stopped the scan of this feed; it has been logged."),
            error_code=UNEXPECTED,
        )


def scan(
    *,
    feeds: Iterable[Feed],
    limits: FetchLimits = DEFAULT_LIMITS,
    progress: Callable[[ScanResult], None] | None = None,
    threads: int = FETCH_THREADS,
) -> ScanSummary:
    """Scan feeds in their order, fetching up to `threads` at once; `progress` hears of each
    feed as it is done.

    A fetch mostly waits for a distant server, so a few run at once in threads of their own
    (they touch no database); each fetched feed is then parsed, classified and stored here, one
    after another, on this thread's database connection. At most two fetched feeds per thread
    wait their turn, so memory stays bounded whatever the number of feeds.
    """
    summary = ScanSummary()
    pending = iter(feeds)
    waiting: deque[tuple[Feed, Future[FetchResult | FetchError]]] = deque()
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="feed-fetch")

    def fill() -> None:
        while len(waiting) < 2 * max(1, threads):
            feed = next(pending, None)
            if feed is None:
                return
            waiting.append((feed, pool.submit(_fetch, feed, limits)))

    try:
        fill()
        while waiting:
            feed, fetching = waiting.popleft()
            fill()
            result = _scan_one(feed, fetching)
            summary.results.append(result)
            if progress is not None:
                progress(result)
    finally:
        # Interrupted (Ctrl-C, a worker stopping): fetches not started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
    return summary


def scan_enqueue(*, feeds: Iterable[Feed]) -> str:
    """Scan feeds in the background (`forandra worker` runs it); the id of its task result."""
    from . import tasks  # imported here: tasks imports this module

    return str(tasks.scan_feeds.enqueue([feed.pk for feed in feeds]).id)


def signal_add(
    *,
    municipality: Municipality,
    title: str,
    link: str = "",
    note: str = "",
    added_by: User | None = None,
) -> Signal:
    """A signal a group member noticed and wrote down, with suggested waves."""
    title, link = title.strip(), link.strip()
    if not title:
        raise ValidationError({"title": _("Write what you noticed, in a few words.")})
    if link:
        # Shown as a link on the signal's page: only http and https, never javascript: or data:.
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            message = _("Give a web address that starts with http:// or https://.")
            raise ValidationError({"link": message}) from None
        if len(link) > URL_MAX:
            raise ValidationError({"link": _("The address is too long.")})
    signal = Signal(
        region_id=municipality.region_id,
        municipality=municipality,
        title=title[:TITLE_MAX],
        link=link,
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


# --- The region's waves catalogue (edited by the coordinator) ------------------------------------

WAVE_KEY_MAX = 60
WAVE_NAME_MAX = 150
WAVE_DESCRIPTION_MAX = 5000
KEYWORD_MAX = 100
KEYWORDS_MAX = 200
_WAVE_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


def _keywords(values: Iterable[str]) -> list[str]:
    """Keywords as stored: spacing tidied, empty ones gone, each once (in any letter case)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        word = " ".join(value.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            kept.append(word)
    return kept


def _wave_fields(
    *,
    name_sv: str,
    name_en: str,
    description_sv: str,
    description_en: str,
    keywords_sv: Iterable[str],
    keywords_en: Iterable[str],
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """A wave's texts, checked; problems go into `errors` by field."""
    names = {"name_sv": " ".join(name_sv.split()), "name_en": " ".join(name_en.split())}
    required = {
        "name_sv": _("Write the wave's name in Swedish."),
        "name_en": _("Write the wave's name in English."),
    }
    for name, value in names.items():
        if not value:
            errors[name] = [required[name]]
        elif len(value) > WAVE_NAME_MAX:
            errors[name] = [
                _("The name is longer than %(limit)s characters.") % {"limit": WAVE_NAME_MAX}
            ]
    descriptions = {
        "description_sv": description_sv.strip(),
        "description_en": description_en.strip(),
    }
    for name, value in descriptions.items():
        if len(value) > WAVE_DESCRIPTION_MAX:
            errors[name] = [
                _("The description is longer than %(limit)s characters.")
                % {"limit": WAVE_DESCRIPTION_MAX}
            ]
    keywords = {"sv": _keywords(keywords_sv), "en": _keywords(keywords_en)}
    for language, words in keywords.items():
        long = [word for word in words if len(word) > KEYWORD_MAX]
        if long:
            errors[f"keywords_{language}"] = [
                _("“%(word)s” is longer than %(limit)s characters: a keyword is a word or two.")
                % {"word": long[0][:40] + "…", "limit": KEYWORD_MAX}
            ]
        elif len(words) > KEYWORDS_MAX:
            errors[f"keywords_{language}"] = [
                _("There are more than %(limit)s keywords.") % {"limit": KEYWORDS_MAX}
            ]
    return {**names, **descriptions, "keywords": keywords}


def wave_create(
    *,
    region: Region,
    key: str,
    name_sv: str,
    name_en: str,
    description_sv: str = "",
    description_en: str = "",
    keywords_sv: Iterable[str] = (),
    keywords_en: Iterable[str] = (),
) -> Wave:
    """Add a wave to the end of the region's catalogue; its key is unique in the region."""
    errors: dict[str, list[str]] = {}
    key = key.strip()
    if not key:
        errors["key"] = [_("Give the wave a key, such as open_data.")]
    elif len(key) > WAVE_KEY_MAX or not _WAVE_KEY.fullmatch(key):
        errors["key"] = [
            _(
                "Use at most %(limit)s lower-case letters a–z and digits, joined by single "
                "hyphens or underscores, such as open_data."
            )
            % {"limit": WAVE_KEY_MAX}
        ]
    elif Wave.objects.filter(region=region, key=key).exists():
        errors["key"] = [_("The region already has a wave with this key.")]
    fields = _wave_fields(
        name_sv=name_sv,
        name_en=name_en,
        description_sv=description_sv,
        description_en=description_en,
        keywords_sv=keywords_sv,
        keywords_en=keywords_en,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    last = (
        Wave.objects.filter(region=region)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            return Wave.objects.create(
                region=region,
                key=key,
                position=0 if last is None else last + 1,
                examples={"sv": [], "en": []},
                **fields,
            )
    except IntegrityError:  # added by someone else since the check above
        raise ValidationError({"key": _("The region already has a wave with this key.")}) from None


def wave_update(
    *,
    wave: Wave,
    name_sv: str,
    name_en: str,
    description_sv: str = "",
    description_en: str = "",
    keywords_sv: Iterable[str] = (),
    keywords_en: Iterable[str] = (),
) -> Wave:
    """Change a wave's names, descriptions and keywords; its key stays (placements and signals'
    suggestions refer to it)."""
    errors: dict[str, list[str]] = {}
    fields = _wave_fields(
        name_sv=name_sv,
        name_en=name_en,
        description_sv=description_sv,
        description_en=description_en,
        keywords_sv=keywords_sv,
        keywords_en=keywords_en,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(wave, name, value)
    # updated_at changes too: the classifier is trained again when a wave changes.
    wave.save(update_fields=[*fields, "updated_at"])
    return wave


# --- A radar from a Build Your Own Radar file ----------------------------------------------------

_ORDER = tuple(ring.value for ring in selectors.ORDER)  # from the centre out


@dataclass(frozen=True)
class PlacementRow:
    """One wave as a radar file places it. `movement` is the file's: it counts where the wave
    keeps the ring it already has (or is not placed yet), see `placements_import`."""

    wave: Wave
    ring: str
    movement: Movement = Movement.NEW
    rationale: str = ""
    row: int | None = None  # where in the file, for messages
    json: bool = False


def _possible(ring: str, movement: Movement) -> bool:
    """A wave in the outermost ring cannot have moved in, nor one at the centre moved out."""
    if movement == Movement.MOVED_IN:
        return ring != _ORDER[-1]
    if movement == Movement.MOVED_OUT:
        return ring != _ORDER[0]
    return True


def _previous_ring(row: PlacementRow, current: Placement | None) -> str:
    """The ring before, such that the placement shows the movement the file states."""
    if row.movement == Movement.NEW:
        return ""
    if row.movement == Movement.UNCHANGED:
        return row.ring
    if (
        current is not None
        and current.ring == row.ring
        and current.previous_ring
        and selectors.movement(current) == row.movement
    ):
        return current.previous_ring  # keep the ring it really came from
    index = _ORDER.index(row.ring)
    return _ORDER[index + 1] if row.movement == Movement.MOVED_IN else _ORDER[index - 1]


@transaction.atomic
def placements_import(
    *, municipality: Municipality, rows: Iterable[PlacementRow], by: User | None = None
) -> list[Placement]:
    """Place every wave a radar file names, all or nothing; waves it leaves out stay as they are.

    A wave the file moves to another ring moves from where it stood, as `placement_set` does. A
    wave the file leaves in its ring, or that is not placed yet, shows the movement the file
    states: so a radar exported and imported again is the same radar, in the same municipality
    or another."""
    rows = list(rows)
    problems: list[byor.Problem] = []
    seen: dict[int, PlacementRow] = {}
    for row in rows:
        if row.wave.region_id != municipality.region_id:
            problems.append(
                byor.Problem(
                    row.row, "quadrant", _("A wave of another region cannot be placed."), row.json
                )
            )
        if row.ring not in _ORDER:
            problems.append(
                byor.Problem(row.row, "ring", _("Choose one of the four rings."), row.json)
            )
        elif not _possible(row.ring, row.movement):
            problems.append(byor.Problem(row.row, "status", _impossible(row), row.json))
        if row.wave.pk in seen:
            first = seen[row.wave.pk]
            template = (
                _("“%(wave)s” is placed in entry %(row)s already: a wave has one place.")
                if row.json
                else _("“%(wave)s” is placed in row %(row)s already: a wave has one place.")
            )
            problems.append(
                byor.Problem(
                    row.row,
                    "quadrant",
                    template % {"wave": row.wave.name, "row": first.row},
                    row.json,
                )
            )
        else:
            seen[row.wave.pk] = row
    if problems:
        raise byor.ByorError(problems[: byor.MAX_PROBLEMS])

    current = {
        placement.wave_id: placement
        for placement in Placement.objects.select_for_update().filter(municipality=municipality)
    }
    placed = []
    for row in rows:
        placement = current.get(row.wave.pk)
        if placement is not None and placement.ring != row.ring:
            placed.append(
                placement_set(
                    municipality=municipality,
                    wave=row.wave,
                    ring=row.ring,
                    rationale=row.rationale,
                    by=by,
                )
            )
            continue
        previous = _previous_ring(row, placement)
        rationale = row.rationale.strip()
        if placement is None:
            placement = Placement.objects.create(
                municipality=municipality,
                wave=row.wave,
                ring=row.ring,
                previous_ring=previous,
                rationale=rationale,
                placed_by=by,
            )
        elif (placement.previous_ring, placement.rationale) != (previous, rationale):
            placement.previous_ring, placement.rationale = previous, rationale
            placement.placed_by = by
            placement.save()
        placed.append(placement)
    return placed


def _impossible(row: PlacementRow) -> str:
    if row.movement == Movement.MOVED_IN:
        return _("A wave in Watch cannot have moved in: Watch is the outermost ring.")
    return _("A wave in Adopt cannot have moved out: Adopt is the innermost ring.")


def _csv_rows(data: bytes | str) -> list[int]:
    """The row numbers of the blips of a BYOR CSV file that byor.import_csv read, in order: it
    counts rows as a spreadsheet does and skips blank ones, and so does this."""
    text = byor._decode(data)
    lines = text.splitlines()
    delimiter = None
    if lines and (match := re.fullmatch(r"\s*sep=(.)\s*", lines[0])):
        delimiter, text = match[1], text.split("\n", 1)[1] if "\n" in text else ""
    header = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter or byor._delimiter(header),
        strict=True,
    )
    records = [(number, record) for number, record in enumerate(reader, start=1)]
    while records and not any(cell.strip() for cell in records[0][1]):
        records.pop(0)
    return [number for number, record in records[1:] if any(cell.strip() for cell in record)]


def _is_json(data: bytes, filename: str) -> bool:
    name = filename.lower()
    if name.endswith(".json"):
        return True
    if name.endswith((".csv", ".txt", ".tsv")):
        return False
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start in (b"[", b"{")


def radar_import(
    *, municipality: Municipality, data: bytes, filename: str = "", by: User | None = None
) -> list[Placement]:
    """Place the waves a Build Your Own Radar file (CSV or JSON) names on the municipality's
    radar. Raises byor.ByorError listing every problem, by row and column; then nothing is
    placed."""
    waves = {wave.key: wave for wave in selectors.waves_for(region=municipality.region)}
    sectors = selectors.wave_sectors(waves=waves.values())
    as_json = _is_json(data, filename)
    radar = (
        byor.import_json(data, sectors=sectors)
        if as_json
        else byor.import_csv(data, sectors=sectors)
    )
    if not radar.blips:
        raise byor.ByorError([byor.Problem(None, None, _("The file places no waves."))])
    numbers: list[int | None] = [*range(1, len(radar.blips) + 1)] if as_json else [*_csv_rows(data)]
    if len(numbers) != len(radar.blips):  # never expected; then say which wave, not which row
        numbers = [None] * len(radar.blips)
    return placements_import(
        municipality=municipality,
        rows=[
            PlacementRow(
                wave=waves[blip.sector],
                ring=blip.ring,
                movement=blip.movement,
                rationale=blip.description,
                row=number,
                json=as_json,
            )
            for blip, number in zip(radar.blips, numbers, strict=True)
        ],
        by=by,
    )
