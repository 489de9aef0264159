from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from forandra.municipalities import selectors, services
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality
from tests.conftest import make_group


def test_cross_functionality_counts_functions_ignoring_case_and_spacing() -> None:
    result = selectors.cross_functionality(["IT", "it ", "Skola", "  skola", "Social  tjänst"])

    assert result.members == 5
    assert result.distinct == 3
    assert result.functions == ("IT", "Skola", "Social tjänst")


def test_a_group_of_one_function_is_not_cross_functional() -> None:
    assert not selectors.cross_functionality(["IT", "IT", "IT"]).is_cross_functional
    assert selectors.cross_functionality(["IT", "Skola", "HR"]).is_cross_functional


@given(st.lists(st.text(max_size=12), max_size=12))
def test_distinct_functions_never_exceed_members(functions: list[str]) -> None:
    result = selectors.cross_functionality(functions)

    assert result.distinct <= result.members == len(functions)
    assert len({f.casefold() for f in result.functions}) == result.distinct


@pytest.mark.django_db
def test_group_cross_functionality_reads_the_members(home: Municipality) -> None:
    group = make_group(home, ["IT", "Skola", "Socialtjänst", "Ekonomi", "it"])

    result = selectors.group_cross_functionality(group=group)

    assert (result.members, result.distinct) == (5, 4)


@pytest.mark.django_db
def test_a_municipality_has_at_most_one_group(home: Municipality) -> None:
    services.group_create(municipality=home, name="Första")

    with pytest.raises(ValidationError):
        services.group_create(municipality=home, name="Andra")


@pytest.mark.django_db
def test_member_add_normalises_the_email_and_refuses_a_duplicate(home: Municipality) -> None:
    group = services.group_create(municipality=home, name="Gruppen")
    services.member_add(group=group, name="Anna", email=" Anna@Example.org ", function="IT")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.member_add(group=group, name="Anna B", email="anna@example.org", function="HR")

    assert "already has this e-mail" in str(error.value)
    assert group.members.get().email == "anna@example.org"


@pytest.mark.django_db
def test_member_add_refuses_an_invalid_email_and_stores_nothing(home: Municipality) -> None:
    group = services.group_create(municipality=home, name="Gruppen")

    with pytest.raises(ValidationError) as error:
        services.member_add(group=group, name="Anna", email="not-an-email", function="IT")

    assert "email" in error.value.message_dict
    assert not group.members.exists()


@pytest.mark.django_db
def test_member_changes_are_kept_in_history_with_who_and_what(
    home_group: DigitalisationGroup,
) -> None:
    member = home_group.members.order_by("pk").first()
    assert member is not None
    member_id = member.pk
    services.member_update(
        member=member, name="Nytt Namn", email=member.email, function="HR", role="lead"
    )
    services.member_remove(member=member)

    kinds = list(
        GroupMember.history.filter(id=member_id)
        .order_by("history_date")
        .values_list("history_type", "name")
    )
    assert [kind for kind, _ in kinds] == ["+", "~", "-"]
    assert kinds[1][1] == "Nytt Namn"
    changes = selectors.group_changes(group=home_group)
    assert changes[0].kind == "-" and changes[0].what == "Nytt Namn"


@pytest.mark.django_db
def test_the_database_refuses_a_bad_municipality_code(home: Municipality) -> None:
    with pytest.raises(IntegrityError):
        Municipality.objects.create(code="24x4", name="Fel", region=home.region)


@pytest.mark.django_db
def test_region_municipalities_loads_groups_and_members_in_few_queries(
    home_group: DigitalisationGroup,
    neighbour_group: DigitalisationGroup,
    django_assert_max_num_queries: object,
) -> None:
    region = home_group.municipality.region
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        rows = list(selectors.region_municipalities(region=region))
        members = sum(len(m.group.members.all()) for m in rows if hasattr(m, "group"))

    assert len(rows) == 15
    assert members == 7
