"""Joint initiatives: started, changed and deleted by the coordinator, always linking what they
see of two or more municipalities of their own region; every refusal leaves the database as it
was, whether it comes through the form or a crafted POST."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forandra.ideas.models import Idea, Moderation
from forandra.municipalities.models import Municipality, Region
from forandra.plans import services as plan_services
from forandra.plans.models import Initiative, PlanVersion
from forandra.regional import demo_joint, joint
from forandra.regional.models import JointInitiative, JointLink
from tests.conftest import Users
from tests.regional.test_collaboration import (
    FIBRE,
    FIBRE_TEXT,
    HOME_TITLE,
    NEIGHBOUR_TITLE,
    NIGHT,
    client_for,
    decided_with,
    english,  # noqa: F401 (an autouse fixture: the pages in English)
    idea,
    make_world,
    text,
)

pytestmark = pytest.mark.django_db


def ref(version: PlanVersion, title: str | None = None) -> str:
    found = version.initiatives.get(**({"title": title} if title else {}))
    return f"initiative:{found.key}"


def state() -> tuple[object, ...]:
    return (
        tuple(JointInitiative.objects.values_list("pk", "title", "description").order_by("pk")),
        tuple(
            JointLink.objects.values_list(
                "joint_id", "municipality_id", "initiative_key", "idea_id"
            ).order_by("pk")
        ),
    )


@pytest.fixture
def refs(users: Users, home: Municipality, neighbour: Municipality) -> dict[str, str]:
    """Vindeln's two initiatives (its plan unpublished) and Bjurholm's (published)."""
    world = make_world(home, neighbour)
    return {
        "home": ref(world["secret"], HOME_TITLE),
        "fibre": ref(world["secret"], FIBRE),
        "neighbour": ref(world["shown"]),
    }


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- The services -------------------------------------------------------------------------------


def test_a_joint_initiative_links_items_of_two_municipalities(
    refs: dict[str, str], users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    made = joint.joint_create(
        region=region,
        by=users.coordinator,
        title="  Nattillsyn tillsammans ",
        description="Vi delar larmcentral.",
        items=[refs["home"], refs["neighbour"], refs["home"]],
    )

    assert made.title == "Nattillsyn tillsammans"
    assert made.created_by == users.coordinator
    assert sorted(made.links.values_list("municipality__code", "initiative_key")) == sorted(
        [
            (home.code, uuid.UUID(refs["home"].split(":")[1])),
            (neighbour.code, uuid.UUID(refs["neighbour"].split(":")[1])),
        ]
    )


@pytest.mark.parametrize(
    "items",
    [
        pytest.param(["home", "fibre"], id="one-municipality"),
        pytest.param(["home"], id="one-item"),
        pytest.param([], id="nothing"),
    ],
)
def test_one_municipality_alone_is_refused_and_nothing_is_written(
    items: list[str], refs: dict[str, str], users: Users, region: Region
) -> None:
    before = state()

    with pytest.raises(ValidationError) as refused:
        joint.joint_create(
            region=region, by=users.coordinator, title="Ensam", items=[refs[i] for i in items]
        )

    assert "two municipalities" in " ".join(errors_of(refused)["items"])
    assert state() == before


def test_an_item_of_another_region_is_refused(
    refs: dict[str, str], users: Users, region: Region, elsewhere: Municipality
) -> None:
    stockholm = decided_with(elsewhere, (NEIGHBOUR_TITLE, NIGHT))
    before = state()

    with pytest.raises(ValidationError) as refused:
        joint.joint_create(
            region=region,
            by=users.coordinator,
            title="Över länsgränsen",
            items=[refs["home"], refs["neighbour"], ref(stockholm)],
        )

    assert "not in the region" in " ".join(errors_of(refused)["items"])
    assert state() == before


def test_an_item_the_creator_may_not_see_is_refused(
    refs: dict[str, str], users: Users, region: Region, neighbour: Municipality
) -> None:
    """Bjurholm's member sees Vindeln's unpublished plan no more here than on the pages; and
    nobody links an idea that is not published."""
    pending = idea(neighbour, NEIGHBOUR_TITLE, NIGHT)
    Idea.objects.filter(pk=pending.pk).update(moderation=Moderation.PENDING)
    before = state()

    with pytest.raises(ValidationError):
        joint.joint_create(
            region=region,
            by=users.other_member,
            title="Smygväg",
            items=[refs["home"], refs["neighbour"]],
        )
    with pytest.raises(ValidationError):
        joint.joint_create(
            region=region,
            by=users.coordinator,
            title="Opublicerat",
            items=[refs["home"], f"idea:{pending.pk}"],
        )

    assert state() == before


@pytest.mark.parametrize(
    "crafted",
    ["initiative:not-a-uuid", f"initiative:{uuid.uuid4()}", "idea:abc", "idea:99999", "plan:1"],
)
def test_a_crafted_reference_is_refused(
    crafted: str, refs: dict[str, str], users: Users, region: Region
) -> None:
    before = state()

    with pytest.raises(ValidationError) as refused:
        joint.joint_create(
            region=region,
            by=users.coordinator,
            title="Påhittat",
            items=[refs["home"], refs["neighbour"], crafted],
        )

    assert list(errors_of(refused)) == ["items"]
    assert state() == before


def test_a_title_is_required(refs: dict[str, str], users: Users, region: Region) -> None:
    with pytest.raises(ValidationError) as refused:
        joint.joint_create(
            region=region, by=users.coordinator, title=" ", items=[refs["home"], refs["neighbour"]]
        )

    assert list(errors_of(refused)) == ["title"]
    assert not JointInitiative.objects.exists()


def test_an_update_changes_the_links_it_is_given_and_keeps_those_the_editor_does_not_see(
    refs: dict[str, str], users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    theirs = idea(neighbour, "Kameror för nattillsyn", NIGHT)
    made = joint.joint_create(
        region=region,
        by=users.coordinator,
        title="Nattillsyn",
        items=[refs["home"], refs["neighbour"], f"idea:{theirs.pk}"],
    )
    Idea.objects.filter(pk=theirs.pk).update(moderation=Moderation.DECLINED)  # hidden now

    joint.joint_update(
        joint=made,
        by=users.coordinator,
        title="Nattillsyn i inlandet",
        description="Ny text.",
        items=[refs["fibre"]],  # Vindeln only, with Bjurholm's hidden idea: two municipalities
    )

    made.refresh_from_db()
    assert (made.title, made.description) == ("Nattillsyn i inlandet", "Ny text.")
    assert sorted(
        (link.initiative_key is not None, link.municipality_id) for link in made.links.all()
    ) == sorted([(True, home.pk), (False, neighbour.pk)])
    assert made.links.filter(idea=theirs).exists()


def test_an_update_to_one_municipality_is_refused_and_nothing_changes(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    made = joint.joint_create(
        region=region, by=users.coordinator, title="Två", items=[refs["home"], refs["neighbour"]]
    )
    before = state()

    with pytest.raises(ValidationError) as refused:
        joint.joint_update(
            joint=made, by=users.coordinator, title="En", items=[refs["home"], refs["fibre"]]
        )

    assert list(errors_of(refused)) == ["items"]
    assert state() == before


def test_deleting_removes_the_links_but_not_what_they_link(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    made = joint.joint_create(
        region=region, by=users.coordinator, title="Två", items=[refs["home"], refs["neighbour"]]
    )
    initiatives = Initiative.objects.count()

    joint.joint_delete(joint=made)

    assert not JointInitiative.objects.exists()
    assert not JointLink.objects.exists()
    assert Initiative.objects.count() == initiatives


# --- The pages ----------------------------------------------------------------------------------


def create_url(region: Region) -> str:
    return reverse("regional:joint_create", args=[region.code])


def test_the_form_starts_with_the_clusters_items_checked(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    query = f"?title=Nattillsyn&item={refs['home']}&item={refs['neighbour']}&item=idea:x"

    body = client_for(users.coordinator).get(create_url(region) + query).content.decode()

    checked = set(re.findall(r'value="([^"]+)"[^>]*checked', body))
    assert checked == {refs["home"], refs["neighbour"]}
    assert refs["fibre"] in body  # any other visible item can be added
    assert 'value="Nattillsyn"' in body


def test_starting_a_joint_initiative_from_the_form(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    response = client_for(users.coordinator).post(
        create_url(region),
        {"title": "Nattillsyn tillsammans", "items": [refs["home"], refs["neighbour"]]},
    )

    made = JointInitiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("regional:joint_detail", args=[region.code, made.pk])
    assert made.links.count() == 2


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(["home", "fibre"], "at least two municipalities", id="one-municipality"),
        pytest.param([], "Choose the initiatives and ideas", id="none"),
        pytest.param(["home", "crafted"], "cannot be linked", id="crafted"),
    ],
)
def test_the_form_refuses_with_an_error_by_the_field(
    items: list[str], message: str, refs: dict[str, str], users: Users, region: Region
) -> None:
    refs = {**refs, "crafted": f"initiative:{uuid.uuid4()}"}
    before = state()

    response = client_for(users.coordinator).post(
        create_url(region), {"title": "Ensam", "items": [refs[i] for i in items]}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_items"' in body  # the error summary leads to the checkboxes
    assert re.search(r'id="id_items_error".*' + re.escape(message), body, re.S)
    assert 'value="Ensam"' in body  # what was typed is kept
    assert state() == before


def test_editing_from_the_form(refs: dict[str, str], users: Users, region: Region) -> None:
    made = joint.joint_create(
        region=region, by=users.coordinator, title="Två", items=[refs["home"], refs["neighbour"]]
    )
    path = reverse("regional:joint_edit", args=[region.code, made.pk])
    page = client_for(users.coordinator)

    form = page.get(path).content.decode()
    response = page.post(
        path, {"title": "Tre", "items": [refs["home"], refs["fibre"], refs["neighbour"]]}
    )

    assert set(re.findall(r'value="([^"]+)"[^>]*checked', form)) == {
        refs["home"],
        refs["neighbour"],
    }
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.title == "Tre"
    assert made.links.count() == 3


def test_deleting_asks_on_a_page_of_its_own_first(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    made = joint.joint_create(
        region=region, by=users.coordinator, title="Två", items=[refs["home"], refs["neighbour"]]
    )
    path = reverse("regional:joint_delete", args=[region.code, made.pk])
    page = client_for(users.coordinator)

    asked = page.get(path)
    assert "Delete the joint initiative" in text(asked)
    assert JointInitiative.objects.filter(pk=made.pk).exists()

    done = page.post(path)
    assert done["Location"] == reverse("regional:collaboration", args=[region.code])
    assert not JointInitiative.objects.exists()


def test_members_may_read_but_not_change_joint_initiatives(
    refs: dict[str, str], users: Users, region: Region
) -> None:
    made = joint.joint_create(
        region=region, by=users.coordinator, title="Två", items=[refs["home"], refs["neighbour"]]
    )
    page = client_for(users.member)
    before = state()

    assert (
        page.get(reverse("regional:joint_detail", args=[region.code, made.pk])).status_code == 200
    )
    for name in ("joint_edit", "joint_delete"):
        path = reverse(f"regional:{name}", args=[region.code, made.pk])
        assert page.post(path, {"title": "Kapat", "items": [refs["home"]]}).status_code == 403
    posted = page.post(create_url(region), {"title": "Nytt", "items": [refs["home"]]})
    assert posted.status_code == 403
    assert state() == before


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_starts_joint_initiatives_only_where_two_municipalities_have_the_items(
    users: Users, region: Region, home: Municipality
) -> None:
    malå = Municipality.objects.get(code="2418")
    decided_with(home, ("Digital nattillsyn i hemtjänsten", NIGHT))
    decided_with(malå, ("Digital nattillsyn i hemtjänsten", NIGHT), (FIBRE, FIBRE_TEXT))
    plan_services.version_new(plan=PlanVersion.objects.get(plan__municipality=malå).plan, user=None)

    started = demo_joint.demo_load(region=region, coordinator=users.coordinator)

    assert [made.title for made in started] == ["Digital nattillsyn i inlandets hemtjänst"]
    assert sorted(started[0].links.values_list("municipality__code", flat=True)) == [
        "2404",
        "2418",
    ]
    assert started[0].is_demo
    assert demo_joint.demo_load(region=region, coordinator=users.coordinator) == []
