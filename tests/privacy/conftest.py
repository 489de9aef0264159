"""The personal data tests read the English texts."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_english(english_pages: None) -> None:
    """These tests read the English texts (see tests/conftest.py, english_pages)."""
