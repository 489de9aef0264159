"""The ideas demo: an idea bank in every group's municipality, and Vindeln's dot votes."""

from __future__ import annotations

from collections import Counter

import pytest

from forandra.ideas import demo, voting
from forandra.ideas.models import Dot, Idea, ProposerContact, ScoringWeights, Vote
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.scanning import services as scanning_services
from tests.conftest import Users

pytestmark = pytest.mark.django_db

WITHOUT_GROUP = {"2480"}  # Umeå, as in the core demo


@pytest.fixture
def municipalities(region: Region) -> list[Municipality]:
    scanning_services.catalogue_seed(region=region)
    return [
        m
        for m in municipality_selectors.region_municipalities(region=region)
        if m.code not in WITHOUT_GROUP
    ]


def load(region: Region, municipalities: list[Municipality], users: Users) -> None:
    demo.demo_load(
        region=region,
        municipalities=municipalities,
        member=users.member,
        coordinator=users.coordinator,
    )


def shown() -> list[tuple[object, ...]]:
    """What the demo's ideas say, without their ids, times and private links."""
    return list(
        Idea.objects.order_by("municipality__code", "title", "source").values_list(
            "municipality__code",
            "title",
            "source",
            "status",
            "moderation",
            "one_time_cost",
            "yearly_cost",
            "effort",
            "benefit",
            "feasibility",
            "risk",
            "support_count",
            "dimensions",
        )
    )


def test_every_group_gets_fifteen_to_forty_ideas_from_every_source(
    region: Region, municipalities: list[Municipality], users: Users
) -> None:
    load(region, municipalities, users)

    per_municipality = Counter(Idea.objects.values_list("municipality__code", flat=True))
    assert set(per_municipality) == {m.code for m in municipalities}
    assert len(per_municipality) == 14
    assert all(15 <= n <= 40 for n in per_municipality.values()), per_municipality
    for municipality in municipalities:
        sources = set(
            Idea.objects.filter(municipality=municipality, moderation="published").values_list(
                "source", flat=True
            )
        )
        assert sources == {"group", "staff", "citizen", "workshop"}
    assert not Idea.objects.filter(is_demo=False).exists()
    statuses = set(Idea.objects.values_list("status", flat=True))
    assert statuses == {"new", "considered", "selected", "in_plan", "parked"}


def test_the_ideas_carry_waves_dimensions_and_estimates(
    region: Region, municipalities: list[Municipality], users: Users
) -> None:
    load(region, municipalities, users)
    published = Idea.objects.filter(moderation="published")

    assert not published.filter(waves=None).exists()
    assert not published.filter(dimensions=[]).exists()
    assert published.filter(one_time_cost__gt=0).count() > published.count() * 0.9
    assert published.filter(support_count__gt=0).exists()
    dimension_keys = {
        key for dims in published.values_list("dimensions", flat=True) for key in dims
    }
    assert "citizen_focus" in dimension_keys and len(dimension_keys) == 9


def test_residents_proposals_wait_for_moderation_and_one_is_declined_with_a_reason(
    region: Region, municipalities: list[Municipality], users: Users
) -> None:
    load(region, municipalities, users)

    for municipality in municipalities:
        pending = Idea.objects.filter(municipality=municipality, moderation="pending")
        assert 1 <= pending.count() <= 3
        assert not pending.filter(proposer_token=None).exists()
        assert set(pending.values_list("source", flat=True)) == {"citizen"}
        declined = Idea.objects.get(municipality=municipality, moderation="declined")
        assert declined.decline_reason and declined.proposer_token
    contacts = ProposerContact.objects.select_related("idea")
    assert contacts.count() == 14
    assert all(c.email.endswith("@demo.example") for c in contacts)
    assert {c.idea.moderation for c in contacts} == {"pending"}


def test_some_municipalities_have_their_own_weights(
    region: Region, municipalities: list[Municipality], users: Users
) -> None:
    load(region, municipalities, users)

    weights = ScoringWeights.objects.get(municipality__code="2404")
    assert (weights.benefit, weights.support) == (6, 3)
    assert 0 < ScoringWeights.objects.count() < 14


def test_vindeln_has_a_closed_vote_with_dots_and_an_open_one(
    region: Region, municipalities: list[Municipality], users: Users, home: Municipality
) -> None:
    load(region, municipalities, users)

    votes = list(voting.votes_for(municipality=home))
    assert [v.closed_at is None for v in votes] == [True, False]
    assert all(v.is_demo and v.idea_count >= 2 for v in votes)
    closed = voting.vote_results(vote=votes[1])
    assert closed.participants == 2
    assert closed.dots_placed == 10
    assert voting.dots_left(vote=votes[0], user=users.member) == 5  # the member can try it
    assert set(Vote.objects.values_list("municipality__code", flat=True)) == {"2404"}
    # Only published ideas that are not parked are voted on.
    assert not Dot.objects.exclude(idea__moderation="published").exists()
    assert not Vote.objects.filter(ideas__status="parked").exists()


def test_the_demo_is_the_same_every_time(
    region: Region, municipalities: list[Municipality], users: Users
) -> None:
    load(region, municipalities, users)
    first = shown()
    first_dots = sorted(Dot.objects.values_list("idea__title", "user__username", "count"))
    Vote.objects.all().delete()
    Idea.objects.all().delete()
    ScoringWeights.objects.all().delete()

    load(region, municipalities, users)

    assert shown() == first
    assert sorted(Dot.objects.values_list("idea__title", "user__username", "count")) == first_dots
