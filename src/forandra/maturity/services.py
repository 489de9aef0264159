"""Writes for the maturity self-assessment: instruments, rounds, answers."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.municipalities.models import Municipality, Unit
from forandra.webhooks import events as webhook_events

from . import scoring, selectors
from .instrument import Instrument, default_instrument, instrument_to_yaml, load_instrument
from .models import (
    AnswerCount,
    InstrumentVersion,
    Mode,
    Response,
    Round,
    SurveyToken,
    UnitResponseCount,
)


class SurveyRefusedError(Exception):
    """A survey response that cannot be taken; the message says why, for the respondent."""


def _key() -> str:
    return secrets.token_urlsafe(32)


def instrument_publish(*, source: str) -> InstrumentVersion:
    """Validate and publish an instrument version; a published version never changes.

    Publishing the same text again returns the stored version; different text under a version
    that exists is refused, since rounds already answered it.
    """
    instrument = load_instrument(source)
    return _publish(instrument, source)


def _publish(instrument: Instrument, source: str) -> InstrumentVersion:
    existing = InstrumentVersion.objects.filter(
        instrument_id=instrument.id, version=instrument.version
    ).first()
    if existing is not None:
        if existing.source != source and load_instrument(existing.source) != instrument:
            raise ValidationError(
                _(
                    "Version %(version)s of %(id)s is published and cannot change; "
                    "give the edited instrument a new version number."
                )
                % {"version": instrument.version, "id": instrument.id}
            )
        return existing
    return InstrumentVersion.objects.create(
        instrument_id=instrument.id,
        version=instrument.version,
        source=source,
        published_at=timezone.now(),
    )


def instrument_default_version() -> InstrumentVersion:
    """The shipped default instrument, published on first use."""
    return _publish(default_instrument(), _default_source())


@cache
def _default_source() -> str:
    return instrument_to_yaml(default_instrument())


@transaction.atomic
def round_open(
    *,
    municipality: Municipality,
    mode: str,
    title: str,
    opened_on: date,
    instrument: InstrumentVersion | None = None,
    invited: int | None = None,
    is_demo: bool = False,
) -> Round:
    """Open a round for a municipality, in consensus or survey mode."""
    round_ = Round(
        municipality=municipality,
        instrument=instrument or instrument_default_version(),
        mode=mode,
        title=title,
        opened_on=opened_on,
        invited=invited,
        link_key=_key(),
        is_demo=is_demo,
    )
    round_.full_clean()
    round_.save()
    return round_


def round_close(*, round_: Round, at: datetime | None = None) -> Round:
    """Close a round: no more answers; its results are final."""
    if round_.closed_at is None:
        round_.closed_at = at or timezone.now()
        round_.save(update_fields=["closed_at", "updated_at"])
        webhook_events.round_closed(round_=round_)
    return round_


def tokens_issue(*, round_: Round, count: int) -> list[str]:
    """Issue personal survey links; from then on the open link no longer takes answers."""
    if round_.mode != Mode.SURVEY:
        raise ValidationError(_("Only a survey round has personal links."))
    tokens = [_key() for _ in range(count)]
    SurveyToken.objects.bulk_create([SurveyToken(round=round_, token=t) for t in tokens])
    if not round_.tokens_required:
        round_.tokens_required = True
        round_.save(update_fields=["tokens_required", "updated_at"])
    return tokens


def _validate_answers(instrument: Instrument, answers: Mapping[str, int | None]) -> None:
    keys = {statement.key for _dimension, statement in instrument.statements()}
    unknown = set(answers) - keys
    if unknown:
        raise ValidationError(_("Unknown statements: %(keys)s") % {"keys": ", ".join(unknown)})
    for key, value in answers.items():
        if value is not None and not 1 <= value <= instrument.scale.size:
            raise ValidationError(_("The answer to %(key)s is outside the scale.") % {"key": key})


def _count(round_: Round, unit: Unit | None, answers: Mapping[str, int | None], sign: int) -> None:
    """Add (or with sign -1 remove) one response's answers to the round's counts.

    Callers hold the round's lock, so submissions to a round count one at a time; to hold it
    briefly this is three statements: per count table one upsert that adds `sign` to each row or
    creates it (`INSERT ... ON CONFLICT ... DO UPDATE`, the same on SQLite and PostgreSQL), then
    the round's total and counts version.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name

    def upsert(model: type[AnswerCount | UnitResponseCount], columns: list[str], rows: int) -> str:
        table = quote(model._meta.db_table)
        keys = ", ".join(quote(column) for column in columns)
        count = quote("count")
        values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * rows)
        return (
            f"INSERT INTO {table} ({keys}, {count}) VALUES {values} "  # noqa: S608 (names from the models; values are parameters)
            f"ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + %s"
        )

    unit_key = unit.pk if unit is not None else 0
    initial = max(sign, 0)  # a count is never negative, not even in a row about to be updated
    # "Don't know" (and a statement left unanswered) is counted too, under scoring.DONT_KNOW:
    # scoring leaves it out, the answer distribution shows it.
    pairs = sorted(
        (key, scoring.DONT_KNOW if value is None else value) for key, value in answers.items()
    )
    with connection.cursor() as cursor:
        if pairs:
            params: list[object] = []
            for key, value in pairs:
                params += [round_.pk, unit_key, key, value, initial]
            cursor.execute(
                upsert(AnswerCount, ["round_id", "unit_key", "statement_key", "value"], len(pairs)),
                [*params, sign],
            )
        cursor.execute(
            upsert(UnitResponseCount, ["round_id", "unit_key"], 1),
            [round_.pk, unit_key, initial, sign],
        )
    _counted(round_, sign)


def _counted(round_: Round, responses: int) -> None:
    """Add to the round's total after its counts changed, and give the counts a new version.

    Cached scores are keyed by the version (see `Round.counts_version`), so this must run in the
    transaction that changed the counts. The caller's round gets the new version too, so that a
    read through it afterwards is not served the scores of the counts before.
    """
    version = uuid.uuid4()
    Round.objects.filter(pk=round_.pk).update(
        response_count=F("response_count") + responses, counts_version=version
    )
    round_.counts_version = version


def survey_submit(
    *,
    round_: Round,
    answers: Mapping[str, int | None],
    unit: Unit | None = None,
    token: str | None = None,
    client_key: str = "",
) -> Response:
    """Take one anonymous survey response, exactly once per token or per browser."""
    if round_.mode != Mode.SURVEY:
        raise SurveyRefusedError(_("This round is answered by the group together, not by survey."))
    if unit is not None and unit.municipality_id != round_.municipality_id:
        raise SurveyRefusedError(_("That department does not belong to this municipality."))
    _validate_answers(selectors.instrument_for(round_=round_), answers)
    try:
        with transaction.atomic():
            current = Round.objects.select_for_update().get(pk=round_.pk)
            if current.closed_at is not None:
                raise SurveyRefusedError(_("The survey is closed; thank you for your interest."))
            token_row = None
            if token:
                token_row = SurveyToken.objects.filter(round=round_, token=token).first()
                claimed = SurveyToken.objects.filter(
                    round=round_, token=token, used_at__isnull=True
                ).update(used_at=timezone.now())
                if token_row is None:
                    raise SurveyRefusedError(_("The link is not valid for this survey."))
                if claimed != 1:
                    raise SurveyRefusedError(_("This link has already been used to answer."))
            elif current.tokens_required:
                raise SurveyRefusedError(_("This survey is answered through personal links only."))
            response = Response.objects.create(
                round=round_,
                unit=unit,
                submitted_on=timezone.localdate(),
                token=token_row,
                client_key="" if token_row else client_key,
                answers=dict(answers),
            )
            _count(round_, unit, answers, +1)
    except IntegrityError:
        if (
            Response.objects.filter(round=round_, client_key=client_key)
            .exclude(client_key="")
            .exists()
        ):
            raise SurveyRefusedError(_("You have already answered this survey.")) from None
        # Another constraint, such as a department removed while the answers were on their way.
        raise SurveyRefusedError(
            _("Your answers could not be stored. Please check them and send them again.")
        ) from None
    return response


@transaction.atomic
def consensus_save(*, round_: Round, answers: Mapping[str, tuple[int | None, str]]) -> Response:
    """Save the group's joint answers (value and why) to a consensus round, while it is open."""
    current = Round.objects.select_for_update().get(pk=round_.pk)
    if current.mode != Mode.CONSENSUS:
        raise ValidationError(_("This round is a survey; the group answers a consensus round."))
    if current.closed_at is not None:
        raise ValidationError(_("The round is closed and can no longer change."))
    _validate_answers(
        selectors.instrument_for(round_=current), {k: v for k, (v, _why) in answers.items()}
    )
    response = Response.objects.filter(round=current).first()
    if response is None:
        response = Response.objects.create(round=current, submitted_on=timezone.localdate())
    else:
        _count(current, None, response.answers, -1)
    for key, (value, why) in answers.items():
        response.answers[key] = value
        response.whys[key] = why.strip()
    _count(current, None, response.answers, +1)
    response.submitted_on = timezone.localdate()
    response.save(update_fields=["answers", "whys", "submitted_on"])
    return response


@dataclass(frozen=True)
class ImportedResponse:
    """One survey response to import: answers by statement, and the unit if given."""

    answers: Mapping[str, int | None]
    unit: Unit | None = None


@transaction.atomic
def survey_import(*, round_: Round, responses: list[ImportedResponse], on: date) -> int:
    """Add many survey responses at once (an import, or the demo), counted as if submitted."""
    instrument = selectors.instrument_for(round_=round_)
    for item in responses:
        _validate_answers(instrument, item.answers)
        if item.unit is not None and item.unit.municipality_id != round_.municipality_id:
            raise ValidationError(_("That department does not belong to this municipality."))
    Response.objects.bulk_create(
        [
            Response(round=round_, unit=item.unit, submitted_on=on, answers=dict(item.answers))
            for item in responses
        ]
    )
    counts: Counter[tuple[int, str, int]] = Counter()
    sizes: Counter[int] = Counter()
    for item in responses:
        unit_key = item.unit.pk if item.unit is not None else 0
        sizes[unit_key] += 1
        counts.update(
            (unit_key, key, scoring.DONT_KNOW if value is None else value)
            for key, value in item.answers.items()
        )
    # The round is locked, so the counts can be read, added to and written back in bulk.
    Round.objects.select_for_update().filter(pk=round_.pk).first()
    existing = {
        (row.unit_key, row.statement_key, row.value): row
        for row in AnswerCount.objects.filter(round=round_)
    }
    for slot, count in counts.items():
        if slot in existing:
            existing[slot].count += count
    AnswerCount.objects.bulk_update([existing[s] for s in counts if s in existing], ["count"])
    AnswerCount.objects.bulk_create(
        [
            AnswerCount(round=round_, unit_key=u, statement_key=k, value=v, count=c)
            for (u, k, v), c in counts.items()
            if (u, k, v) not in existing
        ]
    )
    known_sizes = {row.unit_key: row for row in UnitResponseCount.objects.filter(round=round_)}
    for unit_key, size in sizes.items():
        if unit_key in known_sizes:
            known_sizes[unit_key].count += size
    UnitResponseCount.objects.bulk_update(
        [known_sizes[u] for u in sizes if u in known_sizes], ["count"]
    )
    UnitResponseCount.objects.bulk_create(
        [
            UnitResponseCount(round=round_, unit_key=u, count=size)
            for u, size in sizes.items()
            if u not in known_sizes
        ]
    )
    _counted(round_, len(responses))
    return len(responses)
