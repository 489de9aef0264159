"""Which models an archive holds, and which rows belong to one municipality.

Every concrete model of every installed app is in an archive, read from Django's app registry,
so a model added later cannot be left out by mistake; `EXCLUDED` names the few that are not, each
with the reason. Many-to-many relations without a model of their own are written as lists on
their owner's rows. Historical records (django-simple-history) are data and are included.

A municipality's archive holds the rows `OWNED` by the municipality (each model's lookup paths
to it, any of which may match), the historical records of those rows, and then every row those
rows refer to through a foreign key the database enforces or a many-to-many relation (the
region, the instrument a round used, the waves an idea rides, a user who decided a plan, …),
and what those rows refer to in turn. The models in `SHARED` belong to a region or to the whole
installation: they are included only when a row refers to them. A test checks that every model
is in one of the two, so a new model makes someone decide where it belongs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FORMAT = "forandra-archive"
VERSION = 1

#: Models never written into an archive, with the reason.
EXCLUDED: dict[str, str | Promise] = {
    "contenttypes.contenttype": _(
        "made by `forandra migrate`; rows refer to content types by natural key (app, model)"
    ),
    "auth.permission": _(
        "made by `forandra migrate`; rows refer to permissions by natural key "
        "(codename, app, model)"
    ),
    "sessions.session": _(
        "sign-ins in progress: holding one would let the archive's reader sign in"
    ),
    "axes.accessattempt": _("django-axes' failed sign-ins: this installation's security log"),
    "axes.accessattemptexpiration": _("django-axes' lockout expiry of a failed sign-in"),
    "axes.accessfailurelog": _("django-axes' failed sign-ins: this installation's security log"),
    "axes.accesslog": _("django-axes' sign-ins: this installation's security log"),
    "django_tasks_database.dbtaskresult": _(
        "the background task queue: imported tasks would run a second time"
    ),
    "core.workerheartbeat": _("the worker processes of this installation, not data"),
}

#: For a municipality's archive: the lookup paths from a model to the municipality that owns
#: its rows ("" is the municipality itself). A row belongs if any of its paths leads there.
OWNED: dict[str, tuple[str, ...]] = {
    "accounts.user": ("municipality",),
    "api.apitoken": ("user__municipality",),
    "municipalities.municipality": ("",),
    "municipalities.digitalisationgroup": ("municipality",),
    "municipalities.groupmember": ("group__municipality",),
    "municipalities.unit": ("municipality",),
    "maturity.round": ("municipality",),
    "maturity.surveytoken": ("round__municipality",),
    "maturity.response": ("round__municipality",),
    "maturity.answercount": ("round__municipality",),
    "maturity.unitresponsecount": ("round__municipality",),
    "scanning.feed": ("municipality",),
    "scanning.signal": ("municipality",),
    "scanning.placement": ("municipality",),
    "programme.cohortgroup": ("group__municipality",),
    "programme.attendance": ("member__group__municipality",),
    "programme.assignmentstatus": ("group__municipality",),
    "programme.termdefinition": ("group__municipality",),
    "programme.definitionmark": ("definition__group__municipality",),
    "programme.boardnote": ("group__municipality",),
    "programme.learningnote": ("user__municipality",),
    "ideas.idea": ("municipality",),
    "ideas.proposercontact": ("idea__municipality",),
    "ideas.ideasupport": ("idea__municipality",),
    "ideas.scoringweights": ("municipality",),
    "ideas.vote": ("municipality",),
    "ideas.dot": ("vote__municipality",),
    "ideas.portfolio": ("municipality",),
    "ideas.portfoliochoice": ("portfolio__municipality",),
    "plans.plan": ("municipality",),
    "plans.planversion": ("plan__municipality",),
    "plans.section": ("version__plan__municipality",),
    "plans.capability": ("version__plan__municipality",),
    "plans.initiative": ("version__plan__municipality",),
    "plans.budgetline": ("initiative__version__plan__municipality",),
    "plans.decision": ("version__plan__municipality",),
    "plans.checkin": ("initiative__version__plan__municipality",),
    "regional.publication": ("municipality",),
    "regional.jointlink": ("municipality",),
    "webhooks.webhook": ("municipality",),
    "webhooks.delivery": ("webhook__municipality",),
    "webhooks.attempt": ("delivery__webhook__municipality",),
}

#: Models whose rows belong to a region or to the whole installation: a municipality's archive
#: holds a row of these only when one of its rows refers to it.
SHARED: dict[str, str] = {
    "municipalities.region": "a region is shared by its municipalities",
    "maturity.instrumentversion": "an instrument is shared by every municipality",
    "scanning.wave": "the waves are the region's catalogue",
    "programme.programme": "a programme is the region's, for many municipalities",
    "programme.workshop": "a programme's workshops",
    "programme.cohort": "a cohort gathers groups of several municipalities",
    "programme.session": "a cohort's workshop session",
    "programme.assignment": "a programme's assignment, for every group",
    "programme.material": "a workshop's material",
    "programme.facilitation": "the facilitator's notes of a session",
    "regional.publicsummary": "the region's public page",
    "regional.jointinitiative": "a joint initiative links several municipalities",
    "auth.group": "Django's permission groups are the installation's",
    "admin.logentry": "Django admin's log of the whole installation",
    "privacy.deletionrecord": "the installation's log of deletions, naming no one",
}


def label(model: type[models.Model]) -> str:
    """`app_label.modelname`, as in Django's fixtures."""
    return model._meta.label_lower


def base_model(model: type[models.Model]) -> type[models.Model] | None:
    """The model whose historical records `model` holds, or None if it is not historical."""
    instance_type = getattr(model, "instance_type", None)
    if instance_type is not None and hasattr(model, "history_id"):
        return instance_type  # type: ignore[no-any-return]  # simple-history is untyped
    return None


@cache
def archived_models() -> tuple[type[models.Model], ...]:
    """Every model an archive holds, in label order."""
    found = [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed and label(model) not in EXCLUDED
    ]
    return tuple(sorted(found, key=label))


def model_for(name: str) -> type[models.Model] | None:
    """The archived model with this label, or None."""
    return _by_label().get(name)


@cache
def _by_label() -> dict[str, type[models.Model]]:
    return {label(model): model for model in archived_models()}


def unclassified() -> list[str]:
    """Archived models the municipality scope does not know: neither owned nor shared."""
    missing = []
    for model in archived_models():
        base = base_model(model) or model
        if label(base) not in OWNED and label(base) not in SHARED:
            missing.append(label(model))
    return missing


@dataclass(frozen=True)
class Reference:
    """A foreign key or many-to-many relation whose target must exist."""

    field: models.Field  # type: ignore[type-arg]  # any field
    target: type[models.Model]
    target_field: str  # the target's field the value names (its primary key, nearly always)
    many: bool


@cache
def references(model: type[models.Model]) -> tuple[Reference, ...]:
    """The model's relations the database enforces (foreign keys with a constraint, and
    many-to-many relations without a model of their own)."""
    found: list[Reference] = []
    for field in model._meta.concrete_fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            if not getattr(field, "db_constraint", True):
                continue  # e.g. a historical record's copy of a key: it may name a deleted row
            related = field.related_model
            assert isinstance(related, type)
            target_field: Any = getattr(field, "target_field")  # noqa: B009 (relations only)
            found.append(Reference(field, related, target_field.attname, many=False))
    for relation in m2m_fields(model):
        related = relation.related_model
        assert isinstance(related, type)
        found.append(Reference(relation, related, related._meta.pk.attname, many=True))
    return tuple(found)


def m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:  # type: ignore[type-arg]
    """The model's many-to-many relations written as lists (those without a model of their own;
    a relation through a model of its own is that model's rows)."""
    found = []
    for field in model._meta.local_many_to_many:
        through: Any = field.remote_field.through
        if through._meta.auto_created:
            found.append(field)
    return found


def m2m_columns(relation: models.ManyToManyField) -> tuple[Any, str, str]:  # type: ignore[type-arg]
    """A many-to-many relation's link model, and its columns for the owner and for the target."""
    through: Any = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    return through, source, target


def owned_filter(model: type[models.Model], municipality_pk: int) -> Q | None:
    """The rows of `model` that belong to the municipality, or None if the model is shared."""
    base = base_model(model)
    if base is not None:
        inner = owned_filter(base, municipality_pk)
        if inner is None:
            return None
        # The history of the rows the municipality owns, and history that still leads to it
        # (a deleted row's history may; where its path crosses a deleted row it cannot).
        mine = Subquery(base._base_manager.filter(inner).values("pk"))
        return Q(id__in=mine) | _paths(label(base), municipality_pk, historical=True)
    if label(model) not in OWNED:
        return None
    return _paths(label(model), municipality_pk, historical=False)


def _paths(name: str, municipality_pk: int, *, historical: bool) -> Q:
    query = Q()
    for path in OWNED[name]:
        if path:
            query |= Q(**{path: municipality_pk})
        else:
            query |= Q(id=municipality_pk) if historical else Q(pk=municipality_pk)
    return query
