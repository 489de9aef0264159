"""What the transfer commands share: exit statuses, help layout, progress bars, output files.

Exit statuses (the same for every command of this app, and said in each one's help):
0 done; 1 refused or failed (an invalid archive or instrument, a clash, a database that cannot
be exported); 2 wrong usage (an unknown option, code, plan or file; an output file that exists).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

from django.core.management.base import CommandError, DjangoHelpFormatter, OutputWrapper
from django.utils.translation import gettext as _
from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs in the dev dependencies

from forandra.core.health import check_migrations

OK, REFUSED, USAGE = 0, 1, 2
STDIO = "-"


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's order of options, and the description's paragraphs as written."""


def stream_of(wrapper: OutputWrapper | IO[str]) -> Any:
    """The stream a command's stdout or stderr writes to."""
    return getattr(wrapper, "_out", wrapper)


class Bar:
    """A progress bar on standard error when that is a terminal; in a pipe, a log or a test,
    nothing (so no output a script reads is disturbed). `start` begins a phase, `update` counts.
    """

    def __init__(self, stderr: OutputWrapper) -> None:
        stream = stream_of(stderr)
        self.bar: Any = None
        if hasattr(stream, "isatty") and stream.isatty():
            # Shown after half a second, so a quick run leaves no trace on the terminal.
            self.bar = tqdm(file=stream, unit=" rows", unit_scale=True, leave=False, delay=0.5)

    def start(self, description: str, total: int) -> None:
        if self.bar is not None:
            self.bar.reset(total=total)
            self.bar.set_description(description)

    def update(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def progress(stderr: OutputWrapper) -> Iterator[Bar]:
    """A `Bar` (see there), closed at the end."""
    bar = Bar(stderr)
    try:
        yield bar
    finally:
        bar.close()


def number(value: int) -> str:
    """12 345: thousands apart by a space, as in Swedish and in SI style."""
    return f"{value:,}".replace(",", " ")


def require_migrated() -> None:
    """Refuse to work on a database with migrations still to apply (tables would be missing)."""
    migrations = check_migrations()
    if not migrations.ok:
        raise CommandError(
            _("The database is not ready: %(detail)s.") % {"detail": migrations.detail},
            returncode=REFUSED,
        )


def output_path(value: str, *, force: bool) -> Path | None:
    """The file to write (None for standard output), or a usage error if it cannot be."""
    if value == STDIO:
        return None
    path = Path(value)
    if path.exists() and not force:
        raise CommandError(
            _("%(path)s exists already: choose a new name, or give --force to replace it.")
            % {"path": path},
            returncode=USAGE,
        )
    if not path.resolve().parent.is_dir():
        raise CommandError(
            _("The folder %(folder)s does not exist.") % {"folder": path.resolve().parent},
            returncode=USAGE,
        )
    return path


@contextmanager
def text_output(path: Path | None, stdout: OutputWrapper) -> Iterator[TextIO]:
    """Write UTF-8 text to `path` (through a temporary name, renamed when complete, so a
    failed export never leaves half a file under the real name) or to standard output."""
    if path is None:
        stream = stream_of(stdout)
        binary = getattr(stream, "buffer", None)
        if binary is None:
            yield stream  # a text stream without bytes underneath (a test's StringIO)
            return
        stream.flush()
        wrapper = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        try:
            yield wrapper
            wrapper.flush()
        except BrokenPipeError:
            # The reader went away (`forandra export | head`): say so once, without a trace.
            os.dup2(os.open(os.devnull, os.O_WRONLY), binary.fileno())
            raise CommandError(
                _("Standard output was closed before the end: the output is incomplete."),
                returncode=REFUSED,
            ) from None
        finally:
            wrapper.detach()  # standard output stays open
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as file:
            yield file
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_bytes(path: Path | None, data: bytes, stdout: OutputWrapper) -> None:
    """Write bytes to `path` (through a temporary name) or to standard output."""
    if path is None:
        stream = stream_of(stdout)
        binary = getattr(stream, "buffer", None)
        if binary is None:
            stream.write(data.decode("utf-8", errors="replace"))
            return
        stream.flush()
        binary.write(data)
        binary.flush()
        return
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read_input(value: str) -> tuple[str, bytes]:
    """The file's name (for messages) and its bytes; standard input for "-"."""
    if value == STDIO:
        return _("standard input"), sys.stdin.buffer.read()
    path = Path(value)
    try:
        return str(path), path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path, "error": error.strerror},
            returncode=USAGE,
        ) from None
