"""How long work reports how far it has come (the commands show it as a progress bar)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int) -> None:
        """A phase begins: `total` rows to go."""

    def update(self, count: int) -> None:
        """`count` more rows done."""


class Silent:
    """No progress shown."""

    def start(self, description: str, total: int) -> None:
        pass

    def update(self, count: int) -> None:
        pass
