"""Dot voting in a workshop: the services that open and close a vote and place dots, and the
selectors that read votes, a participant's dots and the results.

A *vote* lists some of the municipality's ideas; each participant has `vote.dots` dots to spread
over them, several on one idea if they like. A participant's dots on one idea are one `Dot` row
holding the count; setting the count to 0 removes the row. Placing dots locks the vote's row
(on SQLite the IMMEDIATE transaction mode already serialises writers), so two requests of the
same participant at once can never take them over their total.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality

from .models import Dot, Idea, Moderation, Status, Vote

MIN_IDEAS = 2
MAX_DOTS = 50

# --- Selectors ------------------------------------------------------------------------------------


def votable_ideas(*, municipality: Municipality) -> QuerySet[Idea]:
    """The ideas a vote may list: the municipality's published ideas that are not parked."""
    return (
        Idea.objects.filter(municipality=municipality, moderation=Moderation.PUBLISHED)
        .exclude(status=Status.PARKED)
        .order_by("title", "pk")
    )


def votes_for(*, municipality: Municipality) -> QuerySet[Vote]:
    """The municipality's votes, open ones first, newest first, with their idea and participant
    counts (`idea_count`, `participant_count`)."""
    return (
        Vote.objects.filter(municipality=municipality)
        .annotate(
            idea_count=Count("ideas", distinct=True),
            participant_count=Count("placed__user", distinct=True),
        )
        .order_by(F("closed_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def vote_get(*, municipality: Municipality, pk: int) -> Vote:
    """One of the municipality's votes (Vote.DoesNotExist for another municipality's)."""
    return Vote.objects.get(municipality=municipality, pk=pk)


def vote_ideas(*, vote: Vote) -> list[Idea]:
    """The ideas of a vote, by title."""
    return list(vote.ideas.order_by("title", "pk"))


def my_dots(*, vote: Vote, user: User | None) -> dict[int, int]:
    """The participant's dots in the vote: idea id -> count."""
    if user is None:
        return {}
    return dict(Dot.objects.filter(vote=vote, user=user).values_list("idea_id", "count"))


@dataclass(frozen=True)
class ResultRow:
    idea: Idea
    dots: int  # all participants' dots on the idea
    voters: int  # how many participants put at least one dot on it
    percent: int  # the idea's bar, 0–100, relative to the idea with the most dots

    @property
    def bar_class(self) -> str:
        """A CSS width class in steps of 5 (no inline styles under the CSP)."""
        return f"vote-bar--{5 * round(self.percent / 5)}"


@dataclass(frozen=True)
class Results:
    vote: Vote
    rows: list[ResultRow]  # most dots first, then by title
    participants: int  # people who placed at least one dot
    dots_placed: int

    @property
    def dots_possible(self) -> int:
        return self.participants * self.vote.dots

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything the results show changes."""
        shown = (
            self.vote.closed_at.isoformat() if self.vote.closed_at else None,
            self.vote.dots,
            self.participants,
            [(row.idea.pk, row.idea.title, row.dots, row.voters) for row in self.rows],
        )
        return hashlib.blake2b(repr(shown).encode("utf-8"), digest_size=8).hexdigest()


def vote_results(*, vote: Vote) -> Results:
    """The ideas of the vote ordered by dots, with totals and the number of participants
    (three queries however many ideas and dots)."""
    ideas = vote_ideas(vote=vote)
    totals = {
        row["idea_id"]: (row["dots"], row["voters"])
        for row in Dot.objects.filter(vote=vote)
        .values("idea_id")
        .annotate(dots=Sum("count"), voters=Count("user_id"))
    }
    participants = Dot.objects.filter(vote=vote).values("user_id").distinct().count()
    most = max((dots for dots, _voters in totals.values()), default=0)
    rows = [
        ResultRow(
            idea=idea,
            dots=totals.get(idea.pk, (0, 0))[0],
            voters=totals.get(idea.pk, (0, 0))[1],
            percent=round(100 * totals.get(idea.pk, (0, 0))[0] / most) if most else 0,
        )
        for idea in ideas
    ]
    rows.sort(key=lambda row: -row.dots)  # stable: equal totals stay by title
    return Results(
        vote=vote,
        rows=rows,
        participants=participants,
        dots_placed=sum(row.dots for row in rows),
    )


def dots_per_idea(municipality: Municipality) -> dict[int, int]:
    """Every dot placed on the municipality's ideas, in open and closed votes: idea id -> dots
    (one query; ideas without dots are left out)."""
    return dict(
        Dot.objects.filter(vote__municipality=municipality)
        .values("idea_id")
        .annotate(total=Sum("count"))
        .values_list("idea_id", "total")
    )


# --- Services -------------------------------------------------------------------------------------


@transaction.atomic
def vote_create(
    *,
    municipality: Municipality,
    title: str,
    dots: int,
    ideas: Iterable[Idea],
    by: User | None,
    is_demo: bool = False,
) -> Vote:
    """Open a dot vote on at least two of the municipality's published, not parked ideas."""
    chosen = list({idea.pk: idea for idea in ideas}.values())
    vote = Vote(
        municipality=municipality,
        title=title.strip(),
        dots=dots,
        created_by=by,
        is_demo=is_demo,
    )
    vote.full_clean()
    allowed_ids = set(
        votable_ideas(municipality=municipality)
        .filter(pk__in=[idea.pk for idea in chosen])
        .values_list("pk", flat=True)
    )
    if any(idea.pk not in allowed_ids for idea in chosen):
        raise ValidationError(
            {"ideas": _("Choose among this municipality's published ideas that are not parked.")}
        )
    if len(chosen) < MIN_IDEAS:
        raise ValidationError(
            {"ideas": _("Choose at least two ideas: a vote needs something to choose between.")}
        )
    vote.save()
    vote.ideas.set(chosen)
    return vote


@transaction.atomic
def vote_close(*, vote: Vote, at: datetime | None = None) -> Vote:
    """Close the vote: no more dots; the results are final. Closing a closed vote keeps its
    time."""
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if locked.closed_at is None:
        locked.closed_at = at or timezone.now()
        locked.save(update_fields=["closed_at", "updated_at"])
    vote.closed_at = locked.closed_at
    return locked


def dots_left(*, vote: Vote, user: User) -> int:
    """How many of their dots the participant has not placed yet."""
    placed = Dot.objects.filter(vote=vote, user=user).aggregate(n=Sum("count"))["n"] or 0
    return max(0, vote.dots - placed)


def _refused(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def dot_set(*, vote: Vote, idea: Idea, user: User, count: int) -> int:
    """Set the participant's dots on one idea of the vote (0 takes them off); returns the dots
    they have left. Refused, with the field named, when the vote is closed, the idea is not in
    it, or the count would take them over their total."""
    # The lock makes one participant's requests wait for each other, so the check of the total
    # below sees every dot placed before it.
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if locked.closed_at is not None:
        raise _refused(
            "count", _("The vote is closed: dots can no longer be placed or taken back."), "closed"
        )
    if not locked.ideas.filter(pk=idea.pk).exists():
        raise _refused("idea", _("This idea is not part of the vote."), "not_in_vote")
    if count < 0:
        raise _refused("count", _("You have no dots on this idea to take off."), "min")
    elsewhere = (
        Dot.objects.filter(vote=locked, user=user).exclude(idea=idea).aggregate(n=Sum("count"))["n"]
        or 0
    )
    if elsewhere + count > locked.dots:
        left = locked.dots - elsewhere
        raise _refused(
            "count",
            ngettext(
                "You have %(total)d dot in this vote and can put at most %(left)d on "
                "this idea. Take a dot off another idea first.",
                "You have %(total)d dots in this vote and can put at most %(left)d on "
                "this idea. Take a dot off another idea first.",
                locked.dots,
            )
            % {"total": locked.dots, "left": max(0, left)},
            "over",
        )
    if count == 0:
        Dot.objects.filter(vote=locked, idea=idea, user=user).delete()
    else:
        dot = Dot.objects.filter(vote=locked, idea=idea, user=user).first()
        if dot is None:
            dot = Dot(vote=locked, idea=idea, user=user, count=count)
        dot.count = count
        dot.full_clean()
        dot.save()
    return locked.dots - elsewhere - count
