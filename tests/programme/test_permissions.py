"""Who may do what in a programme: the rules in `core.permissions`, asked without a request.

A facilitator from another municipality leads the workshops (views, facilitates, works with the
groups) but does not manage the programme; the leadership of a participating municipality reads
but does not write; a member of a municipality that does not take part sees nothing of it."""

from __future__ import annotations

import pytest

from forandra.accounts.models import Role
from forandra.core.permissions import Perm, allowed
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import DigitalisationGroup, Municipality, Region
from forandra.programme.access import ProgrammeGroup
from forandra.programme.models import Programme
from tests.conftest import Users, make_user

from .builders import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(region: Region, home: Municipality, home_group: DigitalisationGroup) -> Programme:
    return make_programme(region, [home])


@pytest.fixture
def place(programme: Programme, home_group: DigitalisationGroup) -> ProgrammeGroup:
    return ProgrammeGroup(programme=programme, group=home_group)


def test_a_facilitator_from_another_municipality_facilitates_and_views_but_does_not_manage(
    users: Users, programme: Programme, place: ProgrammeGroup
) -> None:
    facilitator = users.other_member  # a member in Bjurholm, which does not take part
    assert not allowed(facilitator, Perm.PROGRAMME_VIEW, programme)

    programme.facilitators.add(facilitator)

    assert allowed(facilitator, Perm.PROGRAMME_VIEW, programme)
    assert allowed(facilitator, Perm.PROGRAMME_FACILITATE, programme)
    assert allowed(facilitator, Perm.PROGRAMME_GROUP_VIEW, place)
    assert allowed(facilitator, Perm.PROGRAMME_GROUP_WORK, place)
    assert not allowed(facilitator, Perm.PROGRAMME_MANAGE, programme)
    assert not allowed(facilitator, Perm.PROGRAMME_CREATE, programme.region)


def test_leadership_of_a_participating_municipality_views_but_does_not_work(
    users: Users, programme: Programme, place: ProgrammeGroup
) -> None:
    leadership = users.leadership

    assert allowed(leadership, Perm.PROGRAMME_VIEW, programme)
    assert allowed(leadership, Perm.PROGRAMME_GROUP_VIEW, place)
    assert not allowed(leadership, Perm.PROGRAMME_GROUP_WORK, place)
    assert not allowed(leadership, Perm.PROGRAMME_FACILITATE, programme)
    assert not allowed(leadership, Perm.PROGRAMME_MANAGE, programme)


def test_a_member_of_a_participating_municipality_works_with_its_own_group_only(
    users: Users, programme: Programme, place: ProgrammeGroup, neighbour: Municipality
) -> None:
    other_group = DigitalisationGroup.objects.create(municipality=neighbour, name="Bjurholm")
    programme.municipalities.add(neighbour)
    other_place = ProgrammeGroup(programme=programme, group=other_group)

    assert allowed(users.member, Perm.PROGRAMME_GROUP_WORK, place)
    assert not allowed(users.member, Perm.PROGRAMME_GROUP_VIEW, other_place)
    assert not allowed(users.member, Perm.PROGRAMME_MANAGE, programme)


def test_a_member_of_a_municipality_that_does_not_take_part_may_not_view(
    users: Users, programme: Programme, place: ProgrammeGroup
) -> None:
    outsider = users.other_member

    assert not allowed(outsider, Perm.PROGRAMME_VIEW, programme)
    assert not allowed(outsider, Perm.PROGRAMME_GROUP_VIEW, place)


def test_the_regions_coordinator_and_admins_manage_and_another_regions_coordinator_does_not(
    users: Users, programme: Programme, region: Region
) -> None:
    for manager in (users.coordinator, users.admin):
        assert allowed(manager, Perm.PROGRAMME_CREATE, region)
        assert allowed(manager, Perm.PROGRAMME_MANAGE, programme)
    assert not allowed(users.other_coordinator, Perm.PROGRAMME_CREATE, region)
    assert not allowed(users.other_coordinator, Perm.PROGRAMME_VIEW, programme)


def test_a_deactivated_facilitator_may_do_nothing(users: Users, programme: Programme) -> None:
    facilitator = make_user(
        "facilitator",
        Role.MEMBER,
        municipality=municipality_selectors.municipality_get(code="2401"),
    )
    programme.facilitators.add(facilitator)
    facilitator.is_active = False
    facilitator.save()

    assert not allowed(facilitator, Perm.PROGRAMME_VIEW, programme)
