"""The transfer tests read English messages, whatever language an earlier test left active
(Swedish is the default, and its catalogue will translate these messages)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield
