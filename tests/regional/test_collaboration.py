"""Collaboration across municipalities: clusters of alike initiatives and ideas found in two or
more municipalities (never within one), what each viewer sees of them, and how a joint
initiative shows on the plans (every version) and ideas it links.

Vindeln (home) has a decided plan it does not publish; Bjurholm (neighbour) has an alike
initiative in a plan it may or may not publish. Bjurholm's member must never see Vindeln's
initiative's title; the coordinator always does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forandra.accounts.models import User
from forandra.ideas.models import Idea, Moderation
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.plans import services as plan_services
from forandra.plans.models import Initiative, PlanVersion, Status
from forandra.regional import collaboration, services
from forandra.regional.collaboration_items import IDEA, INITIATIVE, ItemRef
from forandra.regional.joint import joint_create
from forandra.regional.visibility import sight_for
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from tests.conftest import Users
from tests.plans import builders

pytestmark = pytest.mark.django_db

NIGHT = "Kameror som med brukarens samtycke används för nattillsyn på distans i hemtjänsten."
HOME_TITLE = "Nattillsyn med kamera i hemtjänsten, Vindelns försök"
NEIGHBOUR_TITLE = "Nattillsyn med kamera i hemtjänsten"
FIBRE = "Fiber till de sista byarna"
FIBRE_TEXT = "Kommunen medfinansierar fiber till hushållen som saknar bredband."
TOPICS = (
    ("E-tjänst för bygglov", "Ansökan, ritningar och kompletteringar sköts digitalt."),
    ("Digital ansökan om förskoleplats", "Vårdnadshavare söker plats på kvällen i mobilen."),
    ("Mjukvarurobot för leverantörsfakturor", "En robot matchar fakturor mot order."),
    ("Läsplattor på äldreboendena", "De boende ringer videosamtal till sina anhöriga."),
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(user: User | None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def initiative(version: PlanVersion, title: str, description: str = NIGHT) -> Initiative:
    """An initiative with an owner and an innovation budget, its text as given."""
    made = builders.add_initiative(version, title=title)
    Initiative.objects.filter(pk=made.pk).update(description=description, citizen_benefit="")
    made.refresh_from_db()
    return made


def decided_with(municipality: Municipality, *items: tuple[str, str]) -> PlanVersion:
    """An approved plan of the municipality with initiatives (title, description)."""
    version = plan_services.current_version(builders.make_plan(municipality))
    for title, description in items:
        initiative(version, title, description)
    plan_services.version_submit(version=version, user=None)
    plan_services.version_decide(
        version=version,
        outcome=Status.APPROVED,
        comment="Beslutat.",
        decided_on=version.created_at.date(),
        user=None,
    )
    version.refresh_from_db()
    return version


def idea(municipality: Municipality, title: str, need: str, *, shared: bool = False) -> Idea:
    from django.utils import timezone

    return Idea.objects.create(
        municipality=municipality,
        title=title,
        need=need,
        source="group",
        shared_at=timezone.now() if shared else None,
    )


def publish_plans(municipality: Municipality, plans: bool = True) -> None:
    services.publication_set(
        municipality=municipality, maturity=False, radar=False, plans=plans, by=None
    )


def overview(user: User, region: Region, **options: object) -> collaboration.Collaboration:
    return collaboration.collaboration_overview(sight=sight_for(user, region), user=user, **options)


def cluster_titles(user: User, region: Region) -> list[set[str]]:
    return [{item.title for item in cluster.items} for cluster in overview(user, region).page]


def umea() -> Municipality:
    return municipality_selectors.municipality_get(code="2480")


def make_world(home: Municipality, neighbour: Municipality) -> dict[str, PlanVersion]:
    """Vindeln's plan (unpublished) and Bjurholm's (published), alike in one initiative."""
    secret = decided_with(home, (HOME_TITLE, NIGHT), (FIBRE, FIBRE_TEXT))
    shown = decided_with(neighbour, (NEIGHBOUR_TITLE, NIGHT))
    publish_plans(neighbour)
    return {"secret": secret, "shown": shown}


@pytest.fixture
def world(users: Users, home: Municipality, neighbour: Municipality) -> dict[str, PlanVersion]:
    return make_world(home, neighbour)


def collaboration_url(region: Region) -> str:
    return reverse("regional:collaboration", args=[region.code])


# --- Clusters -----------------------------------------------------------------------------------


def test_alike_initiatives_of_two_municipalities_make_a_cluster(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    found = overview(users.coordinator, region)

    assert found.clusters == 1
    cluster = found.page.object_list[0]
    assert {item.title for item in cluster.items} == {HOME_TITLE, NEIGHBOUR_TITLE}
    assert cluster.municipalities == ["Bjurholm", "Vindeln"]
    assert all(item.ref.kind == INITIATIVE for item in cluster.items)


def test_alike_items_within_one_municipality_make_no_cluster(
    users: Users, region: Region, home: Municipality
) -> None:
    decided_with(home, (HOME_TITLE, NIGHT), (NEIGHBOUR_TITLE, NIGHT))
    idea(home, NEIGHBOUR_TITLE, NIGHT)

    assert overview(users.coordinator, region).clusters == 0


def test_an_idea_and_an_initiative_of_two_municipalities_cluster(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    decided_with(home, (HOME_TITLE, NIGHT))
    idea(neighbour, NEIGHBOUR_TITLE, NIGHT)

    (cluster,) = overview(users.coordinator, region).page.object_list

    assert sorted(item.ref.kind for item in cluster.items) == [IDEA, INITIATIVE]


def test_a_third_municipality_joins_the_cluster_and_the_filter_keeps_clusters_with_it(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    decided_with(umea(), ("Nattillsyn med kamera", NIGHT))
    decided_with(umea(), (FIBRE, FIBRE_TEXT))

    found = overview(users.coordinator, region)
    by_umea = overview(users.coordinator, region, municipality="2480")
    by_bjurholm = overview(users.coordinator, region, municipality="2403")

    assert [cluster.municipalities for cluster in found.page] == [
        ["Bjurholm", "Umeå", "Vindeln"],
        ["Umeå", "Vindeln"],
    ]
    assert by_umea.clusters == 2
    assert [c.municipalities for c in by_bjurholm.page] == [["Bjurholm", "Umeå", "Vindeln"]]


# --- What each viewer sees ----------------------------------------------------------------------


def test_another_municipalitys_member_never_sees_the_unpublished_initiative(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    coordinator = client_for(users.coordinator).get(collaboration_url(region))  # cached first
    other = client_for(users.other_member).get(collaboration_url(region))

    assert HOME_TITLE in text(coordinator)
    assert other.status_code == 200
    assert HOME_TITLE not in text(other)
    assert cluster_titles(users.other_member, region) == []  # Bjurholm's alone makes none


def test_a_member_sees_their_own_plan_and_what_the_others_published(
    world: dict[str, PlanVersion], users: Users, region: Region, neighbour: Municipality
) -> None:
    assert cluster_titles(users.member, region) == [{HOME_TITLE, NEIGHBOUR_TITLE}]

    publish_plans(neighbour, plans=False)

    assert cluster_titles(users.member, region) == []


def test_others_see_the_latest_published_version_and_the_coordinator_the_latest(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    draft = plan_services.version_new(plan=world["shown"].plan, user=None)
    Initiative.objects.filter(version=draft).update(title="Nattillsyn med kamera i hemtjänsten 2")

    assert cluster_titles(users.member, region) == [{HOME_TITLE, NEIGHBOUR_TITLE}]
    assert cluster_titles(users.coordinator, region) == [
        {HOME_TITLE, "Nattillsyn med kamera i hemtjänsten 2"}
    ]


def test_ideas_of_others_count_only_once_shared_with_the_region(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    idea(home, HOME_TITLE, NIGHT)
    theirs = idea(neighbour, NEIGHBOUR_TITLE, NIGHT)

    assert cluster_titles(users.member, region) == []
    assert cluster_titles(users.coordinator, region) == [{HOME_TITLE, NEIGHBOUR_TITLE}]

    Idea.objects.filter(pk=theirs.pk).update(shared_at=theirs.created_at)
    (cluster,) = overview(users.member, region).page.object_list
    shared = next(item for item in cluster.items if item.title == NEIGHBOUR_TITLE)

    assert shared.url.startswith(reverse("ideas:region_library", args=[region.code]))


def test_unpublished_ideas_are_never_clustered(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    idea(home, HOME_TITLE, NIGHT)
    pending = idea(neighbour, NEIGHBOUR_TITLE, NIGHT, shared=True)
    Idea.objects.filter(pk=pending.pk).update(moderation=Moderation.PENDING)

    assert cluster_titles(users.coordinator, region) == []


def test_titles_link_only_where_the_viewer_may_open_them(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    (cluster,) = overview(users.member, region).page.object_list
    urls = {item.place.name: item.url for item in cluster.items}

    assert urls["Vindeln"] == reverse(
        "plans:version_detail", args=["2404", world["secret"].plan_id, 1]
    )
    assert urls["Bjurholm"] == ""  # another municipality's plan pages are its own


def test_an_edited_initiative_shows_at_once_despite_the_cache(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    assert cluster_titles(users.coordinator, region) == [{HOME_TITLE, NEIGHBOUR_TITLE}]
    shown = Initiative.objects.get(version=world["shown"])
    shown.title = "Nattillsyn med kamera, Bjurholm"
    shown.save()

    assert cluster_titles(users.coordinator, region) == [
        {HOME_TITLE, "Nattillsyn med kamera, Bjurholm"}
    ]


def test_the_page_shows_waves_and_the_start_button_only_to_the_coordinator(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    scanning_services.catalogue_seed(region=region)
    wave = scanning_selectors.waves_for(region=region)[0]
    Initiative.objects.get(version=world["secret"], title=HOME_TITLE).waves.add(wave)
    coordinator = client_for(users.coordinator).get(collaboration_url(region))
    member = client_for(users.member).get(collaboration_url(region))
    start = reverse("regional:joint_create", args=[region.code])

    assert f"<td>{wave.name_en}</td>" in coordinator.content.decode()

    assert f'href="{start}?title=' in coordinator.content.decode()
    assert start not in member.content.decode()
    assert "Vindeln, Bjurholm" not in text(member)
    assert "In 2 municipalities: Bjurholm, Vindeln" in text(member)


def test_the_page_reads_as_many_queries_for_many_clusters_as_for_one(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    idea(umea(), "Kameror för nattillsyn", NIGHT)  # ideas and initiatives in a cluster
    page = client_for(users.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page.get(collaboration_url(region)).status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request after signing in reads the session and the user
    cache.clear()
    few = (queries(), queries())  # clustered anew, then from the cache
    for title, description in TOPICS:
        decided_with(umea(), (title, description))
        idea(region.municipalities.get(code="2403"), title, description)
    many = (queries(), queries())  # new items: clustered anew, then from the cache

    assert overview(users.coordinator, region).clusters == 5
    assert many == few
    assert few[0] > few[1]  # the texts are read only to cluster anew


def test_users_of_another_region_get_no_collaboration_page(users: Users, region: Region) -> None:
    assert client_for(users.other_coordinator).get(collaboration_url(region)).status_code == 403


# --- Joint initiatives on plans and ideas -------------------------------------------------------


def version_url(version: PlanVersion) -> str:
    plan = version.plan
    return reverse("plans:version_detail", args=[plan.municipality.code, plan.pk, version.number])


def joint_line(response: object) -> str:
    """The plan's "Joint initiative: …" lines."""
    found = re.findall(r"<dt>Joint initiative</dt><dd>(.*?)</dd>", response.content.decode())  # type: ignore[attr-defined]
    return " | ".join(re.sub(r"<[^>]+>", "", line) for line in found)


def test_the_plan_shows_the_joint_initiative_on_v1_and_after_a_new_version(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    secret, shown = world["secret"], world["shown"]
    joint = joint_create(
        region=region,
        by=users.coordinator,
        title="Nattillsyn tillsammans",
        items=[
            f"initiative:{Initiative.objects.get(version=secret, title=HOME_TITLE).key}",
            f"initiative:{Initiative.objects.get(version=shown).key}",
        ],
    )
    page = client_for(users.member)

    first = page.get(version_url(secret))
    assert joint_line(first) == "Nattillsyn tillsammans (with Bjurholm)"
    assert reverse("regional:joint_detail", args=[region.code, joint.pk]) in first.content.decode()

    newer = plan_services.version_new(plan=secret.plan, user=None)
    assert joint_line(page.get(version_url(newer))) == "Nattillsyn tillsammans (with Bjurholm)"
    assert joint_line(page.get(version_url(secret))) == "Nattillsyn tillsammans (with Bjurholm)"


def test_the_plan_names_only_the_partners_the_viewer_sees(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    secret, shown = world["secret"], world["shown"]
    joint_create(
        region=region,
        by=users.coordinator,
        title="Nattillsyn tillsammans",
        items=[
            f"initiative:{Initiative.objects.get(version=secret, title=HOME_TITLE).key}",
            f"initiative:{Initiative.objects.get(version=shown).key}",
        ],
    )
    # Bjurholm's plan as the coordinator sees it: with Vindeln.
    assert joint_line(client_for(users.coordinator).get(version_url(shown))) == (
        "Nattillsyn tillsammans (with Vindeln)"
    )
    # Bjurholm's member on their own plan: Vindeln's part is not theirs to see.
    page = client_for(users.other_member).get(version_url(shown))
    assert joint_line(page) == "Nattillsyn tillsammans"
    assert HOME_TITLE not in text(page)


def test_the_plan_reads_its_joint_initiatives_in_one_query(
    users: Users, region: Region, home: Municipality, neighbour: Municipality
) -> None:
    titles = [f"Insats {n}" for n in range(4)]
    ours = decided_with(home, *((title, f"{title}: {NIGHT}") for title in titles))
    theirs = decided_with(neighbour, *((title, f"{title}: {NIGHT}") for title in titles))
    keys = {
        version.pk: list(version.initiatives.order_by("pk").values_list("key", flat=True))
        for version in (ours, theirs)
    }
    page = client_for(users.member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page.get(version_url(ours)).status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request after signing in reads the session and the user
    joint_create(
        region=region,
        by=users.coordinator,
        title="Tillsammans 0",
        items=[f"initiative:{keys[ours.pk][0]}", f"initiative:{keys[theirs.pk][0]}"],
    )
    few = queries()
    for n in range(1, 4):
        joint_create(
            region=region,
            by=users.coordinator,
            title=f"Tillsammans {n}",
            items=[f"initiative:{keys[ours.pk][n]}", f"initiative:{keys[theirs.pk][n]}"],
        )
    many = queries()

    assert many == few
    assert joint_line(page.get(version_url(ours))).count("Tillsammans") == 4
    with CaptureQueriesContext(connection) as captured:
        collaboration.joints_for_initiatives(
            keys=keys[ours.pk], sight=sight_for(users.member, region)
        )
    assert len(captured.captured_queries) == 1


def test_the_idea_page_shows_the_joint_initiative(
    world: dict[str, PlanVersion], users: Users, region: Region, home: Municipality
) -> None:
    ours = idea(home, HOME_TITLE, NIGHT)
    joint_create(
        region=region,
        by=users.coordinator,
        title="Nattillsyn tillsammans",
        items=[
            ItemRef(IDEA, str(ours.pk)),
            f"initiative:{Initiative.objects.get(version=world['shown']).key}",
        ],
    )

    response = client_for(users.member).get(reverse("ideas:idea_detail", args=[home.code, ours.pk]))

    assert joint_line(response) == "Nattillsyn tillsammans (with Bjurholm)"


# --- The joint initiative's page ----------------------------------------------------------------


def test_the_joint_page_shows_only_the_links_the_viewer_sees(
    world: dict[str, PlanVersion], users: Users, region: Region
) -> None:
    joint = joint_create(
        region=region,
        by=users.coordinator,
        title="Nattillsyn tillsammans",
        items=[
            f"initiative:{Initiative.objects.get(version=world['secret'], title=HOME_TITLE).key}",
            f"initiative:{Initiative.objects.get(version=world['shown']).key}",
        ],
    )
    path = reverse("regional:joint_detail", args=[region.code, joint.pk])
    listing = collaboration_url(region)

    other = text(client_for(users.other_member).get(path))
    coordinator = text(client_for(users.coordinator).get(path))

    assert NEIGHBOUR_TITLE in other
    assert HOME_TITLE not in other
    assert "1 more linked item is not shown" in other
    assert "Vindeln" not in other
    assert HOME_TITLE in coordinator and NEIGHBOUR_TITLE in coordinator
    assert "not shown" not in coordinator
    assert "(and 1 not shown to you)" in text(client_for(users.other_member).get(listing))
    assert "not shown to you" not in text(client_for(users.coordinator).get(listing))


def test_a_joint_initiative_of_another_region_is_not_found_here(
    users: Users, region: Region, elsewhere: Municipality
) -> None:
    from forandra.regional.models import JointInitiative

    theirs = JointInitiative.objects.create(region=elsewhere.region, title="Stockholm")

    response = client_for(users.coordinator).get(
        reverse("regional:joint_detail", args=[region.code, theirs.pk])
    )

    assert response.status_code == 404
