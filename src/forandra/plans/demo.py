# ruff: noqa: E501
# (long lines: each text and initiative template below is one line, so the lists read as tables)
"""The plans part of the demo: 30 transformation plans across Västerbotten, in every status.

Every municipality with a digitalisation group has an earlier plan (closed, or still followed up)
and a current one (2027–2029 for most) in another status; Vilhelmina and Skellefteå have three.
Umeå ran its own programme and has none, so the region's overview shows a municipality without a
plan. Each story is told through the services, as a group and its leadership would: a plan is
created, its sections, capabilities and initiatives written, it is submitted, leadership decides
(some versions are returned, and a new version answers the comment), the group checks in on the
initiatives of an approved plan, and an old plan is closed.

Vindeln, where the demo logins belong: "Digital omställning 2027–2029" was returned by
demo-ledning and its version 2 waits for her decision; "Digitaliseringsplan 2024–2026" is
followed up by demo-grupp, with every traffic light and a next step that is overdue.

Content is drawn deterministically (a seeded random.Random). Dates of earlier plans are fixed;
those of the current plans and of the follow-up are counted back from today, so a check-in is
recent and "overdue" means overdue whenever the demo is loaded. The history records get the
demo users and the dates of the story, not the moment of loading.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from forandra.accounts.models import User
from forandra.ideas import portfolio as ideas_portfolio
from forandra.ideas.models import Idea
from forandra.maturity import selectors as maturity_selectors
from forandra.maturity.instrument import default_instrument
from forandra.maturity.models import Mode
from forandra.municipalities import selectors as municipality_selectors
from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors as scanning_selectors
from forandra.scanning.models import Wave

from . import services
from .models import (
    BudgetKind,
    BudgetLine,
    Capability,
    CheckIn,
    Initiative,
    Light,
    Plan,
    PlanVersion,
    Section,
    Status,
    Step,
)

HOME = "2404"  # Vindeln

# --------------------------------------------------------------------------------------------
# The stories: one per plan. `outcomes` is what became of each version in turn ("draft" and
# "submitted" are left waiting); `follow` what happened after the last version was approved.


@dataclass(frozen=True)
class Story:
    code: str
    title: str
    first_year: int
    last_year: int
    themes: tuple[str, ...]  # the plan's focus, the main one first
    outcomes: tuple[str, ...]
    follow: str = ""  # "", "in_progress" or "closed"
    ready: bool = True  # a draft: complete enough to submit, or still half-written


S = Story
A, AWC, R = Status.APPROVED.value, Status.APPROVED_WITH_CHANGES.value, Status.RETURNED.value
SUB, DRAFT = Status.SUBMITTED.value, Status.DRAFT.value
IN_PROGRESS, CLOSED = Status.IN_PROGRESS.value, Status.CLOSED.value
# fmt: off
STORIES: list[Story] = [
    S("2401", "Digitaliseringsplan 2023–2025", 2023, 2025, ("e_services", "school"), (A,), CLOSED),
    S("2401", "Digital omställning 2027–2029", 2027, 2029, ("welfare", "ai"), (DRAFT,), ready=False),
    S("2403", "Digital utveckling 2024–2026", 2024, 2026, ("e_services", "broadband"), (A,), IN_PROGRESS),
    S("2403", "Digital omställning 2027–2029", 2027, 2029, ("welfare", "region"), (SUB,)),
    S("2404", "Digitaliseringsplan 2024–2026", 2024, 2026, ("e_services", "welfare"), (AWC,), IN_PROGRESS),
    S("2404", "Digital omställning 2027–2029", 2027, 2029, ("ai", "data", "region"), (R, SUB)),
    S("2409", "Digitaliseringsplan 2021–2023", 2021, 2023, ("broadband", "e_services"), (A,), CLOSED),
    S("2409", "Digital omställning 2027–2029", 2027, 2029, ("welfare", "data"), (A,)),
    S("2417", "Digitaliseringsplan 2023–2025", 2023, 2025, ("school", "e_services"), (R, A), CLOSED),
    S("2417", "Digital omställning 2027–2029", 2027, 2029, ("ai", "region"), (AWC,)),
    S("2418", "Digital utveckling 2024–2026", 2024, 2026, ("broadband", "welfare"), (A,), IN_PROGRESS),
    S("2418", "Digital omställning 2027–2029", 2027, 2029, ("e_services", "region"), (DRAFT,)),
    S("2421", "Digitaliseringsplan 2023–2025", 2023, 2025, ("e_services", "broadband"), (AWC,), CLOSED),
    S("2421", "Digital omställning 2027–2029", 2027, 2029, ("ai", "data"), (R,)),
    S("2422", "Digitaliseringsplan 2022–2024", 2022, 2024, ("broadband",), (A,), CLOSED),
    S("2422", "Digital omställning 2026–2028", 2026, 2028, ("welfare", "region"), (A,), IN_PROGRESS),
    S("2425", "Digitaliseringsplan 2023–2025", 2023, 2025, ("welfare", "e_services"), (A,), CLOSED),
    S("2425", "Digital omställning 2027–2029", 2027, 2029, ("school", "region"), (R, DRAFT)),
    S("2460", "Digital utveckling 2024–2026", 2024, 2026, ("school", "data"), (A,), IN_PROGRESS),
    S("2460", "Digital omställning 2027–2029", 2027, 2029, ("ai", "welfare"), (DRAFT,), ready=False),
    S("2462", "IT-strategi 2019–2021", 2019, 2021, ("broadband", "e_services"), (A,), CLOSED),
    S("2462", "Digitaliseringsplan 2023–2025", 2023, 2025, ("welfare", "school"), (AWC,), CLOSED),
    S("2462", "Digital omställning 2027–2029", 2027, 2029, ("data", "ai"), (R, A)),
    S("2463", "Digital utveckling 2024–2026", 2024, 2026, ("welfare", "broadband"), (A,), IN_PROGRESS),
    S("2463", "Digital omställning 2027–2029", 2027, 2029, ("e_services", "region"), (SUB,)),
    S("2481", "Digitaliseringsplan 2023–2025", 2023, 2025, ("e_services", "ai"), (A,), CLOSED),
    S("2481", "Digital omställning 2027–2029", 2027, 2029, ("data", "welfare"), (AWC, DRAFT)),
    S("2482", "Digitaliseringsstrategi 2019–2021", 2019, 2021, ("e_services",), (A,), CLOSED),
    S("2482", "Digital utveckling 2024–2026", 2024, 2026, ("ai", "data"), (AWC,), IN_PROGRESS),
    S("2482", "Digital omställning 2027–2029", 2027, 2029, ("region", "school"), (R, AWC)),
]
# fmt: on

# --------------------------------------------------------------------------------------------
# What the plans are about.


@dataclass(frozen=True)
class Item:
    """An initiative as the demo writes it; amounts in SEK, typical for a small municipality."""

    title: str
    owner: str
    description: str
    first_step: str
    benefit: str
    waves: tuple[str, ...]
    dimensions: tuple[str, ...]
    investment: int
    operations: int  # per year, from the year after the start
    innovation: int
    months: int


@dataclass(frozen=True)
class Theme:
    phrase: str
    urgency: str
    vision: str
    win: str
    items: tuple[Item, ...] = field(default_factory=tuple)


I = Item  # noqa: E741 (a table of items reads better with a one-letter constructor)
# fmt: off
THEMES: dict[str, Theme] = {
    "e_services": Theme(
        "e-tjänster och en väg in till kommunen",
        "Fyra av tio samtal till växeln gäller frågor som invånarna kunde ha fått svar på själva, och många ärenden kräver fortfarande blanketter på papper och besök under kontorstid.",
        "söka bygglov, förskoleplats och försörjningsstöd digitalt när det passar dem, och få besked snabbare",
        "de tre mest efterfrågade blanketterna blir e-tjänster",
        (
            I("E-tjänst för bygglov", "Samhällsbyggnadschef", "Ansökan, ritningar och kompletteringar sköts digitalt, och den sökande ser var ärendet står.", "Kartlägg hur dagens ansökningar kommer in och vilka kompletteringar som är vanligast.", "Besked om bygglov på dagar i stället för veckor, utan resa till kommunhuset.", ("accessibility", "automation"), ("citizen_focus", "technology"), 250_000, 40_000, 60_000, 12),
            I("Kontaktcenter med en väg in", "Kommundirektör", "Ett samlat kontaktcenter med ärendehantering och en kunskapsbank, så att fler frågor besvaras direkt.", "Räkna och sortera samtalen till växeln under två veckor.", "Invånarna får svar vid första kontakten och slipper slussas runt.", ("accessibility",), ("citizen_focus", "strategy"), 300_000, 150_000, 50_000, 18),
            I("Digital ansökan om förskoleplats", "Förskolechef", "E-tjänst för ansökan, placering och uppsägning av förskoleplats.", "Gå igenom blanketten med två vårdnadshavare och en handläggare.", "Vårdnadshavare söker plats på kvällen och får besked i mobilen.", ("accessibility", "automation"), ("citizen_focus",), 90_000, 20_000, 20_000, 8),
            I("Mina sidor för invånare", "IT-chef", "En inloggad sida där invånaren ser sina ärenden, fakturor och beslut.", "Välj de tre ärendetyper som ska synas först.", "Invånaren ser alla sina ärenden på ett ställe och behöver inte ringa och fråga.", ("accessibility", "information_security"), ("citizen_focus", "technology"), 200_000, 60_000, 40_000, 15),
        ),
    ),
    "welfare": Theme(
        "välfärdsteknik i hemtjänsten och på boendena",
        "Om tio år är var fjärde invånare över 65 år, och redan i dag är det svårt att rekrytera undersköterskor. Hemtjänsten kör långa sträckor mellan besöken, och nattillsynen väcker brukare som hellre hade sovit.",
        "bo kvar hemma längre och känna sig trygga, med teknik som ger personalen mer tid för mötet",
        "digital nattillsyn i drift för de första tio brukarna som vill ha det",
        (
            I("Digital nattillsyn i hemtjänsten", "Äldreomsorgschef", "Kameror som med brukarens samtycke används för nattillsyn på distans.", "Fråga brukarråd och personal hur tillsynen ska gå till.", "Brukaren får sova ostört, och personalen kör inte ut i onödan på natten.", ("welfare_technology",), ("citizen_focus", "innovation"), 300_000, 90_000, 80_000, 12),
            I("Läkemedelsrobotar i ordinärt boende", "Äldreomsorgschef", "Läkemedelsautomater som påminner brukaren och larmar personalen vid missad dos.", "Pröva två automater hos brukare som själva vill.", "Rätt medicin i rätt tid utan att vänta på hemtjänstens besök.", ("welfare_technology",), ("citizen_focus", "technology"), 150_000, 60_000, 40_000, 10),
            I("Testbädd för välfärdsteknik", "Utvecklingsledare vård och omsorg", "Ett rum och en rutin för att pröva ny teknik med brukare och personal innan den köps in.", "Inred rummet på Solgården och bjud in två leverantörer.", "Tekniken som köps in fungerar för de äldre som ska använda den.", ("welfare_technology", "co_creation"), ("innovation", "culture"), 100_000, 30_000, 120_000, 24),
            I("Videosamtal på äldreboendena", "Enhetschef särskilt boende", "Läsplattor och stöd från personalen för videosamtal med anhöriga.", "Köp in fem läsplattor och utbilda två ombud per boende.", "De boende träffar sina anhöriga oftare, även när de bor långt bort.", ("welfare_technology", "digital_competence"), ("citizen_focus", "competence"), 60_000, 15_000, 0, 6),
        ),
    ),
    "school": Theme(
        "skolans digitalisering",
        "Elevernas datorer är gamla, lärarna använder olika verktyg på varje skola, och den digitala kompetensen skiljer sig mycket mellan klassrummen.",
        "gå i en skola där de digitala verktygen fungerar varje dag och stödjer lärandet, oavsett vilken skola man går på",
        "alla lärare i årskurs 4–6 har gått grundutbildningen i den gemensamma lärplattformen",
        (
            I("En digital enhet per elev", "Skolchef", "Varje elev från årskurs 4 får en egen dator med samma grundprogram på alla skolor.", "Inventera dagens datorer och gör en plan för utbyte.", "Alla elever har samma möjligheter, vilken skola de än går i.", ("digital_competence", "shared_infrastructure"), ("technology", "competence"), 400_000, 120_000, 0, 12),
            I("Digital kompetens för lärare", "Skolchef", "Kollegialt lärande i digitala verktyg med en IKT-pedagog som stöd.", "Utse en digital ambassadör på varje skola.", "Undervisningen håller samma kvalitet i hela kommunen.", ("digital_competence",), ("competence", "culture"), 50_000, 40_000, 30_000, 18),
            I("Fjärrundervisning i modersmål", "Rektor Centralskolan", "Modersmålsundervisning på distans tillsammans med grannkommunerna.", "Kartlägg vilka språk som efterfrågas i kommunerna.", "Eleverna får undervisning i sitt modersmål även när läraren finns i en annan kommun.", ("shared_infrastructure", "accessibility"), ("collaboration", "citizen_focus"), 80_000, 60_000, 40_000, 12),
            I("Digital närvaro och frånvaroanmälan", "Skolchef", "Närvaro rapporteras i mobilen och vårdnadshavare får besked samma dag.", "Gör en testperiod på en skola under en termin.", "Vårdnadshavare får veta direkt om barnet inte kommit till skolan.", ("automation",), ("citizen_focus", "data"), 60_000, 20_000, 0, 6),
        ),
    ),
    "broadband": Theme(
        "bredband och uppkoppling i byarna",
        "Var femte hushåll utanför tätorten saknar en uppkoppling som klarar videosamtal. Utan den fungerar varken distansarbete, e-hälsa eller digital skola i byarna.",
        "ha en uppkoppling som räcker för arbete, skola och vård på distans, var man än bor i kommunen",
        "avtal med två fiberföreningar om att bygga de sista sträckorna",
        (
            I("Fiber till de sista byarna", "Teknisk chef", "Kommunen medfinansierar fiber till de hushåll som saknar bredband, tillsammans med byanäten.", "Ta fram en karta över hushåll utan fast uppkoppling.", "Hushållen i byarna kan arbeta, studera och träffa vården på distans.", ("shared_infrastructure",), ("technology", "collaboration"), 900_000, 50_000, 0, 30),
            I("Stöd till fiberföreningar", "Näringslivsutvecklare", "Rådgivning och ett enkelt avtal för byanät som vill bygga eller förnya.", "Bjud in föreningarna till en träff i kommunhuset.", "Byarna bygger sin uppkoppling själva, med stöd när det behövs.", ("shared_infrastructure", "co_creation"), ("collaboration",), 30_000, 30_000, 20_000, 12),
            I("Öppet wifi i bibliotek och byagårdar", "Bibliotekschef", "Trådlöst nät med god kapacitet där invånare möts.", "Välj fem platser tillsammans med byaföreningarna.", "Den som saknar uppkoppling hemma kan sköta sina ärenden nära hemmet.", ("accessibility", "shared_infrastructure"), ("citizen_focus", "technology"), 120_000, 25_000, 0, 8),
            I("Digital träffpunkt för seniorer", "Bibliotekschef", "Drop-in där seniorer får hjälp med bank-id, e-tjänster och videosamtal.", "Rekrytera fem frivilliga digitala guider.", "Äldre invånare klarar sina ärenden digitalt och känner sig tryggare.", ("digital_competence", "accessibility"), ("citizen_focus", "competence"), 20_000, 30_000, 15_000, 12),
        ),
    ),
    "data": Theme(
        "datadelning och bättre beslutsunderlag",
        "Verksamheterna sitter på data som inte används: samma uppgifter matas in flera gånger och nyckeltal tas fram för hand inför varje bokslut.",
        "lita på att kommunen bara frågar efter samma uppgift en gång och att besluten bygger på aktuell kunskap",
        "en första översikt med nyckeltal för äldreomsorgen, uppdaterad varje vecka",
        (
            I("Gemensam plattform för verksamhetsdata", "IT-chef", "Data från verksamhetssystemen samlas på ett ställe med tydliga behörigheter.", "Välj två system att börja med och beskriv deras data.", "Invånarna behöver inte lämna samma uppgifter flera gånger.", ("data_driven", "information_security"), ("data", "technology"), 350_000, 90_000, 60_000, 18),
            I("Nyckeltal för äldreomsorgen", "Äldreomsorgschef", "En översikt med beläggning, kontinuitet och brukarnöjdhet som uppdateras varje vecka.", "Bestäm tillsammans med enhetscheferna vilka fem nyckeltal som behövs.", "Insatserna styrs dit behoven är störst.", ("data_driven",), ("data", "strategy"), 80_000, 30_000, 40_000, 9),
            I("Öppna data om kommunens service", "Kommunikationschef", "Data om till exempel lekplatser, öppettider och snöröjning publiceras som öppna data.", "Inventera vilka data som redan finns och får publiceras.", "Invånare och företag kan bygga egna tjänster på kommunens data.", ("data_driven", "co_creation"), ("data", "citizen_focus"), 40_000, 15_000, 25_000, 12),
            I("Informationsklassning av verksamhetssystemen", "Informationssäkerhetssamordnare", "Alla system klassas så att det är tydligt vilka data som får delas och hur.", "Klassa de fem viktigaste systemen först.", "Invånarnas uppgifter skyddas och delas bara när det är tillåtet.", ("information_security",), ("data", "strategy"), 30_000, 10_000, 0, 10),
        ),
    ),
    "ai": Theme(
        "AI och automatisering i handläggningen",
        "Handläggningstiderna inom försörjningsstöd och bygglov har ökat samtidigt som pensionsavgångarna tar med sig erfarenhet. Medarbetare använder redan AI-verktyg, men utan riktlinjer.",
        "få snabba och rättssäkra besked, där automatiseringen tar hand om rutinerna och handläggarna om människorna",
        "riktlinjer för generativ AI och en första robot som kontrollerar inkomstuppgifter",
        (
            I("Automatiserad handläggning av försörjningsstöd", "Socialchef", "Digital ansökan med automatiska kontroller mot andra myndigheter; handläggaren fattar besluten.", "Kartlägg vilka kontroller som görs för hand i dag.", "Snabbare besked, och handläggaren får mer tid för samtalet med den sökande.", ("automation", "ai"), ("technology", "citizen_focus"), 400_000, 80_000, 100_000, 18),
            I("AI-stöd för sammanfattning av ärenden", "Socialchef", "Ett AI-verktyg, godkänt av informationssäkerhetssamordnaren, som sammanfattar långa ärenden.", "Pröva verktyget på avidentifierade ärenden i tre månader.", "Handläggarna hinner med fler möten med invånarna.", ("ai", "information_security"), ("innovation", "technology"), 120_000, 60_000, 90_000, 12),
            I("Mjukvarurobot för leverantörsfakturor", "Ekonomichef", "En robot matchar fakturor mot order och förbereder konteringen.", "Mät hur lång tid fakturahanteringen tar i dag.", "Skattepengar går till verksamheten i stället för administration.", ("automation",), ("technology",), 180_000, 60_000, 30_000, 9),
            I("Riktlinjer och utbildning i generativ AI", "Kommundirektör", "Riktlinjer, godkända verktyg och en kort utbildning för alla medarbetare.", "Skriv ett första utkast till riktlinjer med HR och informationssäkerhet.", "Invånarnas uppgifter hanteras säkert när medarbetarna använder AI.", ("ai", "digital_competence"), ("strategy", "competence"), 20_000, 0, 20_000, 6),
        ),
    ),
    "region": Theme(
        "samverkan med regionens kommuner",
        "Vi är för små för att bygga och förvalta allt själva. Varje kommun upphandlar sin egen plattform och letar efter samma specialister.",
        "få samma goda service som i en större kommun, eftersom vi delar plattformar, kompetens och erfarenheter med grannarna",
        "en gemensam avsiktsförklaring med grannkommunerna om e-tjänsteplattform och informationssäkerhet",
        (
            I("Gemensam e-tjänsteplattform med grannkommunerna", "IT-chef", "En plattform upphandlas tillsammans och e-tjänsterna delas mellan kommunerna.", "Ta fram en gemensam kravlista med grannkommunerna.", "Fler e-tjänster till lägre kostnad, och samma sätt att söka i hela länet.", ("shared_infrastructure", "accessibility"), ("collaboration", "technology"), 200_000, 60_000, 50_000, 24),
            I("Delad informationssäkerhetssamordnare", "Kommundirektör", "En samordnare anställs tillsammans med två grannkommuner.", "Skriv ett samverkansavtal om kostnader och arbetstid.", "Invånarnas uppgifter skyddas av någon som kan det, också i en liten kommun.", ("information_security", "shared_infrastructure"), ("collaboration", "strategy"), 0, 250_000, 0, 36),
            I("Regionalt nätverk för digitaliseringsledare", "Digitaliseringsstrateg", "Kommunernas digitaliseringsledare träffas varje månad och delar lösningar.", "Boka de första träffarna med Region Västerbotten.", "Lösningar som fungerat i en kommun kommer snabbare till nästa.", ("shared_infrastructure", "digital_competence"), ("collaboration", "competence"), 0, 20_000, 30_000, 36),
            I("Gemensam upphandling av välfärdsteknik", "Upphandlingschef", "Kommunerna köper trygghetslarm och läkemedelsautomater i ett gemensamt avtal.", "Samla kommunernas behov i en gemensam förfrågan.", "Bättre teknik till lägre pris för brukarna i alla kommunerna.", ("welfare_technology", "shared_infrastructure"), ("collaboration",), 60_000, 0, 20_000, 18),
        ),
    ),
}
# fmt: on

SPONSORS = [
    "Kommundirektören är sponsor, och planen är en stående punkt på ledningsgruppens möten.",
    "Kommunstyrelsens ordförande och kommundirektören står bakom planen och träffar gruppen varje kvartal.",
    "Förvaltningscheferna är sponsorer för var sitt initiativ och redovisar läget i ledningsgruppen.",
]
COALITION_EXTRA = [
    "Vi bjuder in de fackliga organisationerna och pensionärsrådet vid varje större steg.",
    "Gruppen har fyra timmar i månaden avsatta i tjänsten för arbetet.",
    "En representant för ungdomsrådet är med när vi prövar nya tjänster.",
]
STRATEGIES = [
    "vi börjar där behovet är störst, prövar i liten skala och skalar upp det som fungerar.",
    "vi gör färre saker samtidigt, gör dem färdigt och tar med medarbetarna från början.",
    "vi väljer gemensamma lösningar med grannkommunerna före egna och bygger kompetens i den egna organisationen.",
]
COMMUNICATION = [
    "Planen presenteras på arbetsplatsträffar i alla förvaltningar under första kvartalet {first}. Cheferna får ett kort underlag med tre budskap: varför vi förändrar, vad som händer först och hur man kan bidra. Invånarna får veta mer via webbplatsen och lokaltidningen.",
    "Vi berättar om planen där medarbetarna redan finns: på arbetsplatsträffar, i intranätets nyheter och i chefsforum. Varje initiativ har en kontaktperson som svarar på frågor. En gång per termin visar vi vad som har blivit bättre för invånarna.",
    "Kommundirektören presenterar planen för alla chefer i januari {first}, och varje chef tar den vidare till sin arbetsplatsträff. Vi visar konkreta exempel i stället för bilder med mål.",
]
OBSTACLES = [
    "att varje inköp av ett digitalt verktyg måste beslutas av ledningsgruppen (nu räcker enhetschefens beslut upp till 50 000 kr)",
    "att medarbetarna saknar tid att pröva nytt (varje arbetsplats får fyra timmar i månaden)",
    "rutiner som kräver underskrift på papper",
    "att önskemål till IT bara tas emot en gång om året",
    "att data inte delas mellan förvaltningarna i brist på rutiner",
]
CONSOLIDATION = [
    "Varje initiativ följs upp med en kort avstämning varannan månad. Det som fungerar blir mall för nästa verksamhet, och erfarenheterna delas i regionens nätverk för digitaliseringsledare.",
    "Vi använder förtroendet från de första vinsterna till att ta oss an det svårare: gemensamma processer över förvaltningsgränserna. Planen ses över varje höst i budgetarbetet.",
]
CULTURE = [
    "Nya arbetssätt skrivs in i rutiner, i introduktionen för nyanställda och i chefernas uppdrag. Vi firar när något blir bättre för invånarna och berättar om det.",
    "Digitalisering blir en del av den vanliga verksamhetsplaneringen i stället för ett projekt vid sidan av. Medarbetare som har prövat nytt lär ut det till kollegorna.",
]
LEADERSHIP_CHECKS = [
    "Ledarskap behövs för att ändra arbetssätt över förvaltningsgränserna och ge medarbetarna mandat att pröva. Styrning räcker för budget, upphandling och uppföljning, som sker i ordinarie ordning.",
    "Det mesta i planen är ledarskap: att skapa en gemensam bild av varför vi förändrar och att ta bort hinder. Styrningen, med budget och uppföljning, ligger i den vanliga verksamhetsplaneringen.",
]
COMMENTS = {
    A: [
        "Kommunstyrelsens arbetsutskott godkänner planen. Medel för {first} tas upp i budgeten, och uppföljningen sker i delårsrapporten.",
        "Ledningsgruppen ställer sig bakom planen. Bra att innovationsbudgeten är tydlig; vi vill se den första avstämningen före sommaren.",
    ],
    AWC: [
        "Godkänd med ändringar: innovationsbudgeten för {first} halveras och resten prövas i budgetberedningen. Initiativ som rör flera förvaltningar ska ha en gemensam ägare.",
        "Godkänd med ändringen att planen samordnas med grannkommunerna före upphandling. Driftkostnaderna efter {last} ska redovisas i nästa version.",
    ],
    R: [
        "Återremitteras. Planen har för många initiativ för första året: prioritera och visa vad som ger effekt för invånarna inom sex månader. Ange en ansvarig chef för varje initiativ.",
        "Återremitteras. Driftkostnaderna efter projekttiden saknas, och kopplingen till mognadsmätningen behöver bli tydligare innan ledningen kan ta ställning.",
    ],
}
# What the next version changes, in answer to the comment.
REVISED = {
    R: (
        " Efter ledningens återremiss har vi färre initiativ det första året.",
        " Driftkostnaderna efter projekttiden redovisas nu per initiativ.",
    ),
    AWC: (
        " Efter ledningens beslut är innovationsbudgeten för det första året halverad.",
        " Planen samordnas med grannkommunerna före varje upphandling.",
    ),
}
NARRATIVES = {
    Light.GREEN: [
        "Upphandlingen är klar och leverantören har börjat. Personalen på två enheter har fått utbildning.",
        "Första versionen är i drift, och fler än hälften av ärendena kommer nu in digitalt.",
        "Piloten går bra: både brukarna och personalen vill fortsätta.",
        "Arbetet följer planen. Vi har haft en uppskattad genomgång på arbetsplatsträffen.",
    ],
    Light.YELLOW: [
        "Leveransen är försenad två månader. Vi använder tiden till att förbereda personalen.",
        "Intresset bland medarbetarna är lägre än vi trodde; vi behöver fler ambassadörer.",
        "Integrationen med verksamhetssystemet kräver mer arbete än planerat.",
    ],
    Light.RED: [
        "Leverantören har dragit sig ur, och vi måste upphandla igen.",
        "Den som drev arbetet har slutat, och ingen har tagit över ännu.",
        "Finansieringen för nästa år är inte beslutad, så arbetet står still.",
    ],
}
FORCED = [Light.GREEN, Light.YELLOW, Light.RED]
NEXT_STEPS = [
    "Avstämning med leverantören",
    "Utvärdera piloten tillsammans med brukarna",
    "Beslut i ledningsgruppen om fortsättningen",
    "Utbilda personalen på nästa enhet",
    "Ny upphandling annonseras",
    "Redovisa läget för kommunstyrelsen",
]


# --------------------------------------------------------------------------------------------
# Who did it and when: the history records get the story's user and day.


class _Clock:
    """The story's current day and actor, stamped on every history record made meanwhile."""

    def __init__(self) -> None:
        self.day = date(2000, 1, 1)
        self.user: User | None = None

    def at(self, day: date, user: User | None) -> _Clock:
        self.day, self.user = day, user
        return self

    @property
    def moment(self) -> datetime:
        return datetime.combine(self.day, time(10), tzinfo=timezone.get_current_timezone())

    def stamp(self, sender: Any, history_instance: Any, **kwargs: Any) -> None:
        history_instance.history_date = self.moment
        history_instance.history_user = self.user


@contextmanager
def _stamping(clock: _Clock) -> Iterator[None]:
    """While the demo writes, history records carry the story's day and user (simple_history's
    pre_create_historical_record signal), not the moment of loading."""
    pre_create_historical_record.connect(clock.stamp, dispatch_uid="plans-demo-clock")
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(dispatch_uid="plans-demo-clock")


# --------------------------------------------------------------------------------------------
# The loader.


@dataclass
class _Context:
    rng: random.Random
    clock: _Clock
    today: date
    waves: dict[str, Wave]
    region_municipalities: list[Municipality]
    functions: dict[str, list[str]]  # code -> the group's functions
    scores: dict[str, dict[int, dict[str, float]]]  # code -> year -> dimension -> score
    portfolio_ideas: dict[str, list[Idea]]  # code -> selected ideas of the latest portfolio
    member: User
    leadership: User
    coordinator: User
    stamps: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # (row, field values)


def demo_load(
    *,
    region: Region,
    municipalities: Sequence[Municipality],
    member: User,
    leadership: User,
    coordinator: User,
) -> None:
    """Thirty plans of the region's municipalities, told through the services; nothing when the
    database already has a plan."""
    if Plan.objects.exists():
        return
    by_code = {m.code: m for m in municipalities}
    context = _Context(
        rng=random.Random(2027),  # noqa: S311 (demo data, not security)
        clock=_Clock(),
        today=timezone.localdate(),
        waves={wave.key: wave for wave in scanning_selectors.waves_for(region=region)},
        region_municipalities=list(region.municipalities.order_by("code")),
        functions=_functions(region),
        scores=_scores([m for m in municipalities if any(s.code == m.code for s in STORIES)]),
        portfolio_ideas=_portfolio_ideas(municipalities),
        member=member,
        leadership=leadership,
        coordinator=coordinator,
    )
    with _stamping(context.clock):
        for story in STORIES:
            municipality = by_code.get(story.code)
            if municipality is not None:
                _tell(context, story, municipality)
    _backdate(context.stamps)


def _functions(region: Region) -> dict[str, list[str]]:
    return {
        m.code: sorted(
            {
                function if function.isupper() else function.lower()
                for function in (member.function.strip() for member in m.group.members.all())
            }
        )
        for m in municipality_selectors.region_municipalities(region=region)
        if hasattr(m, "group")
    }


def _scores(municipalities: list[Municipality]) -> dict[str, dict[int, dict[str, float]]]:
    """Each municipality's dimension scores from its closed consensus rounds, by year."""
    scores: dict[str, dict[int, dict[str, float]]] = {}
    for municipality in municipalities:
        rounds = maturity_selectors.rounds_for(municipality=municipality).filter(
            mode=Mode.CONSENSUS, closed_at__isnull=False
        )
        for round_ in rounds:
            result = maturity_selectors.round_result(round_=round_)
            if result is None:
                continue
            scores.setdefault(municipality.code, {})[round_.opened_on.year] = {
                key: d.score for key, d in result.result.dimensions.items() if d.score is not None
            }
    return scores


def _portfolio_ideas(municipalities: Sequence[Municipality]) -> dict[str, list[Idea]]:
    """The ideas chosen in each municipality's latest saved portfolio, best first."""
    chosen: dict[str, list[Idea]] = {}
    for municipality in municipalities:
        latest = ideas_portfolio.portfolios_for(municipality=municipality).first()
        if latest is None:
            continue
        chosen[municipality.code] = [
            choice.idea
            for choice in ideas_portfolio.choices_of(portfolio=latest).prefetch_related(
                "idea__waves"
            )
            if choice.selected
        ]
    return chosen


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _round_to(value: float, step: int = 5_000) -> int:
    return int(step * round(value / step))


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " och " + words[-1]


def _timeline(context: _Context, story: Story) -> list[date]:
    """The days of the story's events before the follow-up: the plan made, then per version
    (made,) submitted, decided. Earlier plans were decided the year before they started;
    current ones are counted back from today, so nothing lies in the future."""
    rng = context.rng
    start = date(story.first_year - 1, 3, 1) + timedelta(days=rng.randint(0, 30))
    days = [start]
    day = date(story.first_year - 1, 9, 1) + timedelta(days=rng.randint(0, 14))
    for index, outcome in enumerate(story.outcomes):
        if index > 0:
            day = days[-1] + timedelta(days=rng.randint(4, 10))
            days.append(day)  # the new version
            day += timedelta(days=rng.randint(14, 28))
        if outcome == DRAFT:
            break
        days.append(day)  # submitted
        if outcome == SUB:
            break
        day += timedelta(days=rng.randint(14, 28))
        days.append(day)  # decided
    latest = context.today - timedelta(days=3)
    if days[-1] > latest:
        shift = days[-1] - latest
        days = [d - shift for d in days]
    return days


def _actors(context: _Context, municipality: Municipality) -> tuple[User, User | None]:
    """Who writes and who decides: in Vindeln the demo logins; elsewhere the coordinator keeps
    the plans the groups wrote in workshop 4, and leadership decides without a login."""
    if municipality.code == HOME:
        return context.member, context.leadership
    return context.coordinator, None


def _tell(context: _Context, story: Story, municipality: Municipality) -> None:
    rng, clock = context.rng, context.clock
    writer, decider = _actors(context, municipality)
    days = iter(_timeline(context, story))
    created = next(days)
    clock.at(created, writer)
    plan = services.plan_create(
        municipality=municipality,
        title=story.title,
        first_year=story.first_year,
        last_year=story.last_year,
        user=writer,
    )
    plan.is_demo = True
    context.stamps.append((plan, {"is_demo": True, "created_at": _noon(created)}))
    version = services.current_version(plan)
    version.plan = plan
    _write(context, story, municipality, version, complete=story.ready or len(story.outcomes) > 1)
    context.stamps.append((version, {"created_at": _noon(created)}))
    decision_day = created
    for index, outcome in enumerate(story.outcomes):
        if index > 0:
            made = next(days)
            clock.at(made, writer)
            version = services.version_new(plan=plan, user=writer)
            version.plan = plan
            _revise(context, version, story.outcomes[index - 1])
            context.stamps.append((version, {"created_at": _noon(made)}))
        if outcome == DRAFT:
            break
        submitted = next(days)
        clock.at(submitted, writer)
        version = services.version_submit(version=version, user=writer)
        version.plan = plan
        context.stamps.append((version, {"submitted_at": _noon(submitted)}))
        if outcome == SUB:
            break
        decision_day = next(days)
        clock.at(decision_day, decider)
        comment = rng.choice(COMMENTS[outcome]).format(first=story.first_year, last=story.last_year)
        services.version_decide(
            version=version,
            outcome=outcome,
            comment=comment,
            decided_on=decision_day,
            user=decider,
        )
        context.stamps.append((version, {"updated_at": _noon(decision_day)}))
    if story.follow:
        _follow_up(context, story, version, decision_day, writer)


def _write(
    context: _Context,
    story: Story,
    municipality: Municipality,
    version: PlanVersion,
    *,
    complete: bool,
) -> None:
    """The first draft's sections, management check, capabilities and initiatives."""
    rng, clock = context.rng, context.clock
    themes = [THEMES[key] for key in story.themes]
    texts = _sections(context, story, municipality, themes)
    sections = list(version.sections.order_by("step"))
    written = len(sections) if complete else rng.randint(3, 5)
    for section in sections[:written]:
        section.text = texts[section.step]
    bulk_update_with_history(
        sections[:written],
        Section,
        ["text"],
        default_user=clock.user,
        default_date=clock.moment,
    )
    if complete:
        version.leadership_check = rng.choice(LEADERSHIP_CHECKS)
        version.save(update_fields=["leadership_check", "updated_at"])
    capabilities = _capabilities(context, story, municipality, version, themes)
    _initiatives(context, story, municipality, version, themes, capabilities, complete=complete)


def _sections(
    context: _Context, story: Story, municipality: Municipality, themes: list[Theme]
) -> dict[int, str]:
    rng = context.rng
    measured = _measured_year(context, municipality.code, story.first_year)
    weakest = ""
    if measured is not None:
        scores = context.scores[municipality.code][measured]
        key = min(scores, key=lambda k: scores[k])
        weakest = (
            f" Mognadsmätningen {measured} visar att {_dimension_name(key).lower()} är vårt "
            "svagaste område."
        )
    focus = themes[0].phrase
    if len(themes) > 1:
        focus += ", men också på " + " och på ".join(theme.phrase for theme in themes[1:])
    functions = context.functions.get(municipality.code) or ["socialtjänst", "skola", "it"]
    return {
        Step.URGENCY: (
            f"{themes[0].urgency}{weakest} Därför satsar {municipality.name} under "
            f"{story.first_year}–{story.last_year} främst på {focus}."
        ),
        Step.COALITION: (
            f"Den vägledande koalitionen är digitaliseringsgruppen, med medarbetare från "
            f"{_join(functions)}. {rng.choice(SPONSORS)} {rng.choice(COALITION_EXTRA)}"
        ),
        Step.VISION: (
            f"Vision: år {story.last_year} ska invånarna i {municipality.name} kunna "
            f"{themes[0].vision}. Strategi: {rng.choice(STRATEGIES)}"
        ),
        Step.COMMUNICATION: rng.choice(COMMUNICATION).format(first=story.first_year),
        Step.EMPOWERMENT: f"Hinder vi tar bort: {_join(rng.sample(OBSTACLES, 2))}.",
        Step.WINS: (
            f"Inom sex månader: {themes[0].win}."
            + (f" Inom ett år: {themes[1].win}." if len(themes) > 1 else "")
            + " Vi berättar om varje vinst på intranätet och för kommunstyrelsen."
        ),
        Step.CONSOLIDATION: rng.choice(CONSOLIDATION),
        Step.CULTURE: rng.choice(CULTURE),
    }


def _measured_year(context: _Context, code: str, first_year: int) -> int | None:
    """The latest maturity measurement before the plan was written."""
    years = [year for year in context.scores.get(code, {}) if year < first_year]
    return max(years) if years else None


def _dimension_name(key: str) -> str:
    return next(d.name.sv for d in default_instrument().dimensions if d.key == key)


def _capabilities(
    context: _Context,
    story: Story,
    municipality: Municipality,
    version: PlanVersion,
    themes: list[Theme],
) -> list[Capability]:
    """Three or four dimensions: the weakest measured ones and those the themes build."""
    rng, clock = context.rng, context.clock
    measured = _measured_year(context, municipality.code, story.first_year)
    scores = context.scores[municipality.code][measured] if measured is not None else {}
    keys = sorted(scores, key=lambda k: scores[k])[:2]
    for theme in themes:
        for item in theme.items:
            for key in item.dimensions:
                if key not in keys:
                    keys.append(key)
    keys = keys[: rng.randint(3, 4)]
    capabilities = []
    for order, key in enumerate(keys):
        current = scores.get(key, rng.uniform(25, 55))
        capabilities.append(
            Capability(
                version=version,
                dimension=key,
                name=_dimension_name(key),
                current_score=round(current),
                target_score=min(95, _round_to(current + rng.uniform(10, 25), 5)),
                note=f"Ett av de svagaste områdena i mognadsmätningen {measured}."
                if order < 2 and scores
                else "",
                order=order,
            )
        )
    made: list[Capability] = bulk_create_with_history(
        capabilities, Capability, default_user=clock.user, default_date=clock.moment
    )
    return made


def _initiatives(
    context: _Context,
    story: Story,
    municipality: Municipality,
    version: PlanVersion,
    themes: list[Theme],
    capabilities: list[Capability],
    *,
    complete: bool,
) -> None:
    """Three to eight initiatives: chosen ideas of the latest portfolio first (current plans),
    then the themes' own; with budget lines, waves, capabilities and partners."""
    rng, clock = context.rng, context.clock
    count = rng.randint(3, 8)
    ideas = (
        context.portfolio_ideas.get(municipality.code, [])[: rng.randint(1, 3)]
        if story.first_year >= 2026
        else []
    )
    pool = [item for theme in themes for item in theme.items]
    items = rng.sample(pool, min(len(pool), count - len(ideas)))
    rows: list[tuple[Initiative, list[tuple[int, str, int]], tuple[str, ...], tuple[str, ...]]] = []
    for idea in ideas:
        rows.append(_from_idea(context, story, version, idea))
    for item in items:
        rows.append(_from_item(context, story, version, item))
    for order, (initiative, _lines, _waves, _dims) in enumerate(rows):
        initiative.order = order
    if not complete:
        # A draft still being written: the last initiative has no owner, and no innovation yet.
        rows[-1][0].owner = ""
        rows = [
            (i, [line for line in lines if line[1] != BudgetKind.INNOVATION], w, d)
            for i, lines, w, d in rows
        ]
    elif not any(amount for row in rows for _y, kind, amount in row[1] if kind == "innovation"):
        rows[0][1].append((rows[0][0].start.year, BudgetKind.INNOVATION.value, 50_000))  # type: ignore[union-attr]
    initiatives = bulk_create_with_history(
        [row[0] for row in rows], Initiative, default_user=clock.user, default_date=clock.moment
    )
    lines_to_make = [
        BudgetLine(initiative=initiative, year=year, kind=kind, amount=amount)
        for initiative, (_i, lines, _w, _d) in zip(initiatives, rows, strict=True)
        for year, kind, amount in lines
        if amount
    ]
    bulk_create_with_history(
        lines_to_make, BudgetLine, default_user=clock.user, default_date=clock.moment
    )
    by_dimension = {c.dimension: c for c in capabilities}
    wave_links, capability_links, partner_links = [], [], []
    others = [m for m in context.region_municipalities if m.pk != municipality.pk]
    for initiative, (_i, _lines, wave_keys, dims) in zip(initiatives, rows, strict=True):
        wave_links += [
            Initiative.waves.through(initiative_id=initiative.pk, wave_id=context.waves[key].pk)
            for key in wave_keys
            if key in context.waves
        ]
        linked = [by_dimension[key] for key in dims if key in by_dimension] or capabilities[:1]
        capability_links += [
            Initiative.capabilities.through(initiative_id=initiative.pk, capability_id=c.pk)
            for c in linked
        ]
        if "shared_infrastructure" in wave_keys or rng.random() < 0.15:
            partner_links += [
                Initiative.collaborating.through(
                    initiative_id=initiative.pk, municipality_id=partner.pk
                )
                for partner in rng.sample(others, rng.randint(1, 3))
            ]
    Initiative.waves.through.objects.bulk_create(wave_links)
    # Every capability is built by some initiative: one that does not name it takes it on.
    built = {link.capability_id for link in capability_links}
    for index, capability in enumerate(c for c in capabilities if c.pk not in built):
        initiative = initiatives[index % len(initiatives)]
        capability_links.append(
            Initiative.capabilities.through(
                initiative_id=initiative.pk, capability_id=capability.pk
            )
        )
    Initiative.capabilities.through.objects.bulk_create(capability_links)
    Initiative.collaborating.through.objects.bulk_create(partner_links)


def _span(context: _Context, story: Story, months: int) -> tuple[date, date, int]:
    """An initiative's start, end and the start's year. In a plan still followed up the
    initiatives run on past today (one that had ended would be overdue until the plan closes)."""
    rng = context.rng
    year = story.first_year + (0 if rng.random() < 0.7 else 1)
    year = min(year, story.last_year)
    start = date(year, rng.choice([1, 2, 3, 4, 8, 9]), 1)
    end_month = start.month - 1 + months
    end = date(start.year + end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
    if story.follow == IN_PROGRESS:
        end = max(end, context.today + timedelta(days=rng.randint(30, 300)))
    return start, min(end, date(story.last_year, 12, 31)), year


def _budget(
    context: _Context,
    story: Story,
    start_year: int,
    investment: int,
    operations: int,
    innovation: int,
) -> list[tuple[int, str, int]]:
    rng = context.rng
    scale = rng.uniform(0.7, 1.3)
    lines = [(start_year, BudgetKind.INVESTMENT.value, _round_to(investment * scale))]
    lines += [
        (year, BudgetKind.OPERATIONS.value, _round_to(operations * rng.uniform(0.9, 1.1)))
        for year in range(start_year + 1, story.last_year + 1)
    ]
    if innovation:
        lines.append((start_year, BudgetKind.INNOVATION.value, _round_to(innovation * scale)))
        if start_year < story.last_year and rng.random() < 0.4:
            lines.append(
                (start_year + 1, BudgetKind.INNOVATION.value, _round_to(innovation * scale / 2))
            )
    return [line for line in lines if line[2] > 0]


def _key(context: _Context) -> uuid.UUID:
    return uuid.UUID(int=context.rng.getrandbits(128), version=4)


def _from_item(
    context: _Context, story: Story, version: PlanVersion, item: Item
) -> tuple[Initiative, list[tuple[int, str, int]], tuple[str, ...], tuple[str, ...]]:
    start, end, year = _span(context, story, item.months)
    initiative = Initiative(
        version=version,
        key=_key(context),
        title=item.title,
        description=item.description,
        owner=item.owner,
        start=start,
        end=end,
        first_step=item.first_step,
        citizen_benefit=item.benefit,
    )
    lines = _budget(context, story, year, item.investment, item.operations, item.innovation)
    return initiative, lines, item.waves, item.dimensions


def _from_idea(
    context: _Context, story: Story, version: PlanVersion, idea: Idea
) -> tuple[Initiative, list[tuple[int, str, int]], tuple[str, ...], tuple[str, ...]]:
    """An initiative from an idea of the portfolio: its words, estimates, waves and dimensions."""
    rng = context.rng
    months = max(3, min(24, round(float(idea.effort) * 3)))
    start, end, year = _span(context, story, months)
    initiative = Initiative(
        version=version,
        key=_key(context),
        idea=idea,
        title=idea.title,
        description=idea.description,
        owner=rng.choice(["Digitaliseringsstrateg", "IT-chef", "Verksamhetsutvecklare"]),
        start=start,
        end=end,
        first_step="Gå igenom idén med dem som föreslog den och bestäm hur den ska prövas.",
        citizen_benefit=f"Svarar på ett behov från idébanken: {idea.need}",
    )
    innovation = _round_to(idea.one_time_cost * rng.uniform(0.1, 0.3))
    lines = _budget(context, story, year, idea.one_time_cost, idea.yearly_cost, innovation)
    waves = tuple(wave.key for wave in idea.waves.all())
    return initiative, lines, waves, tuple(idea.dimensions)


def _revise(context: _Context, version: PlanVersion, answered: str) -> None:
    """The group's new version answers leadership's decision: a sentence in the wins and the
    consolidation, one initiative fewer after a return, a halved innovation line after
    approval with changes, and a budget line trimmed."""
    rng = context.rng
    sections = {s.step: s for s in version.sections.all()}
    for step, added in zip((Step.WINS, Step.CONSOLIDATION), REVISED[answered], strict=True):
        section = sections[step]
        section.text = section.text + added
        section.save(update_fields=["text"])
    initiatives = list(version.initiatives.order_by("order"))
    lines = list(
        BudgetLine.objects.filter(initiative__version=version).order_by("initiative", "year")
    )
    innovative = {line.initiative_id for line in lines if line.kind == BudgetKind.INNOVATION}
    # Any initiative may go, as long as an innovation line stays for the submission.
    droppable = [i for i in initiatives if i.pk not in innovative or len(innovative) > 1]
    if answered == R and len(initiatives) > 3 and droppable:
        dropped = droppable[-1]
        initiatives.remove(dropped)
        lines = [line for line in lines if line.initiative_id != dropped.pk]
        dropped.delete()
        for capability in version.capabilities.filter(initiatives=None):
            initiatives[0].capabilities.add(capability)  # what it built, another takes on
    if answered == AWC:
        first_year = min((line.year for line in lines), default=0)
        for line in lines:
            if line.kind == BudgetKind.INNOVATION and line.year == first_year:
                line.amount = max(5_000, _round_to(line.amount / 2))
                line.save(update_fields=["amount"])
    investments = [line for line in lines if line.kind == BudgetKind.INVESTMENT]
    if investments:
        line = rng.choice(investments)
        line.amount = _round_to(line.amount * 0.8)
        line.save(update_fields=["amount"])
    if initiatives:
        changed = rng.choice(initiatives)
        changed.first_step = changed.first_step + " Klart före sommaren."
        changed.save(update_fields=["first_step", "updated_at"])
    version.leadership_check = version.leadership_check or rng.choice(LEADERSHIP_CHECKS)
    version.save(update_fields=["leadership_check", "updated_at"])


def _follow_up(
    context: _Context, story: Story, version: PlanVersion, decided: date, writer: User
) -> None:
    """Check-ins on every initiative once it has started, a season or so apart: a closed plan
    was followed through its years, a plan in progress up to the last weeks. In Vindeln every
    light shows and one next step is overdue."""
    rng, clock, today = context.rng, context.clock, context.today
    closing = story.follow == CLOSED
    home = version.plan.municipality.code == HOME
    last = min(date(story.last_year, 11, 15), today - timedelta(days=7))
    followed = 0
    planned: list[CheckIn] = []
    for initiative in version.initiatives.order_by("order"):
        begun = max(initiative.start or date(story.first_year, 1, 1), decided) + timedelta(days=30)
        if closing:
            until = min(initiative.end or last, last)
        else:
            until = today - timedelta(days=rng.randint(10, 80))
            if home and followed == 1:
                until = today - timedelta(days=75)
        if until <= begun:
            continue  # not started yet, or over before the follow-up began
        count = max(1, min(5, (until - begun).days // 150))
        step = (until - begun) / count
        days = [until - step * n - timedelta(days=rng.randint(0, 20)) for n in range(count)]
        days = sorted({max(day, begun) for day in days[1:]} | {until})
        for day in days:
            latest = day == days[-1]
            light = rng.choices(list(Light), weights=[6, 3, 1])[0]
            due = day + timedelta(days=rng.randint(21, 60))
            if latest and not closing:
                # Most next steps lie ahead; now and then one has slipped past its date.
                slipped = rng.random() < 0.2
                due = today + timedelta(days=-rng.randint(5, 30) if slipped else rng.randint(7, 60))
            if home and latest and not closing and followed < len(FORCED):
                # Vindeln: every light, and one next step overdue, for the leadership overview.
                light = FORCED[followed]
                due = today + timedelta(days=-20 if followed == 1 else 14 + 7 * followed)
            planned.append(
                CheckIn(
                    initiative=initiative,
                    checked_on=day,
                    light=light,
                    narrative=rng.choice(NARRATIVES[light]),
                    next_step=rng.choice(NEXT_STEPS),
                    next_step_due=due,
                    created_by=writer,
                )
            )
        followed += 1
    if not planned and not closing:
        # Nothing has started yet (the demo is loaded early in the plan's first year): the group
        # still tells how the preparations go, so the plan is followed up.
        day = min(max(decided + timedelta(days=14), today - timedelta(days=30)), today)
        planned.append(
            CheckIn(
                initiative=version.initiatives.order_by("start", "order").first(),
                checked_on=day,
                light=Light.GREEN,
                narrative="Förberedelserna går enligt plan.",
                next_step=rng.choice(NEXT_STEPS),
                next_step_due=today + timedelta(days=30),
                created_by=writer,
            )
        )
    if planned:
        # The first check-in goes through the service, which starts the follow-up (the version
        # goes to "in progress" on that day); the rest are rows like it, made in one go.
        planned.sort(key=lambda entry: entry.checked_on)
        first = planned[0]
        clock.at(first.checked_on, writer)
        services.check_in(
            initiative=first.initiative,
            checked_on=first.checked_on,
            light=first.light,
            narrative=first.narrative,
            next_step=first.next_step,
            next_step_due=first.next_step_due,
            user=writer,
        )
        CheckIn.objects.bulk_create(planned[1:])
    if closing:
        closed = min(date(story.last_year, 12, 15), today - timedelta(days=1))
        clock.at(closed, writer)
        services.version_close(version=version)
        context.stamps.append((version, {"updated_at": _noon(closed)}))


def _backdate(stamps: list[tuple[Any, dict[str, Any]]]) -> None:
    """Give rows the story's dates instead of the moment of loading: the database sets the
    creation times on insert, so they are written afterwards, a few bulk updates per model."""
    by_model: dict[type[models.Model], dict[int, dict[str, Any]]] = {}
    for row, values in stamps:
        by_model.setdefault(type(row), {}).setdefault(row.pk, {}).update(values)
    for model, rows in by_model.items():
        by_fields: dict[tuple[str, ...], list[Any]] = {}
        for pk, values in rows.items():
            moments = [v for v in values.values() if isinstance(v, datetime)]
            values["updated_at"] = max(moments)
            by_fields.setdefault(tuple(sorted(values)), []).append(model(pk=pk, **values))
        for fields, objs in by_fields.items():
            model._default_manager.bulk_update(objs, list(fields))
