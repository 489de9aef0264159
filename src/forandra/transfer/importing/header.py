"""The first checks: the file is JSON, a Förändra archive of a version this release reads, and
from a database with the same migrations as this one (so the same tables and fields)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from forandra.transfer import registry
from forandra.transfer.exporting import schema

from .problems import ArchiveRefusedError, Problems

KNOWN_KEYS = ("format", "version", "scope", "schema", "files", "models")


def parse(data: bytes) -> dict[str, Any]:
    """The archive's JSON, or refused with the line and column where it stops being JSON."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ArchiveRefusedError(
            [_("The file is not UTF-8 text (line %(line)d).") % {"line": line}]
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveRefusedError(
            [
                _("The file is not valid JSON at line %(line)d, column %(column)d: %(error)s.")
                % {"error": error.msg, "line": error.lineno, "column": error.colno}
            ]
        ) from None
    if not isinstance(document, dict):
        raise ArchiveRefusedError([_("The file is JSON but not a Förändra archive.")])
    return document


def check_header(document: dict[str, Any], using: str) -> None:
    """Format, version, the parts of the archive and the schema; nothing else is read if one
    of them is wrong."""
    if document.get("format") != registry.FORMAT:
        raise ArchiveRefusedError(
            [
                _('The file is not a Förändra archive: its "format" is %(format)s, not "%(want)s".')
                % {"format": json.dumps(document.get("format")), "want": registry.FORMAT}
            ]
        )
    version = document.get("version")
    if version != registry.VERSION:
        raise ArchiveRefusedError(
            [
                _(
                    "The archive is version %(version)s; this release of Förändra reads "
                    "version %(want)d."
                )
                % {"version": json.dumps(version), "want": registry.VERSION}
            ]
        )
    problems = Problems()
    for key in document:
        if key not in KNOWN_KEYS:
            problems.add(_('Unknown key "%(key)s" at the top of the archive.') % {"key": key})
    for key in KNOWN_KEYS[2:]:
        if not isinstance(document.get(key), dict):
            problems.add(_('The archive has no "%(key)s" object.') % {"key": key})
    if problems:
        raise problems.refuse()
    here = schema(using)
    there = document["schema"]
    for app in sorted(set(here) | set(there)):
        if here.get(app) == there.get(app):
            continue
        problems.add(
            _(
                "The archive comes from a database whose %(app)s migrations differ from this "
                "one's (archive: %(theirs)s; here: %(mine)s): import it with the release that "
                "exported it, then upgrade."
            )
            % {"app": app, "theirs": _latest(there.get(app)), "mine": _latest(here.get(app))}
        )
    if problems:
        raise problems.refuse()


def _latest(names: Any) -> str:
    if not names:
        return _("none")
    if not isinstance(names, list):
        return json.dumps(names)
    return str(sorted(str(name) for name in names)[-1])
