"""What is wrong with an archive: one line per problem, each naming where it is."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forandra.transfer import registry

MAX_PROBLEMS = 50  # more than this would not help anyone; the count of the rest is given


class ArchiveRefusedError(Exception):
    """The archive cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Problems:
    """The problems found so far; past MAX_PROBLEMS only counted."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0
        self.clashes = 0  # rows that clash with the database's

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.lines)

    def refuse(self) -> ArchiveRefusedError:
        lines = list(self.lines)
        if self.more:
            lines.append(_("… and %(count)d more problems.") % {"count": self.more})
        if self.clashes:
            lines.append(
                ngettext(
                    "%(count)d row clashes with the database's: an archive goes into an empty "
                    "database (made with `forandra migrate` alone) or the one it came from.",
                    "%(count)d rows clash with the database's: an archive goes into an empty "
                    "database (made with `forandra migrate` alone) or the one it came from.",
                    self.clashes,
                )
                % {"count": self.clashes}
            )
        return ArchiveRefusedError(lines)


def where(model: type[models.Model], pk: Any, name: str | None = None) -> str:
    """`plans.plan pk 3, field 'title'`: the row (and field) a problem is in."""
    names = {
        "model": registry.label(model),
        "pk": json.dumps(pk, default=str, ensure_ascii=False),
        "field": name,
    }
    if name is None:
        return _("%(model)s pk %(pk)s") % names
    return _("%(model)s pk %(pk)s, field '%(field)s'") % names
