"""Writes for the maturity self-assessment: instruments, rounds, answers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forandra.municipalities.models import Municipality, Unit

from .instrument import Instrument, default_instrument, instrument_to_yaml, load_instrument
from .models import (
    Answer,
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
    existing = InstrumentVersion.objects.filter(
        instrument_id=instrument.id, version=instrument.version
    ).first()
    if existing is not None:
        if load_instrument(existing.source) != instrument:
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
    return instrument_publish(source=instrument_to_yaml(default_instrument()))


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


def round_close(*, round_: Round) -> Round:
    """Close a round: no more answers; its results are final."""
    if round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at", "updated_at"])
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
    """Add (or with sign -1 remove) one response's answers to the round's counts."""
    unit_key = unit.pk if unit is not None else 0
    pairs = [(key, value) for key, value in answers.items() if value is not None]
    if pairs:
        AnswerCount.objects.bulk_create(
            [
                AnswerCount(round=round_, unit_key=unit_key, statement_key=k, value=v)
                for k, v in pairs
            ],
            ignore_conflicts=True,
        )
        AnswerCount.objects.filter(round=round_, unit_key=unit_key).filter(
            reduce(or_, [Q(statement_key=k, value=v) for k, v in pairs])
        ).update(count=F("count") + sign)
    UnitResponseCount.objects.bulk_create(
        [UnitResponseCount(round=round_, unit_key=unit_key)], ignore_conflicts=True
    )
    UnitResponseCount.objects.filter(round=round_, unit_key=unit_key).update(
        count=F("count") + sign
    )
    Round.objects.filter(pk=round_.pk).update(response_count=F("response_count") + sign)


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
    _validate_answers(load_instrument(round_.instrument.source), answers)
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
            )
            Answer.objects.bulk_create(
                [
                    Answer(response=response, statement_key=key, value=value)
                    for key, value in answers.items()
                ]
            )
            _count(round_, unit, answers, +1)
    except IntegrityError:
        raise SurveyRefusedError(_("You have already answered this survey.")) from None
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
        load_instrument(current.instrument.source), {k: v for k, (v, _why) in answers.items()}
    )
    response = Response.objects.filter(round=current).first()
    if response is None:
        response = Response.objects.create(round=current, submitted_on=timezone.localdate())
    else:
        previous = dict(response.answers.values_list("statement_key", "value"))
        _count(current, None, previous, -1)
    for key, (value, why) in answers.items():
        Answer.objects.update_or_create(
            response=response, statement_key=key, defaults={"value": value, "why": why.strip()}
        )
    stored = dict(response.answers.values_list("statement_key", "value"))
    _count(current, None, stored, +1)
    response.submitted_on = timezone.localdate()
    response.save(update_fields=["submitted_on"])
    return response
