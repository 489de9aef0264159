"""Single sign-on tests: a local OpenID Connect provider on 127.0.0.1, and settings pointing at it.

The browser test reuses the browser fixtures of tests/browser by importing them; their live server
must listen on 127.0.0.1 (the browser reaches nothing else), which that package's
`pytest_configure` sees to, imported here for runs of this folder alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from forandra.accounts import sso
from tests.browser.conftest import pytest_configure  # noqa: F401 (a hook, found by its name)

from .provider import LocalProvider


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    """The local provider, approving member@example.org (the `users` fixture's member)."""
    with LocalProvider(email="member@example.org") as running:
        yield running


@pytest.fixture
def sso_on(provider: LocalProvider) -> Iterator[LocalProvider]:
    """Single sign-on configured (by discovery) for the local provider."""
    sso.forget_discovery()
    with override_settings(**provider.settings()):
        yield provider
    sso.forget_discovery()


@pytest.fixture(autouse=True)
def _in_english(english_pages: None) -> None:
    """These tests read the English texts (see tests/conftest.py, english_pages)."""
