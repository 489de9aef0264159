# ruff: noqa: E501
# (long lines: each idea template below is one line, so the list reads as a table)
"""The ideas part of the demo: an idea bank in each Västerbotten municipality with a group.

Each bank holds 15 to 40 ideas drawn from the templates below, told a little differently from
municipality to municipality: costs and effort vary, as do the estimates, the status and where
the idea came from (the group, staff, residents, a workshop). A few residents' proposals wait for
moderation (one with an e-mail for follow-up) and one was declined with a reason. Some
municipalities have set their own scoring weights. Vindeln, where the demo logins belong, has a
closed dot vote from a workshop and an open one to try.

Everything is drawn deterministically (a seeded random.Random), except the residents' private
links, which are random as they are in use.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from forandra.accounts.models import User
from forandra.ideas import portfolio
from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors as scanning_selectors

from .models import (
    Dot,
    Idea,
    Moderation,
    ProposerContact,
    ScoringWeights,
    Source,
    Status,
    Vote,
)

HOME = "2404"  # Vindeln


@dataclass(frozen=True)
class Template:
    title: str
    need: str
    description: str
    one_time_cost: int  # SEK, typical
    yearly_cost: int  # SEK per year, typical
    effort: float  # person-months, typical
    waves: tuple[str, ...]
    dimensions: tuple[str, ...]


T = Template
# fmt: off
TEMPLATES: list[Template] = [
    T("E-tjänst för bygglovsansökan", "Att söka bygglov kräver pappersblanketter och besök under kontorstid.", "En e-tjänst där ansökan, ritningar och komplettering sköts digitalt, med status för den sökande.", 250_000, 40_000, 4, ("accessibility", "automation"), ("citizen_focus", "technology")),
    T("Digital anslagstavla", "Invånarna missar kommunens protokoll och kungörelser.", "En digital anslagstavla på webbplatsen med bevakning via e-post.", 40_000, 10_000, 1, ("accessibility",), ("citizen_focus",)),
    T("Automatiserad fakturahantering", "Ekonomienheten lägger många timmar på att kontera och attestera leverantörsfakturor.", "Mjukvarurobot som matchar fakturor mot order och förbereder kontering.", 180_000, 60_000, 3, ("automation",), ("technology", "innovation")),
    T("Självservice för försörjningsstöd", "Sökande väntar länge på beslut och måste lämna samma uppgifter varje månad.", "Digital ansökan med automatiska kontroller mot andra myndigheter och snabbare beslut.", 400_000, 80_000, 6, ("automation", "accessibility"), ("citizen_focus", "technology")),
    T("Digitala trygghetskameror i hemtjänsten", "Nattillsyn väcker brukare och tar mycket körtid.", "Kameror som används med samtycke för nattillsyn på distans.", 300_000, 90_000, 4, ("welfare_technology",), ("citizen_focus", "innovation")),
    T("Läsplattor med videosamtal på äldreboenden", "Äldre på boenden träffar sina anhöriga för sällan.", "Enkla läsplattor och stöd av personalen för videosamtal med anhöriga.", 60_000, 15_000, 1, ("welfare_technology", "digital_competence"), ("citizen_focus", "competence")),
    T("Digital medicinpåminnare", "Brukare i hemtjänsten glömmer sina mediciner mellan besöken.", "Medicindosetter som påminner och larmar personalen vid missad dos.", 120_000, 50_000, 2, ("welfare_technology",), ("citizen_focus", "technology")),
    T("Chattbot för vanliga frågor", "Kontaktcenter får samma frågor om sophämtning och skolval om och om igen.", "En chattbot på webbplatsen som svarar på de vanligaste frågorna och lämnar över till en människa.", 150_000, 50_000, 3, ("ai", "accessibility"), ("citizen_focus", "innovation")),
    T("AI-stöd för att sammanfatta ärenden", "Handläggare lägger tid på att läsa in långa ärenden.", "Prova ett AI-verktyg, med tydliga regler, som sammanfattar ärendehistorik.", 200_000, 70_000, 4, ("ai",), ("innovation", "data")),
    T("Öppna data om kollektivtrafik och parkering", "Företag och invånare saknar data för att bygga egna tjänster.", "Publicera kommunens data som öppna data med en enkel portal.", 80_000, 20_000, 2, ("data_driven", "co_creation"), ("data", "collaboration")),
    T("Gemensam e-arkivlösning med grannkommunerna", "Varje kommun bygger sitt eget e-arkiv och kompetensen är tunn.", "Upphandla och förvalta ett e-arkiv tillsammans i regionen.", 500_000, 120_000, 8, ("shared_infrastructure",), ("collaboration", "technology")),
    T("Informationssäkerhetsutbildning för all personal", "Många medarbetare vet inte hur de ska hantera nätfiske och känsliga uppgifter.", "En kort webbutbildning och återkommande övningar för alla anställda.", 50_000, 20_000, 1, ("information_security", "digital_competence"), ("competence",)),
    T("Tvåfaktorsinloggning i verksamhetssystemen", "Lösenord är den svaga länken när personuppgifter ska skyddas.", "Inför tvåfaktorsinloggning för system med känsliga uppgifter.", 90_000, 30_000, 2, ("information_security",), ("technology", "strategy")),
    T("Digitala ambassadörer i varje förvaltning", "Nya arbetssätt fastnar när ingen i arbetslaget kan visa hur.", "Utse och utbilda digitala ambassadörer som stöttar sina kollegor.", 40_000, 30_000, 2, ("digital_competence",), ("competence", "culture", "leadership")),
    T("Digital fixartjänst för äldre", "Äldre som inte är vana vid digitala tjänster blir utestängda.", "Drop-in på biblioteket där äldre får hjälp med mobilt BankID och e-tjänster.", 20_000, 40_000, 1, ("digital_competence", "accessibility"), ("citizen_focus", "competence")),
    T("Medborgarbudget för ungdomar", "Unga känner att de inte kan påverka kommunen.", "Unga föreslår och röstar digitalt om hur en del av fritidsbudgeten används.", 60_000, 25_000, 2, ("co_creation",), ("culture", "citizen_focus")),
    T("Felanmälan med karta och foto", "Trasig gatubelysning och potthål anmäls per telefon och försvinner i mejlkorgar.", "Invånare anmäler fel i mobilen med position och foto och kan följa ärendet.", 100_000, 30_000, 2, ("accessibility", "co_creation"), ("citizen_focus", "technology")),
    T("Sensorer för tömning av återvinningskärl", "Kärl töms efter schema, ofta halvtomma och ibland överfulla.", "Fyllnadsgradssensorer som styr tömningen efter behov.", 150_000, 35_000, 2, ("green_digitalisation", "data_driven"), ("data", "innovation")),
    T("Smart styrning av belysning i idrottshallar", "Lampor står tända i tomma hallar kvällar och helger.", "Närvarostyrning och bokningskoppling som släcker när ingen är där.", 200_000, 10_000, 2, ("green_digitalisation",), ("technology",)),
    T("Digital bokning av lokaler och anläggningar", "Föreningar ringer och mejlar för att boka, och dubbelbokningar händer.", "Bokningssystem med kalender, betalning och nycklar i mobilen.", 120_000, 40_000, 2, ("accessibility", "automation"), ("citizen_focus", "technology")),
    T("Automatisk schemaläggning i hemtjänsten", "Planerare lägger schema för hand och körsträckorna blir långa.", "Planeringsverktyg som föreslår rutter och scheman.", 250_000, 80_000, 4, ("automation", "data_driven"), ("technology", "data")),
    T("Digitalt stöd för hemundervisning vid sjukdom", "Elever som är långvarigt sjuka tappar kontakten med skolan.", "Telenärvarorobot eller videolösning så att eleven kan följa lektionerna.", 80_000, 20_000, 1, ("welfare_technology", "accessibility"), ("citizen_focus", "innovation")),
    T("Gemensam IT-drift i kommunalförbundet", "Små IT-avdelningar är sårbara vid sjukdom och semester.", "Slå ihop drift och support med grannkommunerna i ett förbund.", 350_000, 0, 10, ("shared_infrastructure",), ("collaboration", "strategy")),
    T("Beslutsstöd med nyckeltal för ledningen", "Ledningen fattar beslut utan aktuella siffror om verksamheten.", "En enkel instrumentpanel med nyckeltal från ekonomi, personal och verksamhet.", 180_000, 50_000, 3, ("data_driven",), ("data", "leadership", "strategy")),
    T("Digital strategi med handlingsplan", "Digitaliseringen saknar riktning och prioriteringar.", "Ta fram en digital strategi och en handlingsplan med ansvar och uppföljning.", 30_000, 0, 3, ("digital_competence",), ("strategy", "leadership")),
    T("Tillgänglighetsgranskning av webbplatsen", "Webbplatsen uppfyller inte lagen om tillgänglighet till digital offentlig service.", "Granska mot WCAG, åtgärda bristerna och skriv om tillgänglighetsredogörelsen.", 90_000, 20_000, 2, ("accessibility",), ("citizen_focus", "technology")),
    T("Klarspråk i de mest använda blanketterna", "Invånare förstår inte vad de ska fylla i och ringer för hjälp.", "Skriv om de tjugo mest använda blanketterna på klarspråk.", 30_000, 0, 2, ("accessibility",), ("citizen_focus", "culture")),
    T("Innovationsfond för medarbetarnas idéer", "Medarbetare har idéer men inga pengar eller tid att pröva dem.", "En liten årlig pott som medarbetare söker för att pröva nya arbetssätt.", 0, 200_000, 1, ("co_creation", "digital_competence"), ("innovation", "culture")),
    T("Digital introduktion för nyanställda", "Nyanställda får olika introduktion beroende på förvaltning.", "Ett digitalt introduktionsprogram med checklistor och korta filmer.", 50_000, 10_000, 2, ("digital_competence",), ("competence", "culture")),
    T("Mobilt arbetssätt för socialsekreterare", "Socialsekreterare dokumenterar efter hembesök och dubbelarbetar.", "Surfplattor och mobil åtkomst till verksamhetssystemet vid hembesök.", 150_000, 40_000, 2, ("automation", "welfare_technology"), ("technology", "citizen_focus")),
    T("Gemensam dataplattform för regionens kommuner", "Varje kommun samlar in samma statistik på egen hand.", "En gemensam plattform där kommunerna delar och jämför data.", 400_000, 100_000, 6, ("data_driven", "shared_infrastructure"), ("data", "collaboration")),
    T("Fiber till de sista byarna", "Flera byar saknar snabbt bredband, vilket hindrar distansarbete och välfärdsteknik.", "Samverkan med byalag och operatörer för att bygga fiber till de sista hushållen.", 900_000, 20_000, 6, ("shared_infrastructure",), ("technology", "collaboration")),
    T("Digitala träffar med kommunens politiker", "Invånare långt från centralorten har svårt att träffa politiker.", "Återkommande digitala medborgardialoger med möjlighet att ställa frågor i förväg.", 20_000, 15_000, 1, ("co_creation",), ("culture", "citizen_focus")),
    T("Automatiserad löneadministration för timavlönade", "Timrapporter på papper ger sena och felaktiga löner.", "Digital tidrapportering med automatisk överföring till lönesystemet.", 150_000, 30_000, 3, ("automation",), ("technology",)),
    T("Energiuppföljning i kommunens fastigheter", "Kommunen vet inte vilka byggnader som drar mest energi.", "Mätare och en översikt över energianvändningen per fastighet.", 220_000, 30_000, 3, ("green_digitalisation", "data_driven"), ("data",)),
    T("Digital skolskjutsplanering", "Skolskjutsar planeras i kalkylblad och föräldrar får beskeden sent.", "Ett planeringsverktyg med information till vårdnadshavare i mobilen.", 100_000, 30_000, 2, ("automation", "accessibility"), ("citizen_focus", "technology")),
    T("Larm och positionering för personal som arbetar ensam", "Personal i hemtjänsten och socialtjänsten arbetar ensam i glesbygd.", "Mobila trygghetslarm med positionering för ensamarbetande personal.", 80_000, 40_000, 1, ("welfare_technology", "information_security"), ("technology",)),
    T("Servicecenter med en väg in", "Invånare vet inte vart de ska vända sig och slussas runt.", "Ett samlat kontaktcenter med ärendehantering och kunskapsbank.", 300_000, 150_000, 6, ("accessibility",), ("citizen_focus", "strategy")),
    T("Kartläggning av processer inför automatisering", "Det är oklart vilka processer som passar för automatisering.", "Kartlägg och prioritera processer tillsammans med verksamheterna.", 40_000, 0, 2, ("automation",), ("strategy", "innovation")),
    T("Ledarutveckling i digital förändring", "Chefer känner sig osäkra på att leda förändring med digitala verktyg.", "Ett program för kommunens chefer om att leda digital förändring.", 120_000, 0, 2, ("digital_competence",), ("leadership", "competence")),
    T("Digital samrådshandling för översiktsplanen", "Få invånare lämnar synpunkter på översiktsplanen.", "En interaktiv karta där invånare lämnar synpunkter på planen.", 70_000, 10_000, 1, ("co_creation", "accessibility"), ("citizen_focus", "collaboration")),
    T("Sensorer för fuktlarm i kommunala lägenheter", "Vattenskador upptäcks sent och blir dyra.", "Trådlösa fuktsensorer som larmar fastighetsskötaren.", 90_000, 20_000, 1, ("data_driven", "green_digitalisation"), ("technology", "data")),
    T("E-legitimation för personal", "Personal använder delade konton i vissa system.", "Personlig e-legitimation för inloggning och signering.", 110_000, 40_000, 2, ("information_security",), ("technology", "strategy")),
    T("Distansmöten i stället för resor", "Tjänsteresor till regionala möten tar hela dagar.", "Utrustade mötesrum och en policy för digitala möten.", 80_000, 10_000, 1, ("green_digitalisation", "shared_infrastructure"), ("culture", "collaboration")),
    T("Bibliotekets meröppet med digitalt lås", "Biblioteket är bara öppet några timmar i veckan i byarna.", "Meröppet med inpassering via lånekort och kamera, utan personal på plats.", 150_000, 25_000, 2, ("accessibility", "welfare_technology"), ("citizen_focus", "innovation")),
    T("Digital ansökan om förskoleplats", "Vårdnadshavare fyller i blanketter som matas in för hand.", "En e-tjänst för ansökan, placering och uppsägning av plats.", 90_000, 20_000, 2, ("accessibility", "automation"), ("citizen_focus", "technology")),
    T("Robot för inläsning av gamla arkivhandlingar", "Äldre handlingar finns bara på papper och är svåra att söka i.", "Skanning och textigenkänning av de mest efterfrågade handlingarna.", 160_000, 0, 3, ("automation", "ai"), ("data", "technology")),
    T("Digitala anhörigträffar inom LSS", "Anhöriga till personer med funktionsnedsättning har långt till träffarna.", "Digitala träffar och en gemensam informationsyta för anhöriga.", 15_000, 10_000, 1, ("welfare_technology", "co_creation"), ("citizen_focus", "culture")),
    T("Gemensam upphandling av e-tjänsteplattform", "Varje kommun köper sin egen plattform för e-tjänster till höga priser.", "Upphandla en plattform tillsammans och dela på e-tjänsterna.", 200_000, 60_000, 4, ("shared_infrastructure", "accessibility"), ("collaboration", "technology")),
    T("Uppföljning av digitala tjänsters användning", "Kommunen vet inte om e-tjänsterna används eller varför de överges.", "Mät användningen och fråga användarna, och förbättra utifrån det.", 40_000, 15_000, 1, ("data_driven",), ("data", "citizen_focus")),
    T("Hackathon med gymnasieelever", "Unga ser inte kommunen som en plats att utveckla teknik på.", "Ett årligt hackathon där elever löser kommunens utmaningar med öppna data.", 30_000, 30_000, 1, ("co_creation", "data_driven"), ("innovation", "collaboration")),
    T("Policy för generativ AI", "Medarbetare använder AI-verktyg utan riktlinjer.", "Riktlinjer, utbildning och godkända verktyg för generativ AI.", 20_000, 0, 1, ("ai", "information_security"), ("strategy", "competence")),
    T("Digital närvaro i skolan", "Frånvaro rapporteras sent till vårdnadshavare.", "Närvarorapportering i mobilen med avisering samma dag.", 60_000, 20_000, 1, ("automation",), ("citizen_focus", "data")),
    T("Kompetensinventering i digital förmåga", "Ingen vet vilken digital kompetens som finns och saknas.", "En enkät och en plan för kompetensutveckling per förvaltning.", 25_000, 0, 1, ("digital_competence",), ("competence", "strategy")),
    T("Sensorstyrd snöröjning", "Snöröjning körs efter schema även när det inte behövs.", "Väderdata och sensorer styr när och var det plogas.", 180_000, 40_000, 3, ("data_driven", "green_digitalisation"), ("data", "innovation")),
    T("Digitalt stöd vid krisinformation", "Vid kriser når informationen inte alla invånare i tid.", "SMS-utskick per område och en krissida som tål hög belastning.", 70_000, 20_000, 1, ("information_security", "accessibility"), ("citizen_focus", "technology")),
    T("Delade licenser för verksamhetssystem", "Kommunerna betalar för licenser som inte används.", "Inventera och dela licenser mellan förvaltningar och kommuner.", 10_000, 0, 1, ("shared_infrastructure",), ("collaboration", "strategy")),
    T("Digitala matsedlar med allergiinformation", "Vårdnadshavare ringer skolköket om ingredienser.", "Matsedel i app och på webb med allergener och specialkost.", 25_000, 8_000, 1, ("accessibility",), ("citizen_focus",)),
    T("Testbädd för välfärdsteknik", "Nya produkter köps in utan att ha prövats i verksamheten.", "Ett rum och en rutin för att pröva välfärdsteknik med brukare och personal.", 100_000, 30_000, 3, ("welfare_technology", "co_creation"), ("innovation", "culture")),
    T("Dokumenthantering i molnet med tydliga regler", "Filer ligger på personliga hemkataloger och försvinner när någon slutar.", "Gemensamma ytor för dokument med behörigheter och gallringsregler.", 80_000, 50_000, 2, ("shared_infrastructure", "information_security"), ("technology", "data")),
]
# fmt: on

SOURCES = [Source.GROUP, Source.STAFF, Source.CITIZEN, Source.WORKSHOP]
STATUSES = [
    (Status.NEW, 5),
    (Status.CONSIDERED, 4),
    (Status.SELECTED, 2),
    (Status.IN_PLAN, 1),
    (Status.PARKED, 1),
]
PROPOSALS = [
    (
        "Laddstolpar vid badplatsen",
        "Vi som kör elbil kan inte ladda när vi är vid badplatsen på sommaren.",
    ),
    (
        "Gratis wifi i centrum",
        "Turister och unga saknar uppkoppling när de är på torget.",
    ),
    (
        "App för att hitta lediga parkeringar",
        "Det är svårt att hitta parkering vid vårdcentralen.",
    ),
    (
        "Påminnelse om sophämtning i mobilen",
        "Jag glömmer vilken dag soporna hämtas när schemat ändras.",
    ),
]
DECLINED = (
    "Bygg en egen app för hela kommunen",
    "Kommunen borde ha en app med allt.",
    "Tack för förslaget! Vi bygger inte en egen app, eftersom webbplatsen redan fungerar i "
    "mobilen och en app kostar mycket att förvalta. Vi gör i stället de mest använda "
    "e-tjänsterna lättare att hitta.",
)
# Some municipalities have set their own weights (benefit, feasibility, risk, cost, effort,
# support); the rest keep the defaults.
OWN_WEIGHTS = {
    "2404": (6, 3, 2, 3, 1, 3),
    "2482": (5, 4, 2, 2, 2, 1),
    "2462": (4, 3, 3, 4, 2, 2),
    "2421": (7, 2, 1, 2, 1, 4),
}


def _round_to(value: float, step: int) -> int:
    return int(step * round(value / step))


def _idea(rng: random.Random, municipality: Municipality, template: Template, source: str) -> Idea:
    scale = rng.uniform(0.6, 1.5)
    status = rng.choices([s for s, _w in STATUSES], weights=[w for _s, w in STATUSES])[0]
    return Idea(
        municipality=municipality,
        title=template.title,
        need=template.need,
        description=template.description,
        source=source,
        dimensions=list(template.dimensions),
        one_time_cost=_round_to(template.one_time_cost * scale, 5_000),
        yearly_cost=_round_to(template.yearly_cost * rng.uniform(0.7, 1.3), 1_000),
        effort=Decimal(str(max(0.5, round(template.effort * scale * 2) / 2))),
        benefit=rng.randint(2, 5),
        feasibility=rng.randint(1, 5),
        risk=rng.randint(1, 4),
        status=status,
        moderation=Moderation.PUBLISHED,
        support_count=rng.randint(3, 60) if source == Source.CITIZEN else rng.randint(0, 12),
        is_demo=True,
    )


def demo_load(
    *,
    region: Region,
    municipalities: list[Municipality],
    member: User,
    coordinator: User,
) -> None:
    """Idea banks for the municipalities, weights for some, and Vindeln's dot votes."""
    rng = random.Random(2020)  # noqa: S311 (demo data, not security)
    waves = {wave.key: wave for wave in scanning_selectors.waves_for(region=region)}
    ideas: list[Idea] = []
    wave_keys: list[tuple[str, ...]] = []
    contacts: list[tuple[int, str]] = []  # (index in ideas, e-mail)
    for municipality in municipalities:
        # 15 to 40 ideas in all: the published ones, one to three waiting proposals, one declined.
        pending = rng.sample(PROPOSALS, rng.randint(1, 3))
        chosen = rng.sample(TEMPLATES, rng.randint(15, 40) - len(pending) - 1)
        # Every source at least once, then as it falls.
        sources = SOURCES + rng.choices(SOURCES, weights=[4, 3, 2, 3], k=len(chosen) - 4)
        for template, source in zip(chosen, sources, strict=True):
            ideas.append(_idea(rng, municipality, template, source))
            wave_keys.append(template.waves)
        for index, (title, need) in enumerate(pending):
            if index == 0:
                contacts.append((len(ideas), f"invanare.{municipality.code}@demo.example"))
            ideas.append(
                Idea(
                    municipality=municipality,
                    title=title,
                    need=need,
                    source=Source.CITIZEN,
                    moderation=Moderation.PENDING,
                    proposer_token=uuid.uuid4(),
                    is_demo=True,
                )
            )
            wave_keys.append(())
        ideas.append(
            Idea(
                municipality=municipality,
                title=DECLINED[0],
                need=DECLINED[1],
                source=Source.CITIZEN,
                moderation=Moderation.DECLINED,
                decline_reason=DECLINED[2],
                proposer_token=uuid.uuid4(),
                is_demo=True,
            )
        )
        wave_keys.append(())
    # Spread the ideas' creation over the last year, oldest first, as a bank grows.
    now = timezone.now()
    created = bulk_create_with_history(ideas, Idea, default_change_reason="demo")
    stamps = {
        idea.pk: now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 600))
        for idea in created
    }
    for idea in created:
        idea.created_at = idea.updated_at = stamps[idea.pk]
    Idea.objects.bulk_update(created, ["created_at", "updated_at"])
    idea_wave = Idea.waves.through
    idea_wave.objects.bulk_create(
        idea_wave(idea_id=idea.pk, wave_id=waves[key].pk)
        for idea, keys in zip(created, wave_keys, strict=True)
        for key in keys
        if key in waves
    )
    ProposerContact.objects.bulk_create(
        ProposerContact(idea=created[index], email=email) for index, email in contacts
    )
    ScoringWeights.objects.bulk_create(
        ScoringWeights(
            municipality=municipality,
            benefit=weights[0],
            feasibility=weights[1],
            risk=weights[2],
            cost=weights[3],
            effort=weights[4],
            support=weights[5],
        )
        for municipality in municipalities
        if (weights := OWN_WEIGHTS.get(municipality.code))
    )
    home = next((m for m in municipalities if m.code == HOME), None)
    if home is not None:
        _home_votes(rng, [i for i in created if i.municipality_id == home.pk], member, coordinator)
    for municipality in municipalities:
        _portfolio(municipality, member if municipality == home else coordinator)


def _portfolio(municipality: Municipality, by: User) -> None:
    """A saved portfolio: a year's innovation budget that buys part of the bank, by the optimiser."""
    portfolio.run(
        municipality=municipality,
        rules=portfolio.Rules(budget=600_000, yearly_cap=150_000, capacity=12.0),
        title="Förslag till transformationsplanen",
        created_by=by,
        is_demo=True,
    )


def _home_votes(rng: random.Random, ideas: list[Idea], member: User, coordinator: User) -> None:
    """Vindeln: a closed vote from workshop 3 with the group's dots, and an open one to try."""
    votable = [
        i for i in ideas if i.moderation == Moderation.PUBLISHED and i.status != Status.PARKED
    ]
    now = timezone.now()
    closed = Vote.objects.create(
        municipality=ideas[0].municipality,
        title="Workshop 3: vilka idéer går vidare?",
        dots=5,
        closed_at=now - timedelta(days=30),
        created_by=coordinator,
        is_demo=True,
    )
    on_closed = votable[:8]
    closed.ideas.set(on_closed)
    dots = []
    for user in (member, coordinator):
        placed = rng.sample(on_closed, 3)
        for idea, count in zip(placed, (2, 2, 1), strict=True):
            dots.append(Dot(vote=closed, idea=idea, user=user, count=count))
    Dot.objects.bulk_create(dots)
    opened = Vote.objects.create(
        municipality=ideas[0].municipality,
        title="Gruppmöte: nästa steg",
        dots=5,
        created_by=coordinator,
        is_demo=True,
    )
    on_open = votable[8:14] if len(votable) >= 10 else votable[:6]
    opened.ideas.set(on_open)
    Dot.objects.bulk_create(
        [
            Dot(vote=opened, idea=on_open[0], user=coordinator, count=3),
            Dot(vote=opened, idea=on_open[2], user=coordinator, count=2),
        ]
    )
