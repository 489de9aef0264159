"""Writes for personal data: deleting a user's account or a resident's data, and the link.

Deleting an account (`account_delete`), in one transaction:

1. the person in groups' member lists (matched by e-mail) becomes “Former member”, here and in
   the member list's history; function, role in the group and attendance stay;
2. contacts they left as a resident (same e-mail) are deleted;
3. every nullable link to them (who added an idea, decided a plan, made a change in a history)
   is emptied; links that cannot be empty and that the municipality keeps (dots in a vote, the
   admin log) move to a new, inactive placeholder account with no personal data;
4. their sign-in records and sessions are deleted;
5. the account is deleted, with what exists only for it (learning notes, agreement marks, API
   tokens...), and every stored version of it;
6. their e-mail address and full name are replaced by “[removed]” wherever they were written in
   a text column (free text of plans, check-ins, the admin log...);
7. a DeletionRecord counts what was done, without the person.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from forandra.accounts.models import Role, User
from forandra.ideas.models import Idea, Moderation, ProposerContact
from forandra.municipalities.models import GroupMember

from . import inventory, placeholders, selectors
from .models import DeletionRecord, Kind

DELETED = "deleted"
ANONYMISED = "anonymised"

# At most this many link requests per hour from one client address, and links per day to one
# e-mail address; the settings PRIVACY_REQUESTS_PER_HOUR and PRIVACY_LINKS_PER_DAY change them.
REQUESTS_PER_HOUR = 5
LINKS_PER_DAY = 3

MEMBER_LISTS = frozenset({"municipalities.groupmember", "municipalities.historicalgroupmember"})
# The staff side of a person: a resident's request never changes these, even for the same
# address (an account is deleted by signing in; a member list belongs to the group).
STAFF_SIDE = MEMBER_LISTS | {"accounts.user", "accounts.historicaluser"}


class Tally:
    """Counts per model label and action, as a DeletionRecord keeps them."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(dict)

    def add(self, label: str, action: str, count: int) -> None:
        if count:
            actions = self.counts[label.lower()]
            actions[action] = actions.get(action, 0) + count

    def add_deleted(self, per_model: dict[str, int]) -> None:
        for label, count in per_model.items():
            self.add(label, DELETED, count)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {label: dict(actions) for label, actions in sorted(self.counts.items())}


class DeletionRefusedError(Exception):
    """This account cannot be deleted now; the message says why."""


# --- Erasing text --------------------------------------------------------------------------------


def _update_row(model: type[Model], pk: object, changes: dict[str, str], unique: set[str]) -> None:
    try:
        with transaction.atomic():
            model._base_manager.filter(pk=pk).update(**changes)
    except IntegrityError:  # a unique column now equal to another row's: make it distinct
        for name in unique & set(changes):
            changes[name] = f"{changes[name]}-{secrets.token_hex(4)}"
        model._base_manager.filter(pk=pk).update(**changes)


def text_erase(
    *, needles: Iterable[str], placeholder: str, tally: Tally, skip: Iterable[str] = ()
) -> None:
    """Replace every written occurrence of the needles (any case), in every text column of
    every model, by the placeholder."""
    needles = sorted({n.strip() for n in needles if n.strip()}, key=len, reverse=True)
    if not needles:
        return
    # Whole words only: "anna@example.org" is not erased from "joanna@example.org", nor
    # "Anna Berg" from "Hanna Berg".
    alternatives = "|".join(re.escape(n) for n in needles)
    pattern = re.compile(rf"(?<![\w.+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)
    skipped = set(skip)
    for model, fields in inventory.text_columns():
        label = model._meta.label_lower
        if label in skipped:
            continue
        condition = Q()
        for field in fields:
            for needle in needles:
                condition |= Q(**{f"{field.attname}__icontains": needle})
        names = [field.attname for field in fields]
        unique = {field.attname for field in fields if field.unique}
        changed = 0
        for pk, *values in model._base_manager.filter(condition).values_list("pk", *names):
            changes = {}
            for field, value in zip(fields, values, strict=True):
                if value and pattern.search(value):
                    new = pattern.sub(placeholder, value)
                    changes[field.attname] = new[: field.max_length] if field.max_length else new
            if changes:
                _update_row(model, pk, changes, unique)
                changed += 1
        tally.add(label, ANONYMISED, changed)


# --- Accounts ------------------------------------------------------------------------------------


def account_deletion_refusal(*, user: User) -> str | None:
    """Why this account cannot be deleted, or None when it can."""
    if user.is_demo:
        return _(
            "Demo accounts are shared by everyone who tries Förändra, so they cannot be "
            "deleted. Your own account can."
        )
    if user.role == Role.ADMIN or user.is_superuser:
        others = (
            User.objects.filter(is_active=True)
            .filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
            .exclude(pk=user.pk)
        )
        if not others.exists():
            return _(
                "You are the only administrator. Make someone else an administrator first, "
                "so that the installation is not left without one."
            )
    return None


def _members_anonymise(*, email: str, tally: Tally) -> None:
    """The person in groups' member lists becomes “Former member”, in their history too."""
    if not email:
        return
    history = GroupMember.history.model
    ids = set(selectors.group_members_of(email=email).values_list("pk", flat=True))
    ids |= set(history.objects.filter(email__iexact=email).values_list("id", flat=True))
    name = placeholders.stored(placeholders.FORMER_MEMBER)
    for pk in sorted(ids):
        # A distinct, undeliverable address per member keeps the group's unique e-mail rule.
        address = f"former-member-{secrets.token_hex(6)}@deleted.invalid"
        tally.add(
            GroupMember._meta.label,
            ANONYMISED,
            GroupMember.objects.filter(pk=pk).update(name=name, email=address),
        )
        tally.add(
            history._meta.label,
            ANONYMISED,
            history.objects.filter(id=pk).update(name=name, email=address),
        )


def _placeholder_for(user: User) -> User:
    """An inactive account without personal data, in the same role and place, that keeps the
    records which must name someone (dots in a vote, the admin log)."""
    placeholder = User(
        username=f"deleted-{secrets.token_hex(6)}",
        role=user.role,
        region_id=user.region_id,
        municipality_id=user.municipality_id,
        is_active=False,
    )
    placeholder.set_unusable_password()
    placeholder.save_without_historical_record()  # type: ignore[attr-defined]
    return placeholder


def _links_release(*, user: User, tally: Tally | None) -> None:
    """Empty every nullable link to the user; move placeholder links to a placeholder."""
    placeholder: User | None = None
    for link in inventory.user_links():
        if link.many:
            continue  # through rows go with the account
        rows = link.model._base_manager.filter(**{link.field.attname: user.pk})
        if link.nullable:
            count = rows.update(**{link.field.attname: None})
        elif link.to_placeholder and rows.exists():
            placeholder = placeholder or _placeholder_for(user)
            count = rows.update(**{link.field.attname: placeholder.pk})
        else:
            continue
        if tally is not None:
            tally.add(link.model._meta.label, ANONYMISED, count)


def _sessions_delete(*, user: User, tally: Tally) -> None:
    """Sign the user out everywhere (database sessions are searched; others expire)."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    from django.contrib.sessions.models import Session

    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    _deleted, per_model = Session.objects.filter(pk__in=mine).delete()
    tally.add_deleted(per_model)


def _sign_ins_delete(*, user: User, tally: Tally) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        _deleted, per_model = model.objects.filter(username=user.get_username()).delete()
        tally.add_deleted(per_model)


@transaction.atomic
def account_delete(*, user: User) -> DeletionRecord:
    """Delete a user's account and personal data; keep the municipality's records without them.

    Raises DeletionRefusedError for a demo account or the last administrator."""
    refusal = account_deletion_refusal(user=user)
    if refusal:
        raise DeletionRefusedError(refusal)
    tally = Tally()
    email = user.email.strip()
    full_name = user.get_full_name().strip()
    has_full_name = bool(user.first_name.strip() and user.last_name.strip())

    _members_anonymise(email=email, tally=tally)
    if email:
        _deleted, per_model = selectors.contacts_of(email=email).delete()
        tally.add_deleted(per_model)
    _links_release(user=user, tally=tally)
    _sign_ins_delete(user=user, tally=tally)
    _sessions_delete(user=user, tally=tally)

    pk = user.pk
    user._history_user = None  # type: ignore[attr-defined]
    _deleted, per_model = user.delete()
    tally.add_deleted(per_model)
    # Deleting writes a last version of the account, and cascades may write versions of other
    # rows "by" the user: remove the one, empty the other.
    user.pk = pk
    _links_release(user=user, tally=None)
    _deleted, per_model = selectors.account_history(user=user).delete()
    tally.add_deleted(per_model)

    removed = placeholders.stored(placeholders.REMOVED)
    text_erase(needles=[email], placeholder=removed, tally=tally)
    if has_full_name:
        # Member lists were matched by address above; a member with the same name and another
        # address is taken to be someone else.
        text_erase(needles=[full_name], placeholder=removed, tally=tally, skip=MEMBER_LISTS)
    return DeletionRecord.objects.create(
        kind=Kind.USER, deleted_on=timezone.localdate(), counts=tally.as_dict()
    )


# --- Residents -----------------------------------------------------------------------------------


class RateLimitedError(Exception):
    """Too many requests from one client address: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_after)


def requests_per_hour() -> int:
    """How many link requests one client address may make per hour."""
    return int(getattr(settings, "PRIVACY_REQUESTS_PER_HOUR", REQUESTS_PER_HOUR))


def links_per_day() -> int:
    """How many links may be sent to one e-mail address per day."""
    return int(getattr(settings, "PRIVACY_LINKS_PER_DAY", LINKS_PER_DAY))


def _hashed(value: str) -> str:
    """A client or e-mail address as the rate limits know it: keyed hash, kept only in the cache."""
    return salted_hmac("forandra.privacy.rate", value).hexdigest()


def _count(*, key: str, period: int) -> tuple[int, int]:
    """Count one request in the current fixed window: (count so far, seconds left)."""
    now = time.time()
    window = int(now // period)
    full_key = f"privacy:rate:{key}:{window}"
    cache.add(full_key, 0, timeout=period + 1)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=period + 1)
        count = 1
    return count, max(1, int((window + 1) * period - now) + 1)


def resident_link_request(*, email: str, client: str, base_url: str, language: str) -> None:
    """A resident asks for a link to their data. If proposals carry this address, the link is
    sent by e-mail (in the background); the caller's answer never depends on it.

    Raises RateLimitedError past the hourly limit per client address; past the daily limit
    per e-mail address nothing is sent, silently."""
    count, retry_after = _count(key=f"client:{_hashed(client)}", period=3600)
    if count > requests_per_hour():
        raise RateLimitedError(retry_after=retry_after)
    email = email.strip()
    sent, _left = _count(key=f"address:{_hashed(email.casefold())}", period=24 * 3600)
    if sent > links_per_day():
        return
    ids = list(selectors.contacts_of(email=email).order_by("pk").values_list("pk", flat=True))
    if ids:
        from . import tasks

        tasks.send_resident_link.enqueue(contact_ids=ids, base_url=base_url, language=language)


@transaction.atomic
def resident_delete(*, email: str, remove_proposals: bool) -> DeletionRecord:
    """Delete a resident's e-mail address and, if they choose, what they wrote.

    With `remove_proposals`, proposals nobody has seen published (pending or declined) are
    deleted with their history; published ones stay, so their support and their place in
    votes, portfolios and plans keep counting, but their text is replaced, in their history
    too. Without it, the proposals stay as they are, no longer linked to anyone."""
    tally = Tally()
    contacts = list(selectors.contacts_of(email=email).select_related("idea"))
    ideas = [contact.idea for contact in contacts]
    _deleted, per_model = ProposerContact.objects.filter(
        pk__in=[contact.pk for contact in contacts]
    ).delete()
    tally.add_deleted(per_model)
    if remove_proposals:
        history = Idea.history.model
        unseen = [idea.pk for idea in ideas if idea.moderation != Moderation.PUBLISHED]
        published = [idea.pk for idea in ideas if idea.moderation == Moderation.PUBLISHED]
        _deleted, per_model = Idea.objects.filter(pk__in=unseen).delete()
        tally.add_deleted(per_model)
        _deleted, per_model = history.objects.filter(id__in=unseen).delete()
        tally.add_deleted(per_model)
        removed = {
            "title": placeholders.stored(placeholders.REMOVED_PROPOSAL),
            "need": placeholders.stored(placeholders.REMOVED_NEED),
            "description": "",
            "decline_reason": "",
        }
        tally.add(
            Idea._meta.label,
            ANONYMISED,
            Idea.objects.filter(pk__in=published).update(**removed, proposer_token=None),
        )
        tally.add(
            history._meta.label,
            ANONYMISED,
            history.objects.filter(id__in=published).update(**removed, proposer_token=None),
        )
    text_erase(
        needles=[email],
        placeholder=placeholders.stored(placeholders.REMOVED),
        tally=tally,
        skip=STAFF_SIDE,
    )
    return DeletionRecord.objects.create(
        kind=Kind.RESIDENT, deleted_on=timezone.localdate(), counts=tally.as_dict()
    )
