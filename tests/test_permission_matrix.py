"""The permission matrix: every URL pattern of the project, every role, one explicit table.

A URL pattern that is not in TABLE fails `test_every_url_pattern_is_in_the_table`, so a new view
cannot ship without someone deciding who may open it. For each pattern, each role is checked:
the roles in `allowed` must get the page, every other role must be refused (a redirect to a
login page, 403 or 404). Views that change data are also posted to by the refused roles, and the
test checks that nothing changed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, reverse

from forandra.ideas.models import Dot, Idea, Portfolio, ProposerContact, ScoringWeights, Vote
from forandra.maturity import services as maturity_services
from forandra.maturity.models import Mode, Response, Round
from forandra.municipalities.models import DigitalisationGroup, GroupMember
from forandra.plans.models import (
    BudgetLine,
    Capability,
    CheckIn,
    Decision,
    Initiative,
    Plan,
    PlanVersion,
    Section,
)
from forandra.programme.models import (
    AssignmentStatus,
    Attendance,
    BoardNote,
    Cohort,
    DefinitionMark,
    Facilitation,
    LearningNote,
    Material,
    Programme,
    Session,
    TermDefinition,
    Workshop,
)
from forandra.regional.models import JointInitiative, JointLink, Publication, PublicSummary
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Feed, Placement, Signal, Wave
from forandra.webhooks.models import Attempt, Delivery, Webhook
from tests.conftest import Users
from tests.programme import builders as programme_builders

ROLES = (
    "anonymous",
    "coordinator",
    "member",
    "leadership",
    "admin",
    "other_member",
    "other_coordinator",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
HOME_READERS = frozenset({"coordinator", "member", "leadership", "admin"})
HOME_WRITERS = frozenset({"coordinator", "member", "admin"})
REGION_READERS = HOME_READERS | {"other_member"}
REGION_KEEPERS = frozenset({"coordinator", "admin"})
ADMINS = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ctx:
    """The objects a URL may point at: the home municipality, its group and a member."""

    users: Users
    group: DigitalisationGroup
    member: GroupMember
    consensus: Round
    survey: Round
    programme: Programme  # the home group's programme, with one session for its cohort
    session: Session

    @property
    def code(self) -> str:
        return self.group.municipality.code


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    kwargs: Callable[[Ctx], dict[str, Any]] = field(default=lambda ctx: {})
    method: str = "get"
    # Views that write: refused roles also POST, and the data must stay as it was.
    writes: bool = False


def home(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.code}


def home_member(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.code, "pk": ctx.member.pk}


def home_round(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.code, "pk": ctx.consensus.pk}


def home_survey(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.code, "pk": ctx.survey.pk}


def survey_link(ctx: Ctx) -> dict[str, Any]:
    return {"link_key": ctx.survey.link_key}


def home_region(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.group.municipality.region.code}


def home_feed(ctx: Ctx) -> dict[str, Any]:
    municipality = ctx.group.municipality
    feed = scanning_services.feed_add(
        region=municipality.region, municipality=municipality, url="https://kommun.example.se/rss"
    )
    return {"code": ctx.code, "pk": feed.pk}


def region_feed(ctx: Ctx) -> dict[str, Any]:
    region = ctx.group.municipality.region
    feed = scanning_services.feed_add(
        region=region, municipality=None, url="https://podd.example.se/feed.xml"
    )
    return {"code": region.code, "pk": feed.pk}


def home_signal(ctx: Ctx) -> dict[str, Any]:
    municipality = ctx.group.municipality
    scanning_services.catalogue_seed(region=municipality.region)  # suggestions need waves
    signal = scanning_services.signal_add(municipality=municipality, title="Robotar i hemtjänsten")
    return {"code": ctx.code, "pk": signal.pk}


def a_wave(ctx: Ctx) -> str:
    """The key of one of the home region's waves (seeded here)."""
    region = ctx.group.municipality.region
    scanning_services.catalogue_seed(region=region)
    return scanning_selectors.waves_for(region=region)[0].key


def home_wave(ctx: Ctx) -> dict[str, Any]:
    return {"code": ctx.code, "wave_key": a_wave(ctx)}


def region_wave(ctx: Ctx) -> dict[str, Any]:
    return {**home_region(ctx), "wave_key": a_wave(ctx)}


def a_programme(ctx: Ctx) -> dict[str, Any]:
    return {"pk": ctx.programme.pk}


def a_programme_group(ctx: Ctx) -> dict[str, Any]:
    """The home group's place in the programme."""
    return {"pk": ctx.programme.pk, "code": ctx.code}


def a_session(ctx: Ctx) -> dict[str, Any]:
    return {"pk": ctx.programme.pk, "session_pk": ctx.session.pk}


def a_workshop(ctx: Ctx) -> dict[str, Any]:
    return {"pk": ctx.programme.pk, "number": 1}


def an_idea(ctx: Ctx) -> dict[str, Any]:
    """A published idea of the home municipality (made anew for each URL that needs one)."""
    idea = Idea.objects.create(
        municipality=ctx.group.municipality,
        title="Digital anslagstavla",
        need="Invånarna missar kommunens information.",
        source="group",
    )
    return {"code": ctx.code, "pk": idea.pk}


# A programme is open to the region's coordinator, admins, its facilitators and the members and
# leadership of the municipalities taking part (the neighbour's member does not take part).
PROGRAMME_READERS = HOME_READERS
PROGRAMME_KEEPERS = REGION_KEEPERS


TABLE: dict[str, Rule] = {
    "core:start": Rule(EVERYONE),
    "core:accessibility": Rule(EVERYONE),
    "accounts:login": Rule(EVERYONE),
    "accounts:logout": Rule(SIGNED_IN, method="post"),
    "accounts:profile": Rule(SIGNED_IN, writes=True),
    "accounts:password_change": Rule(SIGNED_IN),
    "accounts:password_change_done": Rule(SIGNED_IN),
    "accounts:password_reset": Rule(EVERYONE),
    "accounts:password_reset_done": Rule(EVERYONE),
    "accounts:password_reset_confirm": Rule(
        EVERYONE, kwargs=lambda ctx: {"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": Rule(EVERYONE),
    "set_language": Rule(EVERYONE, method="post"),
    "admin:login": Rule(EVERYONE),
    "admin:logout": Rule(SIGNED_IN, method="post"),
    "municipalities:region_detail": Rule(
        REGION_READERS, kwargs=lambda ctx: {"code": ctx.group.municipality.region.code}
    ),
    "municipalities:municipality_detail": Rule(HOME_READERS, kwargs=home),
    "municipalities:group_detail": Rule(HOME_READERS, kwargs=home),
    "municipalities:group_create": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "municipalities:group_edit": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "municipalities:member_add": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "municipalities:member_edit": Rule(HOME_WRITERS, kwargs=home_member, writes=True),
    "municipalities:member_remove": Rule(HOME_WRITERS, kwargs=home_member, writes=True),
    "municipalities:unit_add": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "municipalities:unit_edit": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {
            "code": ctx.code,
            "pk": ctx.group.municipality.units.create(name="Skola").pk,
        },
        writes=True,
    ),
    "municipalities:unit_remove": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {
            "code": ctx.code,
            "pk": ctx.group.municipality.units.create(name="Skola").pk,
        },
        writes=True,
    ),
    "maturity:round_list": Rule(HOME_READERS, kwargs=home),
    "maturity:round_create": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "maturity:round_detail": Rule(HOME_READERS, kwargs=home_round),
    "maturity:consensus_answer": Rule(
        HOME_WRITERS, kwargs=lambda ctx: {**home_round(ctx), "step": 1}, writes=True
    ),
    "maturity:survey_link": Rule(HOME_WRITERS, kwargs=home_survey, writes=True),
    "maturity:round_close": Rule(HOME_WRITERS, kwargs=home_round, writes=True),
    "maturity:round_export": Rule(
        HOME_READERS, kwargs=lambda ctx: {**home_round(ctx), "kind": "responses", "fmt": "csv"}
    ),
    "maturity:instrument_yaml": Rule(HOME_READERS, kwargs=home_round),
    "maturity:round_report": Rule(HOME_READERS, kwargs=home_round),
    # The staff survey is public: anyone with the link may answer, anonymously.
    "maturity:survey_start": Rule(EVERYONE, kwargs=survey_link),
    "maturity:survey_token": Rule(
        EVERYONE, kwargs=lambda ctx: {**survey_link(ctx), "token": "no-such-token"}
    ),
    "maturity:survey_thanks": Rule(EVERYONE, kwargs=survey_link),
    "scanning:feed_list": Rule(HOME_READERS, kwargs=home),
    "scanning:feed_add": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "scanning:feed_import": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "scanning:feed_scan": Rule(HOME_WRITERS, kwargs=home, method="post", writes=True),
    "scanning:feed_remove": Rule(HOME_WRITERS, kwargs=home_feed, writes=True),
    "scanning:region_feed_list": Rule(REGION_READERS, kwargs=home_region),
    "scanning:region_feed_add": Rule(REGION_KEEPERS, kwargs=home_region, writes=True),
    "scanning:region_feed_import": Rule(REGION_KEEPERS, kwargs=home_region, writes=True),
    "scanning:region_feed_scan": Rule(
        REGION_KEEPERS, kwargs=home_region, method="post", writes=True
    ),
    "scanning:region_feed_remove": Rule(REGION_KEEPERS, kwargs=region_feed, writes=True),
    "scanning:signal_list": Rule(HOME_READERS, kwargs=home),
    "scanning:signal_add": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "scanning:signal_confirm": Rule(HOME_WRITERS, kwargs=home_signal, writes=True),
    "scanning:radar": Rule(HOME_READERS, kwargs=home),
    "scanning:radar_export": Rule(HOME_READERS, kwargs=lambda ctx: {**home(ctx), "fmt": "json"}),
    "scanning:radar_import": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "scanning:radar_place": Rule(HOME_WRITERS, kwargs=home_wave, writes=True),
    # A municipality's placements are its own: the region's view of all of them is the
    # coordinator's and admins' only.
    "scanning:region_scanning": Rule(REGION_KEEPERS, kwargs=home_region),
    "scanning:region_radar": Rule(REGION_KEEPERS, kwargs=home_region),
    "scanning:wave_list": Rule(REGION_KEEPERS, kwargs=home_region),
    "scanning:wave_add": Rule(REGION_KEEPERS, kwargs=home_region, writes=True),
    "scanning:wave_edit": Rule(REGION_KEEPERS, kwargs=region_wave, writes=True),
    # programme: management pages
    "programme:programme_list": Rule(PROGRAMME_KEEPERS, kwargs=home_region),
    "programme:programme_create": Rule(PROGRAMME_KEEPERS, kwargs=home_region, writes=True),
    "programme:programme_detail": Rule(PROGRAMME_READERS, kwargs=a_programme),
    "programme:programme_edit": Rule(PROGRAMME_KEEPERS, kwargs=a_programme, writes=True),
    "programme:workshop_detail": Rule(PROGRAMME_READERS, kwargs=a_workshop),
    "programme:workshop_edit": Rule(PROGRAMME_KEEPERS, kwargs=a_workshop, writes=True),
    "programme:cohort_create": Rule(PROGRAMME_KEEPERS, kwargs=a_programme, writes=True),
    "programme:cohort_schedule": Rule(
        PROGRAMME_KEEPERS,
        kwargs=lambda ctx: {"pk": ctx.programme.pk, "cohort_pk": ctx.session.cohort_id},
        writes=True,
    ),
    "programme:calendar": Rule(PROGRAMME_READERS, kwargs=a_programme),
    "programme:group_calendar": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:attendance": Rule(PROGRAMME_KEEPERS, kwargs=a_session, writes=True),
    "programme:group_detail": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:assignment_status": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {
            **a_programme_group(ctx),
            "key": ctx.programme.assignments.order_by("pk")[0].key,
        },
        method="post",
        writes=True,
    ),
    "programme:overview": Rule(PROGRAMME_KEEPERS, kwargs=a_programme),
    # programme: workshop 1 and facilitator mode
    "programme:concepts": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:concepts_live": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:concepts_define": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {**a_programme_group(ctx), "term_key": "digitisation"},
        method="post",
        writes=True,
    ),
    "programme:concepts_mark": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {**a_programme_group(ctx), "term_key": "digitisation"},
        method="post",
        writes=True,
    ),
    "programme:board": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:board_live": Rule(PROGRAMME_READERS, kwargs=a_programme_group),
    "programme:board_add": Rule(HOME_WRITERS, kwargs=a_programme_group, method="post", writes=True),
    # A member's own note: its writer and those who run the programme may take it off.
    "programme:board_note_remove": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {
            **a_programme_group(ctx),
            "note_pk": BoardNote.objects.create(
                programme=ctx.programme,
                group=ctx.group,
                column="risk",
                text="Digitalt utanförskap",
                written_by=ctx.users.member,
            ).pk,
        },
        writes=True,
    ),
    "programme:facilitate": Rule(PROGRAMME_KEEPERS, kwargs=a_session),
    "programme:facilitate_live": Rule(PROGRAMME_KEEPERS, kwargs=a_session),
    "programme:facilitate_step": Rule(
        PROGRAMME_KEEPERS, kwargs=a_session, method="post", writes=True
    ),
    "programme:facilitate_timer": Rule(
        PROGRAMME_KEEPERS, kwargs=a_session, method="post", writes=True
    ),
    # programme: material and the learning path
    "programme:material": Rule(PROGRAMME_READERS, kwargs=a_programme),
    "programme:material_add": Rule(PROGRAMME_KEEPERS, kwargs=a_workshop, writes=True),
    "programme:material_file": Rule(
        PROGRAMME_READERS,
        kwargs=lambda ctx: {
            **a_programme(ctx),
            "material_pk": Material.objects.create(
                workshop=ctx.programme.workshops.get(number=1),
                kind="slides",
                language="sv",
                title_sv="Bilder",
                title_en="Slides",
                file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="bilder.pdf"),
                filename="bilder.pdf",
                content_type="application/pdf",
                size=15,
            ).pk,
        },
    ),
    "programme:material_remove": Rule(
        PROGRAMME_KEEPERS,
        kwargs=lambda ctx: {
            **a_programme(ctx),
            "material_pk": Material.objects.filter(workshop__programme=ctx.programme)
            .order_by("pk")[0]
            .pk,
        },
        writes=True,
    ),
    # Every signed-in user may read the path and keep their own notes (so not `writes`).
    "programme:learning_path": Rule(SIGNED_IN),
    "programme:learning_module": Rule(SIGNED_IN, kwargs=lambda ctx: {"key": "digital_culture"}),
    "programme:learning_participation": Rule(REGION_KEEPERS, kwargs=home_region),
    # programme: report and demo
    "programme:report": Rule(PROGRAMME_KEEPERS, kwargs=a_programme),
    "programme:report_export": Rule(
        PROGRAMME_KEEPERS, kwargs=lambda ctx: {**a_programme(ctx), "fmt": "xlsx"}
    ),
    # ideas: bank, moderation, weights
    "ideas:idea_list": Rule(HOME_READERS, kwargs=home),
    "ideas:idea_detail": Rule(HOME_READERS, kwargs=an_idea),
    "ideas:idea_add": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "ideas:idea_edit": Rule(HOME_WRITERS, kwargs=an_idea, writes=True),
    "ideas:moderation": Rule(HOME_WRITERS, kwargs=home),
    "ideas:moderate": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: {
            "code": ctx.code,
            "pk": Idea.objects.create(
                municipality=ctx.group.municipality,
                title="Läxhjälp på nätet",
                need="Barnen behöver hjälp på kvällen.",
                source="citizen",
                moderation="pending",
            ).pk,
        },
        method="post",
        writes=True,
    ),
    "ideas:weights": Rule(HOME_WRITERS, kwargs=home, writes=True),
    # ideas: public pages
    # Residents have no account: the public pages are everyone's; a proposal's page needs the
    # proposer's private link.
    "ideas:public_ideas": Rule(EVERYONE, kwargs=home),
    "ideas:public_propose": Rule(EVERYONE, kwargs=home),
    "ideas:public_support": Rule(EVERYONE, kwargs=an_idea, method="post"),
    "ideas:proposal_status": Rule(
        EVERYONE,
        kwargs=lambda ctx: {
            "token": Idea.objects.create(
                municipality=ctx.group.municipality,
                title="Wifi i biblioteket",
                need="Fler behöver kunna koppla upp sig.",
                source="citizen",
                moderation="pending",
                proposer_token=uuid.uuid4(),
            ).proposer_token
        },
    ),
    "ideas:proposal_contact_delete": Rule(
        EVERYONE,
        kwargs=lambda ctx: {
            "token": ProposerContact.objects.create(
                idea=Idea.objects.create(
                    municipality=ctx.group.municipality,
                    title="Digital bokning av idrottshallen",
                    need="Föreningar bokar per telefon.",
                    source="citizen",
                    moderation="pending",
                    proposer_token=uuid.uuid4(),
                ),
                email="invanare@example.se",
            ).idea.proposer_token
        },
    ),
    # ideas: dot voting (a_vote: a new open vote of the home municipality on two ideas)
    "ideas:vote_list": Rule(HOME_READERS, kwargs=home),
    "ideas:vote_create": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "ideas:vote_detail": Rule(
        HOME_READERS,
        kwargs=(
            a_vote := lambda ctx: (
                (vote := Vote.objects.create(municipality=ctx.group.municipality, title="Röst")),
                vote.ideas.add(*(Idea.objects.get(pk=an_idea(ctx)["pk"]) for _ in range(2))),
                {"code": ctx.code, "pk": vote.pk},
            )[-1]
        ),
    ),
    "ideas:vote_results": Rule(HOME_READERS, kwargs=a_vote),
    "ideas:vote_results_live": Rule(HOME_READERS, kwargs=a_vote),
    "ideas:vote_dot": Rule(HOME_WRITERS, kwargs=a_vote, method="post", writes=True),
    "ideas:vote_close": Rule(HOME_WRITERS, kwargs=a_vote, writes=True),
    # ideas: portfolios
    "ideas:portfolio_list": Rule(HOME_READERS, kwargs=home),
    "ideas:portfolio_new": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "ideas:portfolio_detail": Rule(
        HOME_READERS,
        # A portfolio of the home municipality, run by the service on one idea (imported here
        # so the rows stay below their marker).
        kwargs=lambda ctx: {
            "code": an_idea(ctx)["code"],
            "version": __import__("forandra.ideas.portfolio", fromlist=["run"])
            .run(
                municipality=ctx.group.municipality,
                rules=__import__("forandra.ideas.portfolio", fromlist=["Rules"]).Rules(),
            )
            .version,
        },
    ),
    # ideas: region library
    "ideas:region_library": Rule(REGION_READERS, kwargs=home_region),
    "ideas:region_clusters": Rule(REGION_KEEPERS, kwargs=home_region),
    "ideas:idea_share": Rule(HOME_WRITERS, kwargs=an_idea, method="post", writes=True),
    "ideas:idea_similar": Rule(HOME_READERS, kwargs=an_idea),
    "ideas:library_copy": Rule(
        HOME_WRITERS,
        # A published idea of the neighbouring municipality, shared with the region.
        kwargs=lambda ctx: {
            "code": ctx.code,
            "pk": Idea.objects.create(
                municipality=ctx.group.municipality.region.municipalities.exclude(
                    pk=ctx.group.municipality.pk
                ).first(),
                title="Snöröjningskarta",
                need="Invånarna vill veta när gatan plogas.",
                source="group",
                shared_at=ctx.group.created_at,  # any aware time: shared
            ).pk,
        },
        writes=True,
    ),
    # plans: editing (plan pages, versions, sections)
    # A plan of the home municipality in the state named (the plans builders: make_plan's empty
    # draft, complete_draft, submitted, decided), made anew for each URL; imported here so the
    # rows stay inside this block. The POST-only views are posted to by every role in turn: the
    # first allowed role changes the state, the others then get 409, which is not a refusal.
    "plans:plan_list": Rule(HOME_READERS, kwargs=home),
    "plans:plan_new": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "plans:plan_detail": Rule(
        HOME_READERS,
        kwargs=(
            a_plan_in := lambda ctx, state="complete_draft", step=None: (
                (
                    built := getattr(__import__("tests.plans.builders", fromlist=[state]), state)(
                        ctx.group.municipality
                    )
                ),
                (version := built.versions.get() if state == "make_plan" else built),
                {"code": ctx.code, "pk": version.plan_id}
                | ({} if step is None else {"number": version.number})
                | ({} if step in (None, 0) else {"step": step}),
            )[-1]
        ),
    ),
    "plans:plan_edit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_in(ctx, "make_plan"), writes=True
    ),
    "plans:version_detail": Rule(HOME_READERS, kwargs=lambda ctx: a_plan_in(ctx, step=0)),
    "plans:section_edit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_in(ctx, "make_plan", step=1), writes=True
    ),
    "plans:leadership_check_edit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_in(ctx, "make_plan", step=0), writes=True
    ),
    "plans:version_submit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_in(ctx, step=0), method="post", writes=True
    ),
    "plans:version_withdraw": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: a_plan_in(ctx, "submitted", step=0),
        method="post",
        writes=True,
    ),
    "plans:version_new": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_in(ctx, "decided"), method="post", writes=True
    ),
    # plans: end editing
    # plans: items (capabilities, initiatives)
    # A draft of the home municipality with one initiative (the plans builder) and one
    # capability (the editing service), made anew for each URL; imported here so the rows stay
    # inside this block. `kind` picks the item the URL points at.
    "plans:capability_add": Rule(
        HOME_WRITERS,
        kwargs=(
            plan_item := lambda ctx, kind=None: (
                (
                    version := __import__(
                        "tests.plans.builders", fromlist=["complete_draft"]
                    ).complete_draft(ctx.group.municipality)
                ),
                (
                    capability := __import__(
                        "forandra.plans.editing", fromlist=["capability_create"]
                    ).capability_create(version=version, name="Delad data", target_score=70)
                ),
                {
                    "code": ctx.code,
                    "pk": version.plan_id,
                    "number": version.number,
                    **({"item": capability.pk} if kind == "capability" else {}),
                    **({"item": version.initiatives.get().pk} if kind == "initiative" else {}),
                },
            )[-1]
        ),
        writes=True,
    ),
    "plans:capability_edit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: plan_item(ctx, "capability"), writes=True
    ),
    "plans:capability_delete": Rule(
        HOME_WRITERS, kwargs=lambda ctx: plan_item(ctx, "capability"), writes=True
    ),
    "plans:initiative_add": Rule(HOME_WRITERS, kwargs=plan_item, writes=True),
    "plans:initiative_edit": Rule(
        HOME_WRITERS, kwargs=lambda ctx: plan_item(ctx, "initiative"), writes=True
    ),
    "plans:initiative_delete": Rule(
        HOME_WRITERS, kwargs=lambda ctx: plan_item(ctx, "initiative"), writes=True
    ),
    "plans:initiative_from_portfolio": Rule(HOME_WRITERS, kwargs=plan_item, writes=True),
    # plans: end items
    # plans: decisions, follow-up, history
    # Only the municipality's own leadership decides, on a submitted version (built here by the
    # plan builders, imported in the rows so they stay below their marker).
    "plans:version_decide": Rule(
        frozenset({"leadership"}),
        kwargs=(
            a_plan_version := lambda ctx, state="submitted": (
                (
                    version := getattr(__import__("tests.plans.builders", fromlist=[state]), state)(
                        ctx.group.municipality
                    )
                ),
                {"code": ctx.code, "pk": version.plan_id, "number": version.number},
            )[-1]
        ),
        writes=True,
    ),
    # The group follows up an approved plan: check-ins, and closing the follow-up.
    "plans:version_close": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_plan_version(ctx, "decided"), writes=True
    ),
    "plans:check_in": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: (
            (kwargs := a_plan_version(ctx, "decided")),
            {
                **kwargs,
                "item": __import__("forandra.plans.models", fromlist=["Initiative"])
                .Initiative.objects.filter(version__plan_id=kwargs["pk"])
                .get()
                .pk,
            },
        )[-1],
        writes=True,
    ),
    "plans:follow_up": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {
            k: v for k, v in a_plan_version(ctx, "decided").items() if k != "number"
        },
    ),
    # Meant for leadership, open to all who may read the municipality's plans.
    "plans:leadership_overview": Rule(HOME_READERS, kwargs=home),
    "plans:history": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {k: v for k, v in a_plan_version(ctx).items() if k != "number"},
    ),
    "plans:version_diff": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {k: v for k, v in a_plan_version(ctx).items() if k != "number"},
    ),
    # plans: end decisions
    # plans: exports
    # Every reader of the municipality's plans may download a version (a submitted one here,
    # from the plans builders, imported in the row so it stays below its marker).
    "plans:export": Rule(
        HOME_READERS,
        kwargs=lambda ctx: (
            (
                version := __import__("tests.plans.builders", fromlist=["submitted"]).submitted(
                    ctx.group.municipality
                )
            ),
            {"code": ctx.code, "pk": version.plan_id, "number": version.number, "fmt": "md"},
        )[-1],
    ),
    # plans: end exports
    # plans: region
    "plans:region_plans": Rule(REGION_KEEPERS, kwargs=home_region),
    # plans: end region
    # regional: dashboard
    "regional:dashboard": Rule(REGION_READERS, kwargs=home_region),
    "regional:national": Rule(ADMINS),
    # regional: end dashboard
    # regional: collaboration
    # The region's users read the collaboration page and its joint initiatives (each seeing what
    # visibility.Sight lets them); only the coordinator and admins start, change and end them.
    "regional:collaboration": Rule(REGION_READERS, kwargs=home_region),
    "regional:joint_create": Rule(REGION_KEEPERS, kwargs=home_region, writes=True),
    "regional:joint_detail": Rule(
        REGION_READERS,
        kwargs=(
            a_joint := lambda ctx: {
                "code": ctx.group.municipality.region.code,
                "pk": JointInitiative.objects.create(
                    region=ctx.group.municipality.region, title="Gemensam e-arkivtjänst"
                ).pk,
            }
        ),
    ),
    "regional:joint_edit": Rule(REGION_KEEPERS, kwargs=a_joint, writes=True),
    "regional:joint_delete": Rule(REGION_KEEPERS, kwargs=a_joint, writes=True),
    # regional: end collaboration
    # regional: public
    # The group chooses what its municipality publishes; the coordinator opens the public page.
    "regional:publication_edit": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "regional:public_edit": Rule(REGION_KEEPERS, kwargs=home_region, writes=True),
    # The public page and its open data: everyone, once the region has opened it (closed, it
    # is not found for anyone, see tests/regional/test_public.py).
    "regional:public_summary": Rule(
        EVERYONE,
        kwargs=(
            open_region := lambda ctx: (
                PublicSummary.objects.update_or_create(
                    region=ctx.group.municipality.region,
                    defaults={"enabled": True, "intro": "Välkommen."},
                ),
                home_region(ctx),
            )[-1]
        ),
    ),
    "regional:data_dictionary": Rule(EVERYONE, kwargs=open_region),
    "regional:data_download": Rule(
        EVERYONE, kwargs=lambda ctx: {**open_region(ctx), "dataset": "plans", "fmt": "xlsx"}
    ),
    # regional: end public
    # api
    # The REST API (tests/api covers tokens; here the session, as in a signed-in browser). Its
    # description and documentation are open; an anonymous caller gets 401, a user of another
    # municipality 403. Writes read their body only after the permission check.
    "api:openapi-json": Rule(EVERYONE),
    "api:openapi-view": Rule(EVERYONE),
    "api:api-root": Rule(EVERYONE),  # leads to the documentation
    "api:api_not_found": Rule(NOBODY, kwargs=lambda ctx: {"rest": "no/such/thing"}),
    "api:me": Rule(SIGNED_IN),
    "api:municipality_list": Rule(SIGNED_IN),  # each sees the municipalities they may
    "api:municipality_detail": Rule(HOME_READERS, kwargs=home),
    "api:group_detail": Rule(HOME_READERS, kwargs=home),
    "api:instrument_list": Rule(SIGNED_IN),  # shared by every region
    "api:instrument_detail": Rule(
        SIGNED_IN, kwargs=lambda ctx: {"pk": ctx.consensus.instrument_id}
    ),
    "api:round_list": Rule(HOME_READERS, kwargs=home),
    "api:round_detail": Rule(HOME_READERS, kwargs=home_round),
    "api:round_scores": Rule(HOME_READERS, kwargs=home_round),
    # Anyone with a survey link may read and answer it, as on the survey page.
    "api:survey_detail": Rule(EVERYONE, kwargs=survey_link),
    "api:survey_respond": Rule(EVERYONE, kwargs=survey_link, method="post"),
    "api:wave_list": Rule(REGION_READERS, kwargs=home_region),
    "api:signal_list": Rule(HOME_READERS, kwargs=home),
    "api:signal_detail": Rule(HOME_READERS, kwargs=home_signal),
    "api:placement_list": Rule(HOME_READERS, kwargs=home),
    "api:idea_list": Rule(HOME_READERS, kwargs=home),
    "api:idea_detail": Rule(HOME_READERS, kwargs=an_idea),
    "api:idea_create": Rule(HOME_WRITERS, kwargs=home, method="post", writes=True),
    "api:portfolio_list": Rule(HOME_READERS, kwargs=home),
    "api:portfolio_detail": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {
            "code": ctx.code,
            "version": Portfolio.objects.create(
                municipality=ctx.group.municipality, version=1
            ).version,
        },
    ),
    "api:plan_list": Rule(HOME_READERS, kwargs=home),
    "api:plan_detail": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {k: v for k, v in a_plan_version(ctx).items() if k != "number"},
    ),
    "api:version_detail": Rule(HOME_READERS, kwargs=lambda ctx: a_plan_version(ctx)),
    "api:decision_detail": Rule(HOME_READERS, kwargs=lambda ctx: a_plan_version(ctx, "decided")),
    "api:decision_create": Rule(
        frozenset({"leadership"}),
        kwargs=lambda ctx: a_plan_version(ctx),
        method="post",
        writes=True,
    ),
    "api:check_in_list": Rule(
        HOME_READERS,
        kwargs=lambda ctx: {
            k: v for k, v in a_plan_version(ctx, "decided").items() if k != "number"
        },
    ),
    "api:check_in_create": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: (
            (kwargs := a_plan_version(ctx, "decided")),
            {
                "code": kwargs["code"],
                "pk": kwargs["pk"],
                "initiative": Initiative.objects.filter(version__plan_id=kwargs["pk"]).get().pk,
            },
        )[-1],
        method="post",
        writes=True,
    ),
    # Personal API tokens: one's own only.
    "api:token_list": Rule(SIGNED_IN, writes=True),
    "api:token_revoke": Rule(
        frozenset({"member"}),
        kwargs=lambda ctx: {
            "pk": __import__("tests.api.builders", fromlist=["token_pk"]).token_pk(ctx.users.member)
        },
        writes=True,
    ),
    # api: end
    # webhooks
    # A webhook of the home municipality (with one delivery where the URL needs it), made anew
    # for each URL through tests/webhooks/builders.py (saved as is: its address is not looked
    # up). Nothing is sent: the test's transaction never commits, so no delivery is enqueued.
    "webhooks:webhook_list": Rule(HOME_WRITERS, kwargs=home, writes=True),
    "webhooks:webhook_detail": Rule(
        HOME_WRITERS,
        kwargs=(
            a_webhook := lambda ctx, delivery=False: (
                (builders := __import__("tests.webhooks.builders", fromlist=["webhook_for"])),
                (webhook := builders.webhook_for(ctx.group.municipality)),
                {"code": ctx.code, "pk": webhook.pk}
                | ({"delivery_pk": builders.delivery_for(webhook).pk} if delivery else {}),
            )[-1]
        ),
    ),
    "webhooks:webhook_edit": Rule(HOME_WRITERS, kwargs=a_webhook, writes=True),
    "webhooks:webhook_delete": Rule(HOME_WRITERS, kwargs=a_webhook, writes=True),
    "webhooks:webhook_secret": Rule(HOME_WRITERS, kwargs=a_webhook, writes=True),
    "webhooks:webhook_test": Rule(HOME_WRITERS, kwargs=a_webhook, method="post", writes=True),
    "webhooks:delivery_detail": Rule(
        HOME_WRITERS, kwargs=lambda ctx: a_webhook(ctx, delivery=True)
    ),
    "webhooks:delivery_resend": Rule(
        HOME_WRITERS,
        kwargs=lambda ctx: a_webhook(ctx, delivery=True),
        method="post",
        writes=True,
    ),
    # webhooks: end
    # privacy
    # A user's own data: each signed-in user sees, downloads and deletes only their own (the
    # URLs carry no id). Deleting asks for the password again.
    "privacy:my_data": Rule(SIGNED_IN),
    "privacy:my_data_download": Rule(SIGNED_IN),
    "privacy:account_delete": Rule(SIGNED_IN, writes=True),
    "privacy:deleted": Rule(EVERYONE),
    # A resident's: anyone may ask for a link (the answer never says whether the address is
    # known); the pages behind it open with the signed link alone, made here for a proposal.
    "privacy:resident_request": Rule(EVERYONE),
    "privacy:resident_sent": Rule(EVERYONE),
    "privacy:resident_data": Rule(
        EVERYONE,
        kwargs=(
            resident_link := lambda ctx: __import__(
                "tests.privacy.builders"
            ).privacy.builders.resident_link(ctx.group)
        ),
    ),
    "privacy:resident_download": Rule(EVERYONE, kwargs=resident_link),
    "privacy:resident_delete": Rule(EVERYONE, kwargs=resident_link),
    # privacy: end
    # sso
    # Single sign-on is not configured in the tests' settings: both answer 404 to everyone.
    # Configured, they are open to everyone (tests/sso).
    "oidc_authentication_init": Rule(NOBODY),
    "oidc_authentication_callback": Rule(NOBODY),
    # sso: end
    # operations
    # Health probes: open to everyone, no personal data (states and ages only).
    "healthz": Rule(EVERYONE),
    "readyz": Rule(EVERYONE),
    # operations: end
}

# Django's admin: for admins only. Its patterns are many and generated, so they are matched by
# namespace; each is still requested one by one below.
NAMESPACE_RULES: dict[str, Rule] = {"admin": Rule(ADMINS)}
# Admin patterns that refuse everyone here: the catch-all answers 404 to unknown admin URLs,
# autocomplete answers 403 because no admin field uses it, and django-axes' logs are written by
# django-axes alone, so its admin refuses to add entries by hand; so are background task results
# by django-tasks, whose admin shows them read-only.
ADMIN_REFUSING_ALL = {
    "admin:<catch-all>",
    "admin:autocomplete",
    "admin:axes_accessattempt_add",
    "admin:axes_accessfailurelog_add",
    "admin:axes_accesslog_add",
    "admin:django_tasks_database_dbtaskresult_add",
    "admin:django_tasks_database_dbtaskresult_delete",
}


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or "namespace:<catch-all>" for an unnamed pattern
    namespace: str
    params: tuple[str, ...]
    positional: int  # unnamed groups, as in simple_history's admin history view


def iter_patterns(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[Pattern]:
    """Every URL pattern of the project, with its namespace and parameter names."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from iter_patterns(entry.url_patterns, inner)
            continue
        regex = re.compile(entry.pattern.regex.pattern)
        params = tuple(regex.groupindex)
        if entry.name:
            key = f"{namespace}:{entry.name}" if namespace else entry.name
        else:
            key = f"{namespace}:<catch-all>"
        yield Pattern(
            key=key, namespace=namespace, params=params, positional=regex.groups - len(params)
        )


def rule_for(pattern: Pattern) -> Rule | None:
    if pattern.key in TABLE:
        return TABLE[pattern.key]
    if pattern.namespace in NAMESPACE_RULES:
        base = NAMESPACE_RULES[pattern.namespace]
        allowed = NOBODY if pattern.key in ADMIN_REFUSING_ALL else base.allowed
        return Rule(allowed, method=base.method)
    return None


def unlisted(patterns: Iterator[Pattern]) -> list[str]:
    """The patterns that the table says nothing about."""
    return sorted({p.key for p in patterns if rule_for(p) is None})


ALL_PATTERNS = sorted(set(iter_patterns()), key=lambda p: p.key)


def test_every_url_pattern_is_in_the_table() -> None:
    assert unlisted(iter(ALL_PATTERNS)) == []


def test_a_new_unlisted_view_fails_the_matrix(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.urls_with_unlisted_view"
    clear_url_caches()
    try:
        assert unlisted(iter_patterns()) == ["unlisted_view"]
    finally:
        clear_url_caches()


def test_the_table_names_no_pattern_that_does_not_exist() -> None:
    keys = {p.key for p in ALL_PATTERNS}

    assert sorted(set(TABLE) - keys) == []


def admin_kwargs(pattern: Pattern, ctx: Ctx) -> dict[str, Any]:
    """Arguments for a generated admin URL: a real object of the pattern's model."""
    name = pattern.key.split(":", 1)[1]
    kwargs: dict[str, Any] = {}
    model = None
    for registered in admin.site._registry:
        prefix = f"{registered._meta.app_label}_{registered._meta.model_name}_"
        if name.startswith(prefix):
            model = registered
    if name == "view_on_site":
        content_type = ContentType.objects.get_for_model(DigitalisationGroup)
        return {"content_type_id": str(content_type.pk), "object_id": str(ctx.group.pk)}
    for param in pattern.params:
        if param == "app_label":
            kwargs[param] = "municipalities"
        elif param == "object_id":
            obj = model._default_manager.order_by("pk").first() if model else None
            kwargs[param] = str(obj.pk) if obj else "1"
        elif param == "id":
            kwargs[param] = str(ctx.users.member.pk)
        elif param == "url":
            kwargs[param] = "no-such-page/"
    return kwargs


def admin_history_args(pattern: Pattern) -> list[str]:
    """(object id, history id) of a real historical record, for an admin history version."""
    name = pattern.key.split(":", 1)[1]
    for model in admin.site._registry:
        if name == f"{model._meta.app_label}_{model._meta.model_name}_simple_history":
            record = model.history.order_by("pk").first()  # type: ignore[attr-defined]
            return [str(record.id), str(record.history_id)]
    raise AssertionError(f"no model for {pattern.key}")


def make_ctx(users: Users, group: DigitalisationGroup) -> Ctx:
    """The objects the URLs point at, in the home municipality."""
    rounds = {
        mode: maturity_services.round_open(
            municipality=group.municipality,
            mode=mode,
            title=f"Runda {mode}",
            opened_on=date(2026, 3, 1),
        )
        for mode in (Mode.CONSENSUS, Mode.SURVEY)
    }
    programme = programme_builders.programme_with_records(group)
    return Ctx(
        users=users,
        group=group,
        member=group.members.order_by("pk")[0],
        consensus=rounds[Mode.CONSENSUS],
        survey=rounds[Mode.SURVEY],
        programme=programme,
        session=Session.objects.filter(workshop__programme=programme).order_by("pk")[0],
    )


def url_for(pattern: Pattern, rule: Rule, ctx: Ctx) -> str:
    if pattern.key.endswith("<catch-all>"):
        return "/admin/no-such-page/"
    if pattern.positional:
        return reverse(pattern.key, args=admin_history_args(pattern))
    kwargs = admin_kwargs(pattern, ctx) if pattern.namespace == "admin" else rule.kwargs(ctx)
    return reverse(pattern.key, kwargs=kwargs)


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def refused(status: int, location: str) -> bool:
    """A refusal: a redirect to a login page, 401 (the API, without a token or session), 403,
    or 404 (an object one may not know of)."""
    if status in (401, 403, 404):
        return True
    return status == 302 and any(location.startswith(path) for path in LOGIN_PATHS)


def client_for(role: str, users: Users) -> Client:
    client = Client()
    user = users.by_name(role)
    if user is not None:
        client.force_login(user)
    return client


def snapshot() -> tuple[object, ...]:
    """The data a write view could change."""
    return (
        tuple(DigitalisationGroup.objects.values_list("pk", "name").order_by("pk")),
        tuple(GroupMember.objects.values_list("pk", "name", "email").order_by("pk")),
        tuple(Round.objects.values_list("pk", "title", "closed_at", "tokens_required")),
        tuple(Response.objects.values_list("pk", "answers", "whys")),
        tuple(Feed.objects.values_list("pk", "url", "title").order_by("pk")),
        tuple(Signal.objects.values_list("pk", "title", "confirmed_at").order_by("pk")),
        tuple(Placement.objects.values_list("pk", "ring", "rationale").order_by("pk")),
        tuple(Wave.objects.values_list("pk", "key", "name_sv", "keywords").order_by("pk")),
        tuple(Programme.objects.values_list("pk", "name", "starts_on", "ends_on").order_by("pk")),
        tuple(Workshop.objects.values_list("pk", "title_sv", "agenda").order_by("pk")),
        tuple(Cohort.objects.values_list("pk", "name").order_by("pk")),
        tuple(Session.objects.values_list("pk", "starts_at", "ends_at", "place").order_by("pk")),
        tuple(Attendance.objects.values_list("pk", "present", "hours").order_by("pk")),
        tuple(AssignmentStatus.objects.values_list("pk", "state", "due_on").order_by("pk")),
        tuple(Material.objects.values_list("pk", "title_sv", "url", "file").order_by("pk")),
        tuple(TermDefinition.objects.values_list("pk", "text").order_by("pk")),
        tuple(DefinitionMark.objects.values_list("pk", "agrees").order_by("pk")),
        tuple(BoardNote.objects.values_list("pk", "text").order_by("pk")),
        tuple(Facilitation.objects.values_list("pk", "step", "timer_started_at").order_by("pk")),
        tuple(LearningNote.objects.values_list("pk", "note", "done_at").order_by("pk")),
        tuple(
            Idea.objects.values_list(
                "pk", "title", "status", "moderation", "shared_at", "support_count"
            ).order_by("pk")
        ),
        tuple(ProposerContact.objects.values_list("pk", "email").order_by("pk")),
        tuple(ScoringWeights.objects.values_list("pk", "benefit", "cost").order_by("pk")),
        tuple(Vote.objects.values_list("pk", "title", "closed_at").order_by("pk")),
        tuple(Dot.objects.values_list("pk", "count").order_by("pk")),
        tuple(Portfolio.objects.values_list("pk", "version").order_by("pk")),
        tuple(Plan.objects.values_list("pk", "title", "first_year", "last_year").order_by("pk")),
        tuple(PlanVersion.objects.values_list("pk", "status", "leadership_check").order_by("pk")),
        tuple(Section.objects.values_list("pk", "text").order_by("pk")),
        tuple(Capability.objects.values_list("pk", "name", "target_score").order_by("pk")),
        tuple(
            Initiative.objects.values_list("pk", "title", "owner", "start", "end").order_by("pk")
        ),
        tuple(BudgetLine.objects.values_list("pk", "year", "kind", "amount").order_by("pk")),
        tuple(Decision.objects.values_list("pk", "outcome", "comment").order_by("pk")),
        tuple(CheckIn.objects.values_list("pk", "light", "narrative").order_by("pk")),
        tuple(Publication.objects.values_list("pk", "maturity", "radar", "plans").order_by("pk")),
        tuple(PublicSummary.objects.values_list("pk", "enabled", "intro").order_by("pk")),
        tuple(
            Webhook.objects.values_list("pk", "url", "events", "active", "secret").order_by("pk")
        ),
        tuple(Delivery.objects.values_list("pk", "status").order_by("pk")),
        tuple(Attempt.objects.values_list("pk").order_by("pk")),
        tuple(JointInitiative.objects.values_list("pk", "title", "description").order_by("pk")),
        tuple(
            JointLink.objects.values_list("pk", "joint_id", "initiative_key", "idea_id").order_by(
                "pk"
            )
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ALL_PATTERNS, ids=lambda p: p.key)
def test_each_role_gets_exactly_what_the_table_allows(
    pattern: Pattern, users: Users, home_group: DigitalisationGroup
) -> None:
    rule = rule_for(pattern)
    assert rule is not None, f"{pattern.key} is not in the permission table"
    ctx = make_ctx(users, home_group)
    url = url_for(pattern, rule, ctx)
    wrong: list[str] = []
    for role in ROLES:
        client = client_for(role, users)
        response = getattr(client, rule.method)(url)
        location = response.get("Location", "")
        is_refused = refused(response.status_code, location)
        if response.status_code >= 500:
            wrong.append(f"{role}: server error {response.status_code}")
        elif role in rule.allowed and is_refused:
            wrong.append(f"{role}: refused ({response.status_code} {location}) but allowed")
        elif role not in rule.allowed and not is_refused:
            wrong.append(f"{role}: got {response.status_code} {location} but must be refused")
        if rule.writes and role not in rule.allowed:
            before = snapshot()
            posted = client_for(role, users).post(url, {"name": "Intrång", "email": "x@y.se"})
            if not refused(posted.status_code, posted.get("Location", "")):
                wrong.append(f"{role}: POST answered {posted.status_code}, must be refused")
            if snapshot() != before:
                wrong.append(f"{role}: POST changed data")
    assert wrong == [], f"{url}: " + "; ".join(wrong)
