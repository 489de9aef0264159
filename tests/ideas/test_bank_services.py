"""The idea bank's services: ideas, weights and moderation.

The builders at the top (`idea`, `proposal`) are used by the bank's and public pages' tests too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from forandra.ideas import selectors, services
from forandra.ideas.models import Idea, ScoringWeights
from forandra.municipalities.models import Municipality
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Wave
from tests.conftest import Users


def idea(municipality: Municipality, title: str = "Digital anslagstavla", **fields: Any) -> Idea:
    """A published idea of the group, with the services' defaults unless given."""
    fields.setdefault("need", "Invånarna missar kommunens information.")
    fields.setdefault("created_by", None)
    return services.idea_create(municipality=municipality, title=title, **fields)


def proposal(
    municipality: Municipality,
    title: str = "Läxhjälp på kvällen",
    email: str = "",
    client: str = "a-client",
) -> Idea:
    """A resident's pending proposal."""
    made = services.proposal_submit(
        municipality=municipality,
        client=client,
        title=title,
        need="Barnen behöver hjälp när skolan har stängt.",
        email=email,
    )
    assert made.idea is not None
    return made.idea


def waves_of(municipality: Municipality) -> list[Wave]:
    scanning_services.catalogue_seed(region=municipality.region)
    return list(scanning_selectors.waves_for(region=municipality.region))


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


@pytest.mark.django_db
def test_an_idea_of_the_group_is_published_with_its_waves_and_dimensions(
    home: Municipality, users: Users
) -> None:
    waves = waves_of(home)
    dimension = selectors.dimension_choices()[0][0]

    made = idea(
        home,
        created_by=users.member,
        waves=waves[:2],
        dimensions=[dimension],
        one_time_cost=120_000,
        yearly_cost=5_000,
        effort=Decimal("1.5"),
        benefit=5,
        source="staff",
    )

    made.refresh_from_db()
    assert made.moderation == "published"
    assert made.status == "new"
    assert made.source == "staff"
    assert set(made.waves.all()) == set(waves[:2])
    assert made.dimensions == [dimension]
    assert made.effort == Decimal("1.5")
    assert made.history.get().history_user == users.member


@pytest.mark.django_db
def test_create_names_the_fields_that_are_wrong(home: Municipality) -> None:
    with pytest.raises(ValidationError) as error:
        idea(home, title="", need="", benefit=7, risk=0, status="dreaming", source="aliens")

    assert {"title", "need", "benefit", "risk", "status", "source"} <= errors_of(error)
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_create_refuses_a_wave_of_another_region_and_an_unknown_dimension(
    home: Municipality, elsewhere: Municipality
) -> None:
    with pytest.raises(ValidationError) as error:
        idea(home, waves=waves_of(elsewhere)[:1], dimensions=["no-such-dimension"])

    assert errors_of(error) == {"waves", "dimensions"}
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_update_changes_fields_and_waves_and_keeps_the_history(
    home: Municipality, users: Users
) -> None:
    waves = waves_of(home)
    made = idea(home, waves=waves[:1])

    services.idea_update(
        idea=made, by=users.coordinator, waves=waves[1:3], title="Ny titel", status="considered"
    )

    made.refresh_from_db()
    assert (made.title, made.status) == ("Ny titel", "considered")
    assert set(made.waves.all()) == set(waves[1:3])
    changes = selectors.idea_history(idea=made)
    assert changes[0].kind == "~"
    coordinator = users.coordinator
    assert changes[0].who == (coordinator.get_full_name() or coordinator.username)
    assert set(changes[0].fields) == {
        str(Idea._meta.get_field("title").verbose_name),
        str(Idea._meta.get_field("status").verbose_name),
    }
    assert changes[-1].kind == "+"


@pytest.mark.django_db
def test_update_refuses_a_bad_value_and_stores_nothing(home: Municipality) -> None:
    made = idea(home)

    with pytest.raises(ValidationError) as error:
        services.idea_update(idea=made, by=None, title="Bra", feasibility=9)

    assert errors_of(error) == {"feasibility"}
    made.refresh_from_db()
    assert (made.title, made.feasibility) == ("Digital anslagstavla", 3)


@pytest.mark.django_db
def test_weights_start_from_the_defaults_and_are_saved(home: Municipality) -> None:
    assert selectors.weights_for(municipality=home) == {
        "benefit": 5,
        "feasibility": 3,
        "risk": 2,
        "cost": 2,
        "effort": 1,
        "support": 2,
    }

    services.weights_save(municipality=home, benefit=10, cost=0)

    assert selectors.weights_for(municipality=home)["benefit"] == 10
    assert selectors.weights_for(municipality=home)["cost"] == 0
    assert ScoringWeights.objects.count() == 1


@pytest.mark.django_db
def test_a_weight_above_ten_is_refused(home: Municipality) -> None:
    with pytest.raises(ValidationError) as error:
        services.weights_save(municipality=home, support=11)

    assert errors_of(error) == {"support"}
    assert not ScoringWeights.objects.exists()


# Moderation ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_a_proposal_puts_it_in_the_bank(home: Municipality, users: Users) -> None:
    pending = proposal(home)
    assert selectors.idea_list(municipality=home) == []

    services.moderate(idea=pending, decision="publish", by=users.member)

    pending.refresh_from_db()
    assert pending.moderation == "published"
    assert [row.idea for row in selectors.idea_list(municipality=home)] == [pending]
    assert selectors.idea_history(idea=pending)[0].who


@pytest.mark.django_db
def test_declining_needs_a_reason_which_is_kept(home: Municipality, users: Users) -> None:
    pending = proposal(home)

    with pytest.raises(ValidationError) as error:
        services.moderate(idea=pending, decision="decline", reason="  ", by=users.member)
    assert errors_of(error) == {"reason"}
    pending.refresh_from_db()
    assert pending.moderation == "pending"

    services.moderate(
        idea=pending, decision="decline", reason="Det görs redan av regionen.", by=users.member
    )
    pending.refresh_from_db()
    assert (pending.moderation, pending.decline_reason) == (
        "declined",
        "Det görs redan av regionen.",
    )


@pytest.mark.django_db
def test_a_moderated_proposal_cannot_be_moderated_again(home: Municipality) -> None:
    pending = proposal(home)
    services.moderate(idea=pending, decision="publish", by=None)

    with pytest.raises(ValidationError):
        services.moderate(idea=pending, decision="decline", reason="Nej", by=None)

    pending.refresh_from_db()
    assert pending.moderation == "published"


@pytest.mark.django_db
def test_the_queue_is_oldest_first_and_only_pending(home: Municipality) -> None:
    first = proposal(home, title="Först")
    second = proposal(home, title="Sedan")
    idea(home)
    declined = proposal(home, title="Nej")
    services.moderate(idea=declined, decision="decline", reason="Nej", by=None)

    assert selectors.pending_proposals(municipality=home) == [first, second]
    assert selectors.pending_count(municipality=home) == 2
