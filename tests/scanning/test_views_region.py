"""The region's scanning pages: the matrix of municipalities × waves, the most common waves, signals
per wave and month, every placement on one radar, and the waves catalogue. Only the coordinator
and admins see them: a municipality's placements are its own."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forandra.municipalities.models import Municipality, Region
from forandra.scanning import selectors, services
from forandra.scanning.models import Signal, Wave
from tests.conftest import Users

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REGION_PAGES = ["region_scanning", "region_radar", "wave_list", "wave_add"]


@pytest.fixture
def waves(region: Region) -> dict[str, Wave]:
    services.catalogue_seed(region=region)
    return {wave.key: wave for wave in selectors.waves_for(region=region)}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def coordinator(users: Users) -> Client:
    return signed_in(users.coordinator)


def municipalities(region: Region) -> list[Municipality]:
    return list(Municipality.objects.filter(region=region).order_by("code"))


def place(municipality: Municipality, wave: Wave, ring: str, rationale: str = "") -> None:
    services.placement_set(municipality=municipality, wave=wave, ring=ring, rationale=rationale)


def url(name: str, *args: str) -> str:
    return reverse(f"scanning:{name}", args=["24", *args])


def test_the_coordinator_sees_every_municipality_s_ring_for_every_wave(
    coordinator: Client, region: Region, waves: dict[str, Wave], home: Municipality
) -> None:
    place(home, waves["ai"], "try")
    place(home, waves["accessibility"], "adopt")

    page = coordinator.get(url("region_scanning")).content.decode()

    assert f"<title>Environmental scanning – {region.name} – Förändra</title>" in page
    assert '<th scope="col">Artificial intelligence</th>' in page
    vindeln = page[page.index(f'href="{reverse("scanning:radar", args=["2404"])}"') :]
    row = vindeln[: vindeln.index("</tr>")]
    assert row.count("<td>") == len(waves)
    assert "<td>Adopt</td>" in row and "<td>Try</td>" in row
    assert row.count("Not placed") == len(waves) - 2
    assert "1 of 15 municipalities have placed waves" in page


def test_the_most_common_waves_are_those_most_municipalities_adopt_or_try(
    coordinator: Client, region: Region, waves: dict[str, Wave]
) -> None:
    first, second, third = municipalities(region)[:3]
    for municipality in (first, second):
        place(municipality, waves["accessibility"], "adopt")
    place(third, waves["accessibility"], "watch")
    for municipality in (first, second, third):
        place(municipality, waves["ai"], "watch")  # placed by more, adopted or tried by none
    place(first, waves["automation"], "try")

    matrix = selectors.region_matrix(region=region)
    page = coordinator.get(url("region_scanning")).content.decode()

    assert [(t.wave.key, t.taken, t.placed) for t in matrix.takes[:3]] == [
        ("accessibility", 2, 3),
        ("automation", 1, 1),
        ("ai", 0, 3),
    ]
    callout = page[page.index('class="callout"') :]
    assert waves["accessibility"].name_en in callout[: callout.index("</div>")]
    assert "2 of 15" in callout
    assert "municipalities adopt or try" in callout


def test_signals_are_counted_per_wave_in_the_month_they_were_published(
    coordinator: Client, region: Region, waves: dict[str, Wave], home: Municipality
) -> None:
    today = timezone.localdate()
    signals = [
        services.signal_add(municipality=home, title=f"Signal {index}") for index in range(4)
    ]
    for signal, wave_keys in zip(
        signals, [["ai"], ["ai", "automation"], ["ai"], ["ai"]], strict=True
    ):
        services.signal_confirm(signal=signal, waves=[waves[k] for k in wave_keys], by=None)
    this_month = datetime(today.year, today.month, 1, 12, tzinfo=STOCKHOLM)
    Signal.objects.filter(pk=signals[2].pk).update(
        published_at=this_month.replace(year=today.year - 2)  # too old to count
    )
    services.signal_add(municipality=home, title="Inte bekräftad")  # no confirmed wave

    months = selectors.signal_months(region=region, today=today)
    page = coordinator.get(url("region_scanning")).content.decode()

    assert len(months.months) == 12
    assert months.months[-1] == today.replace(day=1)
    by_key = {row.wave.key: row for row in months.rows}
    assert by_key["ai"].counts[-1] == 3
    assert by_key["automation"].total == 1
    assert months.total == 4
    assert "Signals per wave, the last 12 months" in page


def test_the_region_radar_shows_every_placement_named_by_its_municipality(
    coordinator: Client, region: Region, waves: dict[str, Wave]
) -> None:
    towns = municipalities(region)
    for municipality in towns:
        for wave in waves.values():
            place(municipality, wave, "adopt" if wave.key == "accessibility" else "watch")

    page = coordinator.get(url("region_radar")).content.decode()

    count = len(towns) * len(waves)
    assert f"{count} blips, placed by wave and ring." in page
    assert (
        len(re.findall(r'<a href="/municipalities/\d+/scanning/radar/" class="radar__blip ', page))
        == count
    )
    for municipality in towns:
        assert f'<a href="{reverse("scanning:radar", args=[municipality.code])}">' in page
        assert f">{municipality.name}</a></th>" in page


@pytest.mark.parametrize("role", ["member", "leadership", "other_member", "other_coordinator"])
def test_only_the_coordinator_and_admins_see_the_region_pages(
    users: Users, role: str, waves: dict[str, Wave], home: Municipality
) -> None:
    place(home, waves["ai"], "try", "Vindelns egen bedömning")
    client = signed_in(users.by_name(role))

    answers = [client.get(url(name)) for name in REGION_PAGES]
    answers.append(client.get(url("wave_edit", "ai")))
    answers.append(client.post(url("wave_edit", "ai"), {"name_sv": "X", "name_en": "X"}))
    answers.append(client.post(url("wave_add"), {"key": "x", "name_sv": "X", "name_en": "X"}))

    assert [answer.status_code for answer in answers] == [403] * len(answers)
    assert all("Vindelns egen bedömning" not in answer.content.decode() for answer in answers)
    assert Wave.objects.get(region=home.region, key="ai").name_sv != "X"
    assert not Wave.objects.filter(key="x").exists()


def test_admins_see_the_region_pages(users: Users, waves: dict[str, Wave]) -> None:
    client = signed_in(users.admin)

    assert [client.get(url(name)).status_code for name in REGION_PAGES] == [200] * 4


def test_the_matrix_runs_the_same_queries_for_3_and_12_municipalities(
    coordinator: Client, region: Region, waves: dict[str, Wave]
) -> None:
    towns = municipalities(region)
    keys = list(waves)

    def fill(selection: list[Municipality]) -> None:
        for index, municipality in enumerate(selection):
            for offset in range(4):
                wave = waves[keys[(index + offset) % len(keys)]]
                place(municipality, wave, ["adopt", "try", "explore", "watch"][offset])

    fill(towns[:3])
    with CaptureQueriesContext(connection) as few:
        assert coordinator.get(url("region_scanning")).status_code == 200
    fill(towns[3:12])
    with CaptureQueriesContext(connection) as many:
        response = coordinator.get(url("region_scanning"))

    assert response.content.decode().count("<td>Adopt</td>") == 12
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The waves catalogue ----------------------------------------------------------------------


def test_the_coordinator_adds_a_wave_at_the_end_of_the_catalogue(
    coordinator: Client, region: Region, waves: dict[str, Wave]
) -> None:
    response = coordinator.post(
        url("wave_add"),
        {
            "key": "open_source",
            "name_sv": " Öppen  källkod ",
            "name_en": "Open source",
            "description_sv": "Kod som delas.",
            "keywords_sv": "öppen källkod\n\nÖppen källkod\nkodbas",
            "keywords_en": "open source",
        },
    )

    assert response.status_code == 302
    wave = Wave.objects.get(region=region, key="open_source")
    assert wave.name_sv == "Öppen källkod"
    assert wave.keywords == {"sv": ["öppen källkod", "kodbas"], "en": ["open source"]}
    assert list(selectors.waves_for(region=region))[-1] == wave
    assert "Öppen källkod" in coordinator.get(url("wave_list")).content.decode()


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("ai", "The region already has a wave with this key."),
        ("Öppen Källkod", "Use at most 60 lower-case letters"),
        ("open--source", "Use at most 60 lower-case letters"),
        ("", "Give the wave a key"),
    ],
)
def test_a_wave_needs_a_key_of_its_own_in_the_region(
    coordinator: Client, region: Region, waves: dict[str, Wave], key: str, message: str
) -> None:
    response = coordinator.post(
        url("wave_add"), {"key": key, "name_sv": "Något", "name_en": "Something"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert message in page
    assert Wave.objects.filter(region=region).count() == len(waves)


def test_the_same_key_may_be_used_in_another_region(
    region: Region, elsewhere: Municipality, waves: dict[str, Wave]
) -> None:
    wave = services.wave_create(region=elsewhere.region, key="ai", name_sv="AI", name_en="AI")

    assert wave.region == elsewhere.region


def test_editing_a_wave_changes_its_texts_and_keywords_but_not_its_key(
    coordinator: Client, region: Region, waves: dict[str, Wave]
) -> None:
    page = coordinator.get(url("wave_edit", "ai")).content.decode()
    assert waves["ai"].keywords["sv"][0] in page

    response = coordinator.post(
        url("wave_edit", "ai"),
        {
            "name_sv": "AI och språkmodeller",
            "name_en": "AI and language models",
            "description_sv": "",
            "description_en": "Models that write.",
            "keywords_sv": "språkmodell\nchattbot",
            "keywords_en": "language model",
            "key": "something-else",  # not a field of the edit form: ignored
        },
    )

    assert response.status_code == 302
    wave = Wave.objects.get(pk=waves["ai"].pk)
    assert (wave.key, wave.name_sv, wave.name_en) == (
        "ai",
        "AI och språkmodeller",
        "AI and language models",
    )
    assert wave.keywords == {"sv": ["språkmodell", "chattbot"], "en": ["language model"]}
    assert wave.description_en == "Models that write."


def test_a_wave_needs_its_names_in_both_languages(
    coordinator: Client, waves: dict[str, Wave]
) -> None:
    response = coordinator.post(url("wave_edit", "ai"), {"name_sv": "  ", "name_en": "AI"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write the wave&#x27;s name in Swedish." in page
    assert 'href="#id_name_sv"' in page
    assert Wave.objects.get(pk=waves["ai"].pk).name_sv == waves["ai"].name_sv


def test_an_unknown_wave_of_the_region_is_not_found(
    coordinator: Client, waves: dict[str, Wave]
) -> None:
    assert coordinator.get(url("wave_edit", "no-such-wave")).status_code == 404
