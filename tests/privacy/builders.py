"""A person with data in every part of Förändra, built through the services where they exist.

`person_with_data` gives a group member of the home municipality (Zelda Quistgaard) a row in
every place personal data lives: her account and its history, a sign-in, a session, herself in
the group's member list with attendance, an idea, dots in a vote, a plan she wrote, submitted
and decided with her name as an initiative's owner and in a check-in, notes, a definition and
her agreement mark, a signal and a radar placement, a publication choice, an admin log entry,
a programme she facilitates and an idea she proposed as a resident with the same address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from axes.models import AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from forandra.accounts import services as account_services
from forandra.accounts.models import Role, User
from forandra.ideas import services as idea_services
from forandra.ideas import voting
from forandra.ideas.models import Idea, ProposerContact, Vote
from forandra.municipalities import services as municipality_services
from forandra.municipalities.models import DigitalisationGroup, GroupMember
from forandra.plans import services as plan_services
from forandra.plans.models import CheckIn, Decision, Light, PlanVersion, Status
from forandra.programme import services as programme_services
from forandra.programme.models import (
    BoardNote,
    DefinitionMark,
    LearningNote,
    Programme,
    Session,
    TermDefinition,
)
from forandra.regional import services as regional_services
from forandra.scanning import services as scanning_services
from tests.conftest import PASSWORD, Users
from tests.plans.builders import add_initiative, complete_draft
from tests.programme import builders as programme_builders

NAME = "Zelda Quistgaard"
EMAIL = "zelda.q@example.org"
USERNAME = "zelda-user"
OTHERS_NOTE = "Annans anteckning om ledarskap"


@dataclass
class Person:
    user: User
    member: GroupMember
    idea: Idea  # added by her in the group's bank
    proposal: Idea  # proposed by her as a resident, with her address
    vote: Vote
    version: PlanVersion
    decision: Decision
    check_in: CheckIn
    programme: Programme
    session: Session
    client: Client  # signed in as her

    @property
    def needles(self) -> tuple[str, ...]:
        return (EMAIL, NAME, USERNAME)


def person_with_data(users: Users, group: DigitalisationGroup) -> Person:
    """Zelda, a member in the home group, and the fixture's member with data of their own."""
    home = group.municipality
    user = account_services.user_create(
        username=USERNAME,
        password=PASSWORD,
        role=Role.MEMBER,
        municipality=home,
        first_name="Zelda",
        last_name="Quistgaard",
        email="Zelda.Q@Example.org",  # the case differs from the member list's
    )
    user.first_name = "Zelda"
    user._history_user = users.admin  # type: ignore[attr-defined]
    user.save()  # a second version of her account, made by an admin
    member = municipality_services.member_add(
        group=group, name=NAME, email=EMAIL, function="Bibliotek"
    )
    member.function = "Bibliotek och kultur"
    member._history_user = user  # type: ignore[attr-defined]
    member.save()
    group._history_user = user  # type: ignore[attr-defined]
    group.name = f"{group.name} (ny)"
    group.save()

    programme = programme_builders.programme_with_records(group)
    programme.facilitators.add(user)
    session = Session.objects.filter(workshop__programme=programme).order_by("pk")[0]
    programme_services.attendance_set(session=session, member=member, present=True)
    definition = TermDefinition.objects.create(
        programme=programme,
        group=group,
        term_key="digitisation",
        text="Att göra analogt digitalt.",
        written_by=user,
    )
    DefinitionMark.objects.create(definition=definition, user=user, agrees=True)
    DefinitionMark.objects.create(definition=definition, user=users.member, agrees=True)
    BoardNote.objects.create(
        programme=programme,
        group=group,
        column="risk",
        text="Digitalt utanförskap",
        written_by=user,
    )
    LearningNote.objects.create(user=user, module_key="digital_culture", note="Mina tankar")
    LearningNote.objects.create(user=users.member, module_key="digital_culture", note=OTHERS_NOTE)

    idea = idea_services.idea_create(
        municipality=home,
        created_by=user,
        title="Bokbuss med wifi",
        need=f"{NAME} såg att byarna saknar uppkoppling.",
    )
    other_idea = idea_services.idea_create(
        municipality=home, created_by=users.member, title="Digital anslagstavla", need="Info."
    )
    vote = voting.vote_create(
        municipality=home, title="Workshop 3", dots=5, ideas=[idea, other_idea], by=user
    )
    voting.dot_set(vote=vote, idea=idea, user=user, count=3)
    voting.dot_set(vote=vote, idea=idea, user=users.member, count=1)
    voting.dot_set(vote=vote, idea=other_idea, user=users.member, count=2)
    proposal = idea_services.proposal_submit(
        municipality=home,
        client="192.0.2.1",
        title="Läxhjälp på nätet",
        need="Barnen behöver hjälp på kvällen.",
        email=EMAIL,
    ).idea
    assert proposal is not None

    version = complete_draft(home, user)
    add_initiative(version, title="Bokbuss", owner=NAME)
    plan_services.version_submit(version=version, user=user)
    plan_services.version_decide(
        version=version,
        outcome=Status.APPROVED,
        comment=f"Beslutat. Kontakt: {EMAIL}.",
        decided_on=date(2027, 1, 20),
        user=users.leadership,
    )
    version.refresh_from_db()
    check_in = plan_services.check_in(
        initiative=version.initiatives.get(title="Bokbuss"),
        checked_on=date(2027, 3, 1),
        light=Light.GREEN,
        narrative=f"{NAME} har ringt biblioteken.",
        next_step="Upphandla bussen.",
        next_step_due=None,
        user=user,
    )

    region = home.region
    scanning_services.catalogue_seed(region=region)
    signal = scanning_services.signal_add(
        municipality=home, title="Robotar i hemtjänsten", added_by=user
    )
    wave = region.waves.order_by("pk")[0]
    scanning_services.signal_confirm(signal=signal, waves=[wave], by=user)
    scanning_services.placement_set(municipality=home, wave=wave, ring="explore", by=user)
    scanning_services.feed_add(
        region=region, municipality=home, url="https://kommun.example.se/rss", added_by=user
    )
    regional_services.publication_set(
        municipality=home, maturity=True, radar=False, plans=False, by=user
    )
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(GroupMember),
        object_id=str(member.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message="[]",
    )
    AccessLog.objects.create(
        username=USERNAME,
        ip_address="192.0.2.7",
        user_agent="Firefox",
        http_accept="text/html",
        path_info="/accounts/login/",
    )
    client = Client()
    client.force_login(user)
    return Person(
        user=user,
        member=member,
        idea=idea,
        proposal=proposal,
        vote=vote,
        version=version,
        decision=Decision.objects.get(version=version),
        check_in=check_in,
        programme=programme,
        session=session,
        client=client,
    )


def text_columns_containing(*needles: str) -> list[str]:
    """Every `app.model.field` (of every model the app registry knows, history included) whose
    text, char, e-mail, slug or URL column holds one of the needles, in any case."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            for needle in needles:
                rows = model._base_manager.filter(**{f"{field.attname}__icontains": needle})
                if rows.exists():
                    found.append(f"{model._meta.label_lower}.{field.name}: {needle}")
    return found


def rows_pointing_at(user_pk: int) -> list[str]:
    """Every `app.model.field` with a row whose link to a user holds this id."""
    user_model = apps.get_model("accounts", "User")
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is user_model
                and model._base_manager.filter(**{field.attname: user_pk}).exists()
            ):
                found.append(f"{model._meta.label_lower}.{field.name}")
    return found


def resident_contact(group: DigitalisationGroup, email: str, **idea: Any) -> ProposerContact:
    """A resident's proposal with their address (pending unless told otherwise)."""
    proposal = idea_services.proposal_submit(
        municipality=group.municipality,
        client="198.51.100.1",
        title=idea.pop("title", "Wifi på biblioteket"),
        need=idea.pop("need", "Det går inte att jobba där."),
        email=email,
    ).idea
    assert proposal is not None
    if idea:
        Idea.objects.filter(pk=proposal.pk).update(**idea)
    return ProposerContact.objects.get(idea=proposal)


def resident_link(group: DigitalisationGroup) -> dict[str, str]:
    """URL arguments of a resident's pages: the signed link for a new resident's proposal."""
    from forandra.privacy import tokens

    contact = resident_contact(group, "matris@example.org")
    return {"token": tokens.resident_token(contacts=[contact])}
