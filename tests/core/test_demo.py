from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from forandra.accounts.models import Role, User
from forandra.core import demo
from forandra.municipalities.models import DigitalisationGroup, GroupMember, Municipality
from forandra.municipalities.selectors import group_cross_functionality

pytestmark = pytest.mark.django_db


def test_demo_loads_vasterbotten_with_groups_in_14_of_15_municipalities() -> None:
    result = demo.demo_load()

    assert result.loaded
    assert Municipality.objects.filter(region__code="24").count() == 15
    groups = DigitalisationGroup.objects.filter(municipality__region__code="24")
    assert groups.count() == 14
    assert all(group.is_demo for group in groups)
    for group in groups:
        cross = group_cross_functionality(group=group)
        assert 4 <= cross.members <= 6
        assert cross.distinct >= 3
    assert len({group_cross_functionality(group=g).distinct for g in groups}) > 1


def test_demo_has_one_login_per_role_that_works() -> None:
    result = demo.demo_load()

    roles = {User.objects.get(username=login.username).role for login in result.logins}
    assert roles == set(Role.values)
    for login in result.logins:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=login.username).pk)


def test_demo_loads_only_into_an_empty_database_and_keeps_what_was_entered() -> None:
    demo.demo_load()
    group = DigitalisationGroup.objects.get(municipality__code="2404")
    GroupMember.objects.create(group=group, name="Ny person", email="ny@example.org", function="HR")

    second = demo.demo_load()

    assert not second.loaded
    assert GroupMember.objects.filter(email="ny@example.org").exists()
    assert DigitalisationGroup.objects.count() == 14


def test_demo_is_not_loaded_where_someone_already_has_an_account() -> None:
    User.objects.create_superuser("root", "root@example.org", "ett-långt-lösen")

    result = demo.demo_load()

    assert not result.loaded
    assert result.logins == []
    assert not DigitalisationGroup.objects.exists()


def test_demo_pages_say_they_show_demo_data(client: Client) -> None:
    demo.demo_load()
    client.force_login(User.objects.get(username="demo-grupp"))

    body = client.get("/municipalities/2404/group/").content.decode()

    assert "Demodata" in body


def test_demo_command_prints_the_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    call_command("demo")

    out = capsys.readouterr().out
    assert out.count("demo-koordinator") == 2
    assert demo.DEMO_PASSWORD in out


def test_demo_maturity_rounds_show_results_gap_region_and_change() -> None:
    from forandra.maturity import selectors
    from forandra.maturity.models import Mode, Round

    demo.demo_load()

    closed = Round.objects.filter(closed_at__isnull=False)
    assert closed.count() == 14 * 4
    assert all(r.is_demo for r in Round.objects.all())
    follow_up = closed.get(municipality__code="2404", mode=Mode.SURVEY, opened_on__year=2019)
    result = selectors.round_result(round_=follow_up)
    assert result is not None
    assert result.result.overall is not None
    assert selectors.counterpart(round_=follow_up).mode == Mode.CONSENSUS
    assert selectors.previous(round_=follow_up).opened_on.year == 2018
    assert len(selectors.region_comparison(round_=follow_up)) == 9
    assert selectors.unit_breakdown(round_=follow_up)
    # One open staff survey to try out from its link.
    open_survey = Round.objects.get(closed_at__isnull=True)
    assert (open_survey.municipality.code, open_survey.mode) == ("2404", Mode.SURVEY)
    page = Client().get(f"/survey/{open_survey.link_key}/")
    assert page.status_code == 200
    assert 'name="unit"' in page.content.decode()


def test_demo_scanning_has_waves_signals_and_radars_with_accessibility_most_common() -> None:
    from collections import Counter

    from forandra.municipalities.models import Municipality
    from forandra.scanning import selectors as scanning_selectors
    from forandra.scanning.radar import Movement

    demo.demo_load()

    home = Municipality.objects.get(code="2404")
    assert scanning_selectors.waves_for(region=home.region).count() == 10
    signals = scanning_selectors.signals_for(municipality=home)
    assert signals.count() == 24  # 12 + 6 in its own feeds, 6 in the region's podcast
    assert all(s.suggestions for s in signals)
    assert signals.filter(confirmed_at__isnull=False).exists()
    neighbour = Municipality.objects.get(code="2403")
    assert scanning_selectors.signals_for(municipality=neighbour).count() == 6  # the podcast
    advanced: Counter[str] = Counter()
    movements: set[Movement] = set()
    for municipality in Municipality.objects.filter(region__code="24").exclude(code="2480"):
        for key, placement in scanning_selectors.placements_for(municipality=municipality).items():
            movements.add(scanning_selectors.movement(placement))
            if placement.ring in ("adopt", "try"):
                advanced[key] += 1
    assert advanced.most_common(1)[0][0] == "accessibility"
    assert {Movement.MOVED_IN, Movement.UNCHANGED} <= movements
