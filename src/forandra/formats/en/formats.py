"""English dates as British English writes them ("28 Nov 2026"), not the American 11/28/2026
of Django's own "en" formats. Swedish uses Django's "sv" formats (2026-11-28)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
