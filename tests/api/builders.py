"""A small world of one municipality's data, built through the services, for the API tests:
every kind of object the API serves, and for each path parameter the object it points at."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from forandra.accounts.models import User
from forandra.api import services as api_services
from forandra.api.main import api
from forandra.ideas import portfolio as portfolio_services
from forandra.ideas import services as idea_services
from forandra.maturity import selectors as maturity_selectors
from forandra.maturity import services as maturity_services
from forandra.maturity.models import Mode, Round
from forandra.municipalities.models import Municipality
from forandra.plans import services as plan_services
from forandra.plans.models import PlanVersion
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning import services as scanning_services
from tests.plans import builders as plan_builders


@dataclass
class World:
    """One municipality's objects; `params` maps the path segment before a parameter
    ("rounds" in /rounds/{pk}) to the value that names this world's object there."""

    municipality: Municipality
    consensus: Round
    survey: Round  # enough responses to show results
    small_survey: Round  # too few to show results
    submitted: PlanVersion  # waits for leadership's decision
    approved: PlanVersion  # followed up with check-ins
    params: dict[str, Any] = field(default_factory=dict)

    def params_for(self, path: str, method: str) -> dict[str, Any]:
        """The parameters for one operation: the submitted plan, which waits for a decision,
        except where the approved plan has what is asked for (its decision, check-ins)."""
        if "check-ins" in path or (path.endswith("/decision") and method == "GET"):
            return self.params | {
                "plans": self.approved.plan_id,
                "versions": self.approved.number,
                "initiatives": self.approved.initiatives.get().pk,
            }
        return self.params


def _answers(round_: Round, value: int) -> dict[str, int | None]:
    instrument = maturity_selectors.instrument_for(round_=round_)
    return {s.key: value for _d, s in instrument.statements()}


def build_world(municipality: Municipality, user: User | None = None) -> World:
    """Rounds in both modes (one survey with too few responses), waves, a signal, a radar
    placement, ideas and a portfolio, a submitted plan and an approved one with a check-in."""
    on = datetime.date(2026, 3, 1)
    consensus = maturity_services.round_open(
        municipality=municipality, mode=Mode.CONSENSUS, title="Gruppens runda", opened_on=on
    )
    maturity_services.consensus_save(
        round_=consensus,
        answers={k: (v, "Därför.") for k, v in _answers(consensus, 3).items()},
    )
    survey = maturity_services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Personalenkät", opened_on=on
    )
    unit = municipality.units.create(name="Skolan")
    maturity_services.survey_import(
        round_=survey,
        responses=[
            maturity_services.ImportedResponse(_answers(survey, 1 + i % 5), unit if i % 2 else None)
            for i in range(7)
        ],
        on=on,
    )
    small = maturity_services.round_open(
        municipality=municipality, mode=Mode.SURVEY, title="Liten enkät", opened_on=on
    )
    maturity_services.survey_import(
        round_=small,
        responses=[maturity_services.ImportedResponse(_answers(small, 2))],
        on=on,
    )

    scanning_services.catalogue_seed(region=municipality.region)
    wave = scanning_selectors.waves_for(region=municipality.region)[0]
    signal = scanning_services.signal_add(
        municipality=municipality, title="Robotar i hemtjänsten", link="https://example.org/a"
    )
    scanning_services.placement_set(municipality=municipality, wave=wave, ring="try")

    idea = idea_services.idea_create(
        municipality=municipality,
        created_by=user,
        title="Boka idrottshallen på nätet",
        need="Föreningarna ringer och mejlar.",
        waves=[wave],
        one_time_cost=40_000,
    )
    idea_services.idea_create(
        municipality=municipality, created_by=user, title="Öppna data", need="Ingen hittar datan."
    )
    portfolio = portfolio_services.run(
        municipality=municipality, rules=portfolio_services.Rules(budget=100_000)
    )

    submitted = plan_builders.submitted(municipality, user)
    approved = plan_builders.decided(municipality, user=user)
    initiative = approved.initiatives.get()
    plan_services.check_in(
        initiative=initiative,
        checked_on=timezone.localdate() - datetime.timedelta(days=30),
        light="green",
        narrative="Det går bra.",
        next_step="Testa med fem sökande.",
        next_step_due=None,
        user=user,
    )
    approved.refresh_from_db()

    return World(
        municipality=municipality,
        consensus=consensus,
        survey=survey,
        small_survey=small,
        submitted=submitted,
        approved=approved,
        params={
            "municipalities": municipality.code,
            "regions": municipality.region.code,
            "rounds": survey.pk,
            "signals": signal.pk,
            "ideas": idea.pk,
            "portfolios": portfolio.version,
            "plans": submitted.plan_id,
            "versions": submitted.number,
            "initiatives": submitted.initiatives.get().pk,
            "surveys": survey.link_key,
            "instruments": survey.instrument_id,
        },
    )


def token_for(user: User, scope: str = "write", days: int = 30) -> str:
    """A fresh token's secret for the user."""
    return api_services.token_create(
        user=user,
        name=f"Test {scope}",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    ).secret


def token_pk(user: User) -> int:
    """The id of a fresh token of the user (for a page about it)."""
    return api_services.token_create(
        user=user,
        name="Rapportverktyget",
        scope="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    ).token.pk


def add_more(world: World, user: User | None = None) -> None:
    """One more of each listed kind: a round, a signal, an idea, a portfolio, a plan and a
    check-in (for the query counts of the lists)."""
    municipality = world.municipality
    maturity_services.round_open(
        municipality=municipality,
        mode=Mode.CONSENSUS,
        title="Ännu en runda",
        opened_on=datetime.date(2026, 9, 1),
    )
    scanning_services.signal_add(municipality=municipality, title="Ännu en signal")
    idea_services.idea_create(
        municipality=municipality, created_by=user, title="Ännu en idé", need="Ett behov."
    )
    portfolio_services.run(municipality=municipality, rules=portfolio_services.Rules(budget=50_000))
    plan_builders.submitted(municipality, user)
    plan_services.check_in(
        initiative=world.approved.initiatives.get(),
        checked_on=timezone.localdate(),
        light="yellow",
        narrative="Det dröjer lite.",
        next_step="Ring leverantören.",
        next_step_due=None,
        user=user,
    )


def operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted(
        (path, method.upper()) for path, methods in schema["paths"].items() for method in methods
    )


OPERATIONS = operations()


def url_of(path: str, params: dict[str, Any]) -> str:
    """The path with each parameter replaced by the world's object after the same segment."""

    def fill(match: re.Match[str]) -> str:
        segment = match.group(1)
        assert segment in params, f"{path}: teach the test what {{…}} after {segment}/ names"
        return f"{segment}/{params[segment]}"

    return re.sub(r"([a-z-]+)/\{[a-z_]+\}", fill, path)
