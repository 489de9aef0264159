"""Background work for scanning, run by django-tasks (`forandra worker` works the queue).

A task's arguments and return value are stored as JSON, so the task takes feed ids and returns
plain values. What a page shows of a scan in progress comes from the feeds themselves: each feed
records its status, time and any failure as soon as it is scanned.
"""

from __future__ import annotations

from django_tasks import task

from . import services
from .models import Feed


@task()
def scan_feeds(feed_ids: list[int]) -> dict[str, object]:
    """Scan the feeds with these ids, in this order; a feed removed since enqueueing is skipped."""
    by_id = Feed.objects.in_bulk(feed_ids)
    feeds = [by_id[pk] for pk in dict.fromkeys(feed_ids) if pk in by_id]
    summary = services.scan(feeds=feeds)
    return {
        "feeds": [
            {
                "id": result.feed.pk,
                "status": result.status,
                "new_signals": result.new_signals,
                "error_code": result.error_code,
            }
            for result in summary.results
        ],
        "new_signals": summary.new_signals,
        "failed": len(summary.failed),
    }
