"""Choosing what a municipality publishes, and opening the region's public page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from forandra.accounts.models import User
from forandra.municipalities.models import Municipality, Region
from forandra.plans.models import PlanVersion, Status
from forandra.regional import services
from forandra.regional.models import Publication, PublicSummary
from tests.conftest import Users
from tests.plans import builders
from tests.regional.test_public_world import group_round, survey_round

pytestmark = pytest.mark.django_db


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def publication_url(municipality: Municipality) -> str:
    return reverse("regional:publication_edit", args=[municipality.code])


def public_edit_url(region: Region) -> str:
    return reverse("regional:public_edit", args=[region.code])


def flags(municipality: Municipality) -> tuple[bool, bool, bool] | None:
    found = Publication.objects.filter(municipality=municipality).first()
    return (found.maturity, found.radar, found.plans) if found else None


# --- What a municipality publishes ---------------------------------------------------------------


def test_the_group_saves_what_it_publishes_and_comes_back_to_the_page(
    users: Users, home: Municipality
) -> None:
    client = client_of(users.member)

    response = client.post(publication_url(home), {"parts": ["maturity", "plans"]}, follow=True)

    assert response.redirect_chain == [(publication_url(home), 302)]
    assert flags(home) == (True, False, True)
    assert Publication.objects.get(municipality=home).updated_by == users.member
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert response.context["form"]["parts"].value() == ["maturity", "plans"]


def test_unticking_every_part_takes_everything_back(users: Users, home: Municipality) -> None:
    services.publication_set(municipality=home, maturity=True, radar=True, plans=True, by=None)

    client_of(users.member).post(publication_url(home), {})

    assert flags(home) == (False, False, False)


def test_an_unknown_part_is_refused_with_an_error_and_nothing_is_saved(
    users: Users, home: Municipality
) -> None:
    services.publication_set(municipality=home, maturity=False, radar=True, plans=False, by=None)

    response = client_of(users.member).post(
        publication_url(home), {"parts": ["maturity", "answers"]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["parts"]
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'href="#id_parts"' in body
    assert 'id="id_parts_error"' in body
    assert flags(home) == (False, True, False)


def test_the_form_shows_what_is_published_now(users: Users, home: Municipality) -> None:
    services.publication_set(municipality=home, maturity=False, radar=True, plans=False, by=None)

    body = client_of(users.member).get(publication_url(home)).content.decode()

    boxes = {
        re.search(r'value="(\w+)"', tag).group(1): tag  # type: ignore[union-attr]
        for tag in re.findall(r'<input type="checkbox" name="parts"[^>]*>', body)
    }
    assert set(boxes) == {"maturity", "radar", "plans"}
    assert [value for value, tag in boxes.items() if " checked" in tag] == ["radar"]
    for tag in boxes.values():  # each box is tied to the hint that says what it publishes
        box_id = re.search(r'id="(\w+)"', tag).group(1)  # type: ignore[union-attr]
        assert f'aria-describedby="{box_id}_hint"' in tag
        assert f'id="{box_id}_hint"' in body


def test_the_group_the_coordinator_and_admins_may_choose(users: Users, home: Municipality) -> None:
    for user in (users.member, users.coordinator, users.admin):
        assert client_of(user).get(publication_url(home)).status_code == 200, user


def test_leadership_and_other_municipalities_may_not_choose(
    users: Users, home: Municipality
) -> None:
    for user in (users.leadership, users.other_member, users.other_coordinator):
        client = client_of(user)
        assert client.get(publication_url(home)).status_code == 403, user
        assert client.post(publication_url(home), {"parts": ["plans"]}).status_code == 403
    assert flags(home) is None
    response = client_of(None).get(publication_url(home))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_says_who_sees_it(users: Users, region: Region, home: Municipality) -> None:
    client = client_of(users.member)
    closed = client.get(publication_url(home))
    services.public_summary_set(region=region, enabled=True, intro="Hej.", by=None)
    opened = client.get(publication_url(home))

    assert closed.context["page_open"] is False
    assert opened.context["page_open"] is True
    public = reverse("regional:public_summary", args=[region.code])
    assert public in opened.content.decode() and public not in closed.content.decode()


def test_the_preview_tells_which_rounds_have_results_to_show(
    users: Users, home: Municipality
) -> None:
    shown = group_round(home, date(2026, 3, 1), 4, close=True)
    still_open = group_round(home, date(2026, 5, 1), 4, close=False)
    too_few = survey_round(home, date(2026, 3, 20), 2)

    preview = client_of(users.member).get(publication_url(home)).context["preview"]

    by_round = {item.round: item for item in preview.rounds}
    assert by_round[shown].published
    assert not by_round[still_open].published and by_round[still_open].reason
    assert not by_round[too_few].published and "2" in by_round[too_few].reason
    assert preview.published_rounds == 1


def test_the_preview_shows_which_plan_version_would_be_published(
    users: Users, home: Municipality
) -> None:
    decided = builders.decided(home)
    draft = builders.complete_draft(home)
    returned = builders.submitted(home)
    PlanVersion.objects.filter(pk=returned.pk).update(status=Status.RETURNED)

    preview = client_of(users.member).get(publication_url(home)).context["preview"]

    published = {item.plan.pk: item.published for item in preview.plans}
    assert published[decided.plan_id] is not None
    assert published[decided.plan_id].version == decided
    assert published[draft.plan_id] is None
    assert published[returned.plan_id] is None
    never = [v for item in preview.plans for v in item.versions if not v.published]
    assert {v.version.status for v in never} == {Status.DRAFT, Status.RETURNED}


# --- The region's public page --------------------------------------------------------------------


def test_the_coordinator_opens_the_public_page_with_an_introduction(
    users: Users, region: Region
) -> None:
    response = client_of(users.coordinator).post(
        public_edit_url(region), {"enabled": "on", "intro": "  Välkomna till regionen.  "}
    )

    assert response.status_code == 302 and response["Location"] == public_edit_url(region)
    summary = PublicSummary.objects.get(region=region)
    assert summary.enabled and summary.intro == "Välkomna till regionen."
    assert summary.updated_by == users.coordinator
    assert client_of(None).get(f"/public/regions/{region.code}/").status_code == 200


def test_the_coordinator_closes_it_again(users: Users, region: Region) -> None:
    services.public_summary_set(region=region, enabled=True, intro="Hej.", by=None)

    client_of(users.coordinator).post(public_edit_url(region), {"intro": "Hej."})

    assert not PublicSummary.objects.get(region=region).enabled
    assert client_of(None).get(f"/public/regions/{region.code}/").status_code == 404


def test_opening_without_an_introduction_is_refused(users: Users, region: Region) -> None:
    response = client_of(users.coordinator).post(
        public_edit_url(region), {"enabled": "on", "intro": "   "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["intro"]
    assert 'href="#id_intro"' in response.content.decode()
    assert not PublicSummary.objects.filter(region=region).exists()


def test_a_too_long_introduction_is_refused_and_kept(users: Users, region: Region) -> None:
    text = "Ord " * 600
    response = client_of(users.coordinator).post(public_edit_url(region), {"intro": text})

    assert response.context["form"].errors["intro"]
    assert text.strip() in response.content.decode()  # what was typed stays in the field
    assert not PublicSummary.objects.filter(region=region).exists()


def test_the_coordinator_sees_which_municipalities_publish_what(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    services.publication_set(municipality=home, maturity=False, radar=True, plans=False, by=None)

    response = client_of(users.coordinator).get(public_edit_url(region))

    choices = {c.municipality.code: c for c in response.context["choices"]}
    assert len(choices) == region.municipalities.count()
    assert (choices[home.code].radar, choices[home.code].plans) == (True, False)
    assert not choices[neighbour.code].publishes_anything
    assert response.context["publishing"] == 1
    assert publication_url(home) in response.content.decode()


def test_only_the_coordinator_and_admins_open_or_close_the_page(
    users: Users, region: Region
) -> None:
    assert client_of(users.admin).get(public_edit_url(region)).status_code == 200
    for user in (users.member, users.leadership, users.other_member, users.other_coordinator):
        client = client_of(user)
        assert client.get(public_edit_url(region)).status_code == 403, user
        assert (
            client.post(public_edit_url(region), {"enabled": "on", "intro": "x"}).status_code == 403
        )
    assert not PublicSummary.objects.filter(region=region).exists()
