"""`forandra scan`: fetch feeds now, store their new items as signals, a line per feed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services
from forandra.scanning.models import Feed, FetchStatus
from forandra.scanning.opml import OpmlError

# Exit statuses, as the help says.
OK, FAILURES, USAGE = 0, 1, 2


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's order of options, and the description's paragraphs as written."""


class Command(BaseCommand):
    help = """Scan feeds now: fetch each one, store its new items as signals with suggested waves,
and print a line per feed (its number, title, and the new signals or why it failed)
and a summary. A failure is also stored on its feed; it never stops the other feeds.

Choose the feeds with one of:
  --municipality CODE  the municipality's feeds and its region's curated ones
  --region CODE        the region's curated feeds and those of all its municipalities
  --all                every feed
  --feed ID            one feed (repeat for more)

--opml FILE first imports the feeds an OPML file lists (podcast apps export one): with
--municipality into that municipality's feeds, with --region into the region's curated
feeds. Feeds already followed are not added twice.

Exit status: 0 when every feed was read or was unchanged; 1 when one or more feeds failed
(the others were still scanned); 2 for bad arguments (an unknown code or id, no choice of
feeds, an OPML file that cannot be read)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--municipality", metavar="CODE", help="a municipality's code")
        which.add_argument("--region", metavar="CODE", help="a region's (county's) code")
        which.add_argument("--all", action="store_true", help="every feed")
        which.add_argument(
            "--feed", metavar="ID", type=int, action="append", help="a feed's id (repeatable)"
        )
        parser.add_argument(
            "--opml", metavar="FILE", type=Path, help="import this OPML file's feeds first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        feeds = self.feeds(options)
        total = len(feeds)
        if not total:
            self.stdout.write(_("No feeds to scan."))
            return
        width = len(str(total))
        counter = 0

        def progress(result: services.ScanResult) -> None:
            nonlocal counter
            counter += 1
            self.stdout.write(
                _("[%(counter)s/%(total)s] %(feed)s: %(outcome)s")
                % {
                    "counter": str(counter).rjust(width),
                    "total": total,
                    "feed": result.feed.title or result.feed.url,
                    "outcome": outcome(result),
                }
            )

        summary = services.scan(feeds=feeds, progress=progress)
        self.stdout.write(
            _(
                "Feeds scanned: %(total)d (read: %(ok)d, unchanged: %(unchanged)d, failed: "
                "%(failed)d). New signals: %(new)d."
            )
            % {
                "total": total,
                "ok": summary.count(FetchStatus.OK),
                "unchanged": summary.count(FetchStatus.NOT_MODIFIED),
                "failed": len(summary.failed),
                "new": summary.new_signals,
            }
        )
        if summary.failed:
            raise CommandError(
                _("%(failed)d of %(total)d feeds failed; the reasons are above.")
                % {"failed": len(summary.failed), "total": total},
                returncode=FAILURES,
            )

    def feeds(self, options: dict[str, Any]) -> list[Feed]:
        """The chosen feeds, after the OPML import if one was asked for."""
        municipality = region = None
        if options["municipality"]:
            municipality = self.municipality(options["municipality"])
        elif options["region"]:
            region = self.region(options["region"])
        elif not options["all"] and not options["feed"]:
            raise CommandError(
                _("Choose the feeds to scan: --municipality, --region, --all or --feed."),
                returncode=USAGE,
            )
        if options["opml"]:
            if municipality is None and region is None:
                raise CommandError(
                    _("--opml needs --municipality or --region: the feeds are added there."),
                    returncode=USAGE,
                )
            self.opml_import(options["opml"], municipality, region)

        chosen: QuerySet[Feed]
        if municipality is not None:
            chosen = selectors.feeds_for(municipality=municipality)
        elif region is not None:
            chosen = selectors.region_feeds(region=region)
        elif options["feed"]:
            ids: list[int] = list(dict.fromkeys(options["feed"]))
            found = Feed.objects.in_bulk(ids)
            missing = [str(pk) for pk in ids if pk not in found]
            if missing:
                raise CommandError(
                    _("No feed has the id %(ids)s.") % {"ids": ", ".join(missing)},
                    returncode=USAGE,
                )
            return [found[pk] for pk in ids]
        else:
            chosen = Feed.objects.all()
        return list(chosen.order_by("region", "municipality", "title", "url", "pk"))

    def municipality(self, code: str) -> Municipality:
        try:
            return municipality_selectors.municipality_get(code=code)
        except Municipality.DoesNotExist:
            raise CommandError(
                _("No municipality has the code %(code)s.") % {"code": code}, returncode=USAGE
            ) from None

    def region(self, code: str) -> Region:
        try:
            return municipality_selectors.region_get(code=code)
        except Region.DoesNotExist:
            raise CommandError(
                _("No region has the code %(code)s.") % {"code": code}, returncode=USAGE
            ) from None

    def opml_import(
        self, path: Path, municipality: Municipality | None, region: Region | None
    ) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror},
                returncode=USAGE,
            ) from None
        owner = municipality.region if municipality is not None else region
        assert owner is not None
        try:
            imported = services.opml_import(region=owner, municipality=municipality, data=data)
        except OpmlError as error:
            raise CommandError(f"{path}: {error.reason}", returncode=USAGE) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=USAGE) from None
        self.stdout.write(
            _("%(file)s: feeds added: %(added)d, already followed: %(already)d.")
            % {"file": path, "added": len(imported.added), "already": len(imported.already)}
        )
        for skipped in imported.document.skipped:
            self.stdout.write(skipped.message)
        for address in imported.too_long:
            self.stdout.write(
                _("%(url)s is too long an address and was skipped.") % {"url": address[:80]}
            )


def outcome(result: services.ScanResult) -> str:
    """What became of one feed, for its progress line."""
    if result.status == FetchStatus.OK:
        return ngettext("%(count)d new signal", "%(count)d new signals", result.new_signals) % {
            "count": result.new_signals
        }
    if result.status == FetchStatus.NOT_MODIFIED:
        return _("unchanged since the last scan")
    if result.status == services.REMOVED:
        return _("removed while it was being scanned")
    return _("failed: %(reason)s") % {"reason": result.reason}
