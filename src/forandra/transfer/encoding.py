"""How values are written into an archive: JSON, with nothing lost on the way.

Django's own JSON encoder cuts times to milliseconds; this one keeps every microsecond, so a
value read back is the value written. Decimals are written as strings (a JSON number would pass
through a float), UUIDs and durations as Django's serializers write them.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

from django.utils.duration import duration_iso_string


class ArchiveEncoder(json.JSONEncoder):
    """JSON for the values Django's Python serializer leaves as they are."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal):
            return str(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        return super().default(o)


def dumps(value: Any) -> str:
    """One value as compact, readable JSON (UTF-8 letters as they are)."""
    return json.dumps(value, cls=ArchiveEncoder, ensure_ascii=False)


def sort_key(value: Any) -> tuple[int, Any]:
    """An order for primary keys and many-to-many values: numbers by value, anything else by
    its JSON text, so the order never depends on a database's collation."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, dumps(value))


def plain(value: Any) -> Any:
    """A value as it reads back from the archive's JSON (for comparing with what was read)."""
    return json.loads(dumps(value))
