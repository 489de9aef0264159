"""Who sees what of a region: the one rule every regional page and export filters through."""

from __future__ import annotations

import pytest

from forandra.municipalities.models import Municipality, Region
from forandra.plans.models import PlanVersion, Status
from forandra.regional import services
from forandra.regional.models import Part, Publication
from forandra.regional.visibility import public_page_open, public_sight, sight_for
from tests.conftest import Users
from tests.plans import builders

pytestmark = pytest.mark.django_db


def visible(sight, part: Part) -> set[str]:
    return set(
        Municipality.objects.filter(sight.municipalities(part)).values_list("code", flat=True)
    )


def test_the_coordinator_and_admins_see_every_municipality_of_the_region(
    users: Users, region: Region
) -> None:
    for user in (users.coordinator, users.admin):
        sight = sight_for(user, region)

        assert sight.everything
        assert visible(sight, Part.PLANS) == set(
            region.municipalities.values_list("code", flat=True)
        )


def test_a_member_sees_their_own_municipality_and_what_the_others_publish(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    services.publication_set(
        municipality=neighbour, maturity=True, radar=False, plans=False, by=None
    )
    sight = sight_for(users.member, region)

    assert not sight.everything
    assert visible(sight, Part.MATURITY) == {home.code, neighbour.code}
    assert visible(sight, Part.RADAR) == {home.code}
    assert visible(sight, Part.PLANS) == {home.code}


def test_the_public_sees_only_what_is_published(
    region: Region, home: Municipality, neighbour: Municipality
) -> None:
    services.publication_set(municipality=home, maturity=False, radar=True, plans=False, by=None)

    assert visible(public_sight(region), Part.RADAR) == {home.code}
    assert visible(public_sight(region), Part.MATURITY) == set()


def test_a_user_of_another_region_has_no_own_municipality_there(
    users: Users, elsewhere: Municipality, region: Region
) -> None:
    """The coordinator of another region sees Västerbotten only as the public does."""
    sight = sight_for(users.other_coordinator, region)

    assert not sight.everything
    assert sight.own is None
    assert visible(sight, Part.PLANS) == set()


def test_of_published_plans_others_see_only_decided_versions(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    draft = builders.complete_draft(neighbour)
    decided = builders.decided(neighbour)
    returned = builders.submitted(neighbour)
    PlanVersion.objects.filter(pk=returned.pk).update(status=Status.RETURNED)
    own_draft = builders.complete_draft(home)

    def seen(user_sight) -> set[int]:
        return set(
            PlanVersion.objects.filter(user_sight.plan_versions()).values_list("pk", flat=True)
        )

    member = sight_for(users.member, region)
    assert seen(member) == {own_draft.pk}, "nothing of an unpublished municipality"

    services.publication_set(
        municipality=neighbour, maturity=False, radar=False, plans=True, by=None
    )
    assert seen(member) == {own_draft.pk, decided.pk}, "decided versions only, never draft/returned"
    assert seen(public_sight(region)) == {decided.pk}
    assert seen(sight_for(users.coordinator, region)) == {
        draft.pk,
        decided.pk,
        returned.pk,
        own_draft.pk,
    }


def test_publishing_again_changes_the_one_row(home: Municipality, users: Users) -> None:
    services.publication_set(municipality=home, maturity=True, radar=True, plans=True, by=None)
    services.publication_set(
        municipality=home, maturity=False, radar=True, plans=False, by=users.member
    )

    row = Publication.objects.get()
    assert (row.maturity, row.radar, row.plans, row.updated_by) == (
        False,
        True,
        False,
        users.member,
    )


def test_the_public_page_is_closed_until_opened(region: Region, users: Users) -> None:
    assert not public_page_open(region)
    services.public_summary_set(
        region=region, enabled=True, intro=" Välkomna ", by=users.coordinator
    )
    assert public_page_open(region)
    assert services.public_summary_for(region=region).intro == "Välkomna"
    services.public_summary_set(region=region, enabled=False, intro="", by=users.coordinator)
    assert not public_page_open(region)
