"""Forms for scanning: feeds, OPML files, signals, wave confirmations, radar placements."""

from __future__ import annotations
