"""Where personal data can live, read from the app registry rather than listed by hand.

Every foreign key and many-to-many field that points at the user model is a `UserLink`: what a
user authored, owns or took part in. Every text column (char, text, e-mail, slug, URL) is where
a name or an e-mail address may have been written. Both are computed from the models present,
so a model added later is downloaded, anonymised and searched without a change here; only a
non-nullable link needs a decision in `PLACEHOLDER_LINKS` (otherwise it follows its own
`on_delete`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

# Links that cannot be empty and hold a record the municipality keeps: on deletion they move to
# a placeholder account without personal data, so a closed dot vote keeps its tally and the
# admin log keeps its entries. Every other non-nullable link is deleted with the user.
PLACEHOLDER_LINKS = frozenset({"ideas.dot.user", "admin.logentry.user"})

# Left out of a download: secrets and their hashes, and what an admin log entry says of others.
SECRET_FIELD = re.compile(r"password|secret|hash|digest|signing", re.IGNORECASE)
DOWNLOAD_OMIT: dict[str, frozenset[str]] = {
    "admin.logentry": frozenset({"object_repr", "change_message"}),
}

# Never searched for text to erase: this app's own log (no personal data by design), sessions
# (signed, encoded data; a deleted user's sessions are removed whole) and migrations.
SCRUB_SKIP = frozenset({"privacy.deletionrecord", "sessions.session", "migrations.migration"})


@dataclass(frozen=True)
class UserLink:
    """A field of `model` that points at a user."""

    model: type[models.Model]
    field: models.Field  # type: ignore[type-arg]

    @property
    def key(self) -> str:
        """`app.model.field`, as PLACEHOLDER_LINKS names links."""
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def many(self) -> bool:
        return bool(self.field.many_to_many)

    @property
    def nullable(self) -> bool:
        return bool(self.field.null) and not self.many

    @property
    def is_history(self) -> bool:
        """A simple-history record (a snapshot of another model's row)."""
        return is_history_model(self.model)

    @property
    def to_placeholder(self) -> bool:
        return self.key in PLACEHOLDER_LINKS


def is_history_model(model: type[models.Model]) -> bool:
    """Whether `model` holds django-simple-history's snapshots of another model."""
    return getattr(model, "instance_type", None) is not None and hasattr(model, "history_user_id")


def _concrete_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


@cache
def user_links() -> tuple[UserLink, ...]:
    """Every field, in every model, that points at the user model; history links last."""
    user_model = get_user_model()
    links = []
    for model in _concrete_models():
        for field in model._meta.get_fields():
            if not (field.concrete and field.is_relation) or field.related_model is not user_model:
                continue
            if field.many_to_one or field.one_to_one or field.many_to_many:
                links.append(UserLink(model=model, field=field))  # type: ignore[arg-type]
    return tuple(sorted(links, key=lambda link: (link.is_history, link.key)))


@cache
def text_columns() -> tuple[tuple[type[models.Model], tuple[models.Field, ...]], ...]:  # type: ignore[type-arg]
    """Every model with the free-text columns a name or e-mail address could be written in."""
    found = []
    for model in _concrete_models():
        if model._meta.label_lower in SCRUB_SKIP:
            continue
        fields = tuple(
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and not field.primary_key
            and not field.choices
        )
        if fields:
            found.append((model, fields))
    return tuple(found)


def downloadable_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    """The concrete fields of `model` a download shows: no secrets, hashes or others' names."""
    omit = DOWNLOAD_OMIT.get(model._meta.label_lower, frozenset())
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in omit and not SECRET_FIELD.search(field.name)
    ]
