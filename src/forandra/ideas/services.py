"""Writes for the idea bank: ideas, residents' proposals and support, moderation, weights.

Residents have no account. A proposal is stored as a pending idea with a private link (a random
UUID) the proposer keeps; their e-mail, if they give one, is kept apart (ProposerContact) and
can be deleted through that link. Support is one per browser: a random key in a cookie, stored
only as a SHA-256 hash. Both are rate limited per client address (hashed with the secret key,
kept only in the cache for the length of the window).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality
from forandra.scanning.models import Wave
from forandra.webhooks import events as webhook_events

from . import scoring, selectors
from .models import Idea, IdeaSupport, Moderation, ProposerContact, ScoringWeights, Source, Status

# At most this many proposals per hour and supports per minute from one client address; the
# settings IDEAS_PROPOSALS_PER_HOUR and IDEAS_SUPPORTS_PER_MINUTE change them.
PROPOSALS_PER_HOUR = 5
SUPPORTS_PER_MINUTE = 30


def proposals_per_hour() -> int:
    """How many proposals one client address may send per hour."""
    return int(getattr(settings, "IDEAS_PROPOSALS_PER_HOUR", PROPOSALS_PER_HOUR))


def supports_per_minute() -> int:
    """How many supports one client address may give per minute."""
    return int(getattr(settings, "IDEAS_SUPPORTS_PER_MINUTE", SUPPORTS_PER_MINUTE))


# --- Ideas of the group -------------------------------------------------------------------------


def _check_choices(
    *, municipality: Municipality, waves: Sequence[Wave], dimensions: list[str]
) -> None:
    errors: dict[str, list[str]] = {}
    if any(wave.region_id != municipality.region_id for wave in waves):
        errors["waves"] = [_("Choose among the waves of the municipality's region.")]
    known = {key for key, _name in selectors.dimension_choices()}
    if any(key not in known for key in dimensions):
        errors["dimensions"] = [_("Choose among the maturity dimensions.")]
    if errors:
        raise ValidationError(errors)


# Text fields whose max_length the database does not enforce (Django checks it only in forms).
LONG_TEXTS = ("need", "description", "decline_reason")


def _validate(idea: Idea) -> None:
    """full_clean, and the lengths of the long texts, with every field's errors at once."""
    errors: dict[str, list[str]] = {}
    try:
        idea.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    for name in LONG_TEXTS:
        limit = getattr(Idea._meta.get_field(name), "max_length", None)
        value = getattr(idea, name)
        if limit and len(value) > limit:
            errors.setdefault(name, []).append(
                _("Write at most %(limit)s characters (it has %(count)s).")
                % {"limit": limit, "count": len(value)}
            )
    if errors:
        raise ValidationError(errors)


def _save(idea: Idea, by: User | None, waves: Sequence[Wave] | None) -> Idea:
    _validate(idea)
    idea._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    idea.save()
    if waves is not None:
        idea.waves.set(waves)
    return idea


@transaction.atomic
def idea_create(
    *,
    municipality: Municipality,
    created_by: User | None,
    title: str,
    need: str,
    description: str = "",
    source: str = Source.GROUP,
    waves: Sequence[Wave] = (),
    dimensions: Sequence[str] = (),
    one_time_cost: int = 0,
    yearly_cost: int = 0,
    effort: Decimal | float | int = 0,
    benefit: int = 3,
    feasibility: int = 3,
    risk: int = 3,
    status: str = Status.NEW,
) -> Idea:
    """Add an idea to the bank; ideas the group adds itself are published at once."""
    _check_choices(municipality=municipality, waves=waves, dimensions=list(dimensions))
    idea = Idea(
        municipality=municipality,
        created_by=created_by,
        title=title,
        need=need,
        description=description,
        source=source,
        dimensions=list(dimensions),
        one_time_cost=one_time_cost,
        yearly_cost=yearly_cost,
        effort=Decimal(str(effort)),
        benefit=benefit,
        feasibility=feasibility,
        risk=risk,
        status=status,
        moderation=Moderation.PUBLISHED,
    )
    idea = _save(idea, created_by, waves)
    webhook_events.idea_proposed(idea=idea)
    return idea


IDEA_FIELDS = (
    "title",
    "need",
    "description",
    "source",
    "dimensions",
    "one_time_cost",
    "yearly_cost",
    "effort",
    "benefit",
    "feasibility",
    "risk",
    "status",
)


@transaction.atomic
def idea_update(
    *, idea: Idea, by: User | None, waves: Sequence[Wave] | None = None, **fields: Any
) -> Idea:
    """Change an idea's fields (any of IDEA_FIELDS) and, if given, its waves."""
    unknown = set(fields) - set(IDEA_FIELDS)
    if unknown:
        raise TypeError(f"unknown idea fields: {', '.join(sorted(unknown))}")
    _check_choices(
        municipality=idea.municipality,
        waves=waves or (),
        dimensions=list(fields.get("dimensions", idea.dimensions)),
    )
    for name, value in fields.items():
        if name == "effort":
            value = Decimal(str(value))
        elif name == "dimensions":
            value = list(value)
        setattr(idea, name, value)
    return _save(idea, by, waves)


@transaction.atomic
def weights_save(
    *, municipality: Municipality, by: User | None = None, **weights: int
) -> ScoringWeights:
    """Set the municipality's scoring weights (0–10 each)."""
    unknown = set(weights) - set(scoring.CRITERIA)
    if unknown:
        raise TypeError(f"unknown criteria: {', '.join(sorted(unknown))}")
    saved, _created = ScoringWeights.objects.get_or_create(municipality=municipality)
    for name, value in weights.items():
        setattr(saved, name, value)
    saved.full_clean()
    saved._history_user = by  # type: ignore[attr-defined]
    saved.save()
    return saved


# --- Moderation ------------------------------------------------------------------------------


class Decision:
    PUBLISH = "publish"
    DECLINE = "decline"


@transaction.atomic
def moderate(*, idea: Idea, decision: str, reason: str = "", by: User | None) -> Idea:
    """Publish or decline a resident's proposal; a decline needs a reason the proposer sees."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.moderation != Moderation.PENDING:
        raise ValidationError(_("This proposal has already been moderated."))
    reason = reason.strip()
    if decision == Decision.PUBLISH:
        idea.moderation = Moderation.PUBLISHED
        idea.decline_reason = ""
    elif decision == Decision.DECLINE:
        if not reason:
            raise ValidationError(
                {"reason": _("Write why the proposal is declined; the proposer will see it.")}
            )
        idea.moderation = Moderation.DECLINED
        idea.decline_reason = reason
    else:
        raise ValidationError({"decision": _("Choose to publish or decline the proposal.")})
    return _save(idea, by, None)


# --- Residents ---------------------------------------------------------------------------------


class RateLimitedError(Exception):
    """Too many requests from one client address: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_after)


def client_hash(address: str) -> str:
    """A client address as the rate limits know it: hashed with the secret key, never stored."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def _rate_limit(*, action: str, client: str, limit: int, period: int) -> None:
    """Count one request in the current fixed window; refuse when the window is full."""
    now = time.time()
    window = int(now // period)
    key = f"ideas:rate:{action}:{client}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        raise RateLimitedError(retry_after=max(1, int((window + 1) * period - now) + 1))


def supporter_hash(key: str) -> str:
    """A browser's support key as stored: its SHA-256 hash."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Proposal:
    """What a resident's proposal gave: the idea (None when the honeypot caught a bot)."""

    idea: Idea | None
    token: uuid.UUID


@transaction.atomic
def proposal_submit(
    *,
    municipality: Municipality,
    client: str,
    title: str,
    need: str,
    description: str = "",
    email: str = "",
    honeypot: str = "",
) -> Proposal:
    """A resident proposes an idea: pending moderation, with a private link for the proposer.

    Raises RateLimitedError past the hourly limit. When the honeypot field is filled (only bots
    see it), nothing is stored but the answer looks like success."""
    _rate_limit(action="propose", client=client, limit=proposals_per_hour(), period=3600)
    token = uuid.uuid4()
    if honeypot:
        return Proposal(idea=None, token=token)
    idea = Idea(
        municipality=municipality,
        title=title.strip(),
        need=need.strip(),
        description=description.strip(),
        source=Source.CITIZEN,
        status=Status.NEW,
        moderation=Moderation.PENDING,
        proposer_token=token,
    )
    _save(idea, None, None)
    webhook_events.idea_proposed(idea=idea)
    email = email.strip()
    if email:
        contact = ProposerContact(idea=idea, email=email)
        try:
            contact.full_clean()
        except ValidationError as error:
            raise ValidationError(error.message_dict) from None
        contact.save()
    return Proposal(idea=idea, token=token)


@transaction.atomic
def contact_delete(*, idea: Idea) -> bool:
    """Delete the proposer's e-mail; the idea stays. Whether there was one to delete."""
    deleted, _counts = ProposerContact.objects.filter(idea=idea).delete()
    return deleted > 0


def support_add(*, idea: Idea, supporter_key: str, client: str) -> bool:
    """A browser supports a published idea; False if it already did. Rate limited per client."""
    _rate_limit(action="support", client=client, limit=supports_per_minute(), period=60)
    if idea.moderation != Moderation.PUBLISHED:
        raise ValidationError(_("Only published ideas can be supported."))
    if not supporter_key:
        raise ValueError("a supporter key is needed")
    try:
        with transaction.atomic():
            IdeaSupport.objects.create(idea=idea, supporter=supporter_hash(supporter_key))
            Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return False
    return True
