"""The survey's quick reading of a POST agrees with the form wherever it gives an answer."""

from __future__ import annotations

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from forandra.maturity.forms import SurveyForm, survey_answers
from forandra.maturity.instrument import default_instrument
from forandra.municipalities.models import Unit

INSTRUMENT = default_instrument()
KEYS = [statement.key for _dimension, statement in INSTRUMENT.statements()]
VALUES = st.sampled_from(["", "dk", "1", "2", "3", "4", "5", "0", "6", " 3", "3 ", "DK", "x"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=len(KEYS)))
def test_the_quick_reading_accepts_only_what_the_form_accepts(posted: dict[str, str]) -> None:
    data = QueryDict(mutable=True)
    data.update(posted)
    form = SurveyForm(data, instrument=INSTRUMENT, units=Unit.objects.none())

    quick = survey_answers(INSTRUMENT, data)

    valid = form.is_valid()
    if quick is not None:
        assert valid
        assert quick == form.answers()
    elif all(v in {"", "dk", "1", "2", "3", "4", "5"} for v in posted.values()):
        raise AssertionError("a well-formed POST must be read quickly")
