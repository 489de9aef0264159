"""Tasks for the worker tests: a slow one that leaves marks in a folder as it goes."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow(folder: str, seconds: float) -> str:
    """Writes `started`, sleeps, then writes `done` (each time it runs, a line more)."""
    with (Path(folder) / "started").open("a") as marks:
        marks.write("x\n")
    time.sleep(seconds)
    with (Path(folder) / "done").open("a") as marks:
        marks.write("x\n")
    return "slept"
