"""Reads for personal data: what Förändra holds about a user or a resident, and the download.

This app reads across every domain on purpose: personal data is wherever a model points at a
user (found through `inventory`), in the groups' member lists (by e-mail address) and in the
residents' contacts of the idea bank.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from forandra.accounts.models import User
from forandra.ideas.models import Idea, ProposerContact
from forandra.municipalities.models import GroupMember
from forandra.programme.models import Attendance

from . import inventory, placeholders
from .inventory import UserLink

FORMAT = "forandra-personal-data"
FORMAT_VERSION = 1


class Outcome:
    """What deleting an account does to one kind of row (shown on the page, in the download)."""

    DELETED = "deleted"
    ANONYMISED = "anonymised"
    PLACEHOLDER = "placeholder"
    MEMBER = "member"


@dataclass(frozen=True)
class Holding:
    """One kind of data held about a user: what it is, how many rows, and what deletion does."""

    key: str
    label: str
    count: int
    outcome: str

    @property
    def outcome_text(self) -> str:
        return {
            Outcome.DELETED: _("Deleted."),
            Outcome.ANONYMISED: _("Kept for the municipality, without your name."),
            Outcome.PLACEHOLDER: _("Kept and still counted, for a deleted user without a name."),
            # The placeholder is quoted as stored, marked with its language.
            Outcome.MEMBER: mark_safe(  # noqa: S308 (the text is escaped, the quote is safe)
                escape(
                    _(
                        "Your name and e-mail address are replaced by “%(placeholder)s”; your "
                        "function and attendance stay in the group's records."
                    )
                )
                % {"placeholder": placeholders.shown(placeholders.FORMER_MEMBER)}
            ),
        }[self.outcome]


def _link_outcome(link: UserLink) -> str:
    if link.nullable:
        return Outcome.ANONYMISED
    if link.to_placeholder:
        return Outcome.PLACEHOLDER
    return Outcome.DELETED


def _link_label(link: UserLink) -> str:
    kind = str(capfirst(link.model._meta.verbose_name_plural))
    part = str(link.field.verbose_name)
    # A field without a verbose name of its own ("user") says nothing the kind does not.
    return kind if part == link.field.name.replace("_", " ") else f"{kind} ({part})"


def _linked(link: UserLink, user: User) -> QuerySet[Model]:
    manager = link.model._base_manager
    if link.many:
        return manager.filter(**{link.field.name: user})
    return manager.filter(**{link.field.attname: user.pk})


def group_members_of(*, email: str) -> QuerySet[GroupMember]:
    """The groups' member rows with this e-mail address (any case)."""
    if not email.strip():
        return GroupMember.objects.none()
    return GroupMember.objects.filter(email__iexact=email.strip())


def contacts_of(*, email: str) -> QuerySet[ProposerContact]:
    """The residents' contacts (from idea proposals) with this e-mail address (any case)."""
    if not email.strip():
        return ProposerContact.objects.none()
    return ProposerContact.objects.filter(email__iexact=email.strip())


def account_history(*, user: User) -> QuerySet[Model]:
    """The snapshots simple-history keeps of the user's own account."""
    history: type[Model] = User.history.model
    return history._base_manager.filter(id=user.pk)


def sign_ins(*, user: User) -> QuerySet[Any]:
    """django-axes' records of the user's sign-ins (time, address, browser)."""
    from axes.models import AccessLog

    sign_in_log: type[Model] = AccessLog
    return sign_in_log._default_manager.filter(username=user.get_username())


def holdings_for(*, user: User) -> list[Holding]:
    """Everything Förändra holds about a signed-in user, counted, with what deletion does."""
    holdings = [
        Holding("account", _("Your account: name, e-mail, role and sign-in"), 1, Outcome.DELETED),
        Holding(
            "account_history",
            _("Earlier versions of your account"),
            account_history(user=user).count(),
            Outcome.DELETED,
        ),
        Holding(
            "sign_ins",
            _("Your sign-ins: time, address and browser"),
            sign_ins(user=user).count(),
            Outcome.DELETED,
        ),
        Holding(
            "group_members",
            _("You in digitalisation groups' member lists (by your e-mail address)"),
            group_members_of(email=user.email).count(),
            Outcome.MEMBER,
        ),
        Holding(
            "resident_contacts",
            _("Your e-mail address on ideas you proposed as a resident"),
            contacts_of(email=user.email).count(),
            Outcome.DELETED,
        ),
    ]
    changes = 0
    for link in inventory.user_links():
        if link.is_history:
            # The snapshots' own links (who had added an idea then) are the rows' content.
            if link.field.name == "history_user":
                changes += _linked(link, user).count()
            continue
        count = _linked(link, user).count()
        if count:
            holdings.append(Holding(link.key, _link_label(link), count, _link_outcome(link)))
    holdings.append(
        Holding(
            "changes",
            _("Records of changes you made (the history of groups, rounds, ideas and plans)"),
            changes,
            Outcome.ANONYMISED,
        )
    )
    return holdings


# --- The download --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON can carry it."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _row(obj: Model, user: User, fields: list[models.Field]) -> dict[str, Any]:  # type: ignore[type-arg]
    """One row's fields; a link to a user says "you" for this user and nothing for others."""
    user_model = get_user_model()
    row: dict[str, Any] = {}
    for field in fields:
        value = getattr(obj, field.attname)
        if field.is_relation and field.related_model is user_model:
            value = "you" if value == user.pk else None
        row[field.name] = _plain(value)
    return row


def _account(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "region": user.region.name if user.region else None,
        "municipality": user.municipality.name if user.municipality else None,
        "date_joined": _plain(user.date_joined),
        "last_login": _plain(user.last_login),
        "is_active": user.is_active,
        "is_demo": user.is_demo,
        "single_sign_on": not user.has_usable_password(),
    }


def _account_history(user: User) -> list[dict[str, Any]]:
    rows = account_history(user=user).order_by("history_date", "pk")
    model = rows.model
    fields = [
        field
        for field in inventory.downloadable_fields(model)
        if field.name not in {"history_user", "history_id"}
    ]
    return [_row(obj, user, fields) for obj in rows]


def _group_memberships(user: User) -> list[dict[str, Any]]:
    members = list(
        group_members_of(email=user.email).select_related("group__municipality").order_by("pk")
    )
    attendance: dict[int, list[dict[str, Any]]] = {member.pk: [] for member in members}
    for row in (
        Attendance.objects.filter(member__in=members)
        .select_related("session__workshop__programme", "session__cohort")
        .order_by("session__starts_at", "pk")
    ):
        session = row.session
        attendance[row.member_id].append(
            {
                "programme": session.workshop.programme.name,
                "workshop": session.workshop.number,
                "starts_at": _plain(session.starts_at),
                "present": row.present,
                "hours": _plain(row.hours),
            }
        )
    return [
        {
            "group": member.group.name,
            "municipality": member.group.municipality.name,
            "name": member.name,
            "email": member.email,
            "function": member.function,
            "role_in_group": member.role,
            "added": _plain(member.created_at),
            "attendance": attendance[member.pk],
        }
        for member in members
    ]


def _proposal(idea: Idea, email: str) -> dict[str, Any]:
    return {
        "municipality": idea.municipality.name,
        "title": idea.title,
        "need": idea.need,
        "description": idea.description,
        "status": idea.status,
        "moderation": idea.moderation,
        "decline_reason": idea.decline_reason,
        "support": idea.support_count,
        "proposed": _plain(idea.created_at),
        "contact_email": email,
    }


def _resident_proposals(email: str) -> list[dict[str, Any]]:
    contacts = contacts_of(email=email).select_related("idea__municipality").order_by("pk")
    return [_proposal(contact.idea, contact.email) for contact in contacts]


def _records(user: User) -> list[dict[str, Any]]:
    records = []
    for link in inventory.user_links():
        if link.is_history:
            continue
        rows = list(_linked(link, user).order_by("pk"))
        if not rows:
            continue
        fields = inventory.downloadable_fields(link.model)
        records.append(
            {
                "kind": link.model._meta.label_lower,
                "kind_name": str(capfirst(link.model._meta.verbose_name_plural)),
                "your_part": link.field.name,
                "your_part_name": str(link.field.verbose_name),
                "rows": [_row(obj, user, fields) for obj in rows],
            }
        )
    return records


def _changes(user: User) -> list[dict[str, Any]]:
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    changes = []
    for link in inventory.user_links():
        if not link.is_history or link.field.name != "history_user":
            continue
        tracked = link.model.instance_type  # type: ignore[attr-defined]
        rows = (
            _linked(link, user)
            .order_by("history_date", "pk")
            .values_list("id", "history_date", "history_type")
        )
        for object_id, when, kind in rows:
            changes.append(
                {
                    "kind": tracked._meta.label_lower,
                    "id": object_id,
                    "when": _plain(when),
                    "change": kinds.get(kind, kind),
                }
            )
    changes.sort(key=lambda change: (change["when"], change["kind"], change["id"]))
    return changes


def _sign_ins(user: User) -> list[dict[str, Any]]:
    return [
        {
            "at": _plain(row.attempt_time),
            "signed_out": _plain(row.logout_time),
            "address": row.ip_address,
            "browser": row.user_agent,
        }
        for row in sign_ins(user=user).order_by("attempt_time", "pk")
    ]


def user_export(*, user: User) -> dict[str, Any]:
    """Everything held about a signed-in user, as one JSON-ready document."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": _plain(timezone.now()),
        "explanation": _(
            "All personal data Förändra holds about you. “account” is your account; "
            "“account_history” its earlier versions; “sign_ins” when and from where you signed "
            "in; “group_memberships” you in digitalisation groups' member lists (matched by "
            "your e-mail address), with your attendance at workshops; “resident_proposals” "
            "ideas proposed with your e-mail address on a municipality's public page; "
            "“records” every row you added, wrote, decided or took part in, by kind, where "
            "“you” marks your part and numbers are the ids of other records in Förändra; "
            "“changes” every change you made that a history keeps (the content of those "
            "records is the municipality's). Survey responses to maturity rounds are anonymous "
            "and cannot be linked to you, so they are not here."
        ),
        "account": _account(user),
        "account_history": _account_history(user),
        "sign_ins": _sign_ins(user),
        "group_memberships": _group_memberships(user),
        "resident_proposals": _resident_proposals(user.email),
        "records": _records(user),
        "changes": _changes(user),
    }


# --- Residents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentData:
    """What is held about a resident: their e-mail address on these proposals."""

    email: str
    contacts: tuple[ProposerContact, ...]

    @property
    def ideas(self) -> list[Idea]:
        return [contact.idea for contact in self.contacts]

    @property
    def is_demo(self) -> bool:
        return any(contact.idea.is_demo for contact in self.contacts)


def resident_data(*, email: str) -> ResidentData:
    """The resident's contacts and proposals, by e-mail address."""
    contacts = contacts_of(email=email).select_related("idea__municipality").order_by("pk")
    return ResidentData(email=email, contacts=tuple(contacts))


def resident_export(*, data: ResidentData) -> dict[str, Any]:
    """Everything held about a resident, as one JSON-ready document."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": _plain(timezone.now()),
        "explanation": _(
            "All personal data Förändra holds about you as a resident: the e-mail address you "
            "gave with your proposals, and the proposals themselves. Your support for ideas is "
            "stored without anything that identifies you, so it is not here."
        ),
        "email": data.email,
        "proposals": [_proposal(contact.idea, contact.email) for contact in data.contacts],
    }
