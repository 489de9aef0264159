"""The scanning part of the demo: waves, shipped feeds read from disk, signals and radars.

The feed files in `static/scanning/demo-feeds/` are made up. The demo reads them from disk (no
network), and their addresses point at the demo server itself (`make run` serves them as static
files), so "scan now" works in the demo too when 127.0.0.1 is an allowed scanning host.
"""

from __future__ import annotations

import random
from pathlib import Path

from forandra.municipalities.models import Municipality, Region

from . import selectors, services
from .fetch import FetchResult
from .models import Feed, Ring

FEEDS_DIR = Path(__file__).resolve().parent / "static" / "scanning" / "demo-feeds"
DEMO_SERVER = "http://127.0.0.1:8000/static/scanning/demo-feeds/"
REGION_FEEDS = ["regionpodden"]  # the coordinator's programme material: every group follows it
MUNICIPALITY_FEEDS = ["kommunnytt", "tekniktrender"]

# How likely each ring is per wave (adopt, try, explore, watch): accessibility is the wave most
# municipalities have come furthest with, as in the programme the product comes from.
LEANING = {
    "accessibility": (8, 6, 1, 0),
    "automation": (1, 3, 3, 1),
    "ai": (0, 1, 4, 4),
    "data_driven": (0, 2, 4, 2),
    "welfare_technology": (2, 4, 2, 1),
    "co_creation": (1, 2, 3, 2),
    "shared_infrastructure": (1, 3, 3, 1),
    "information_security": (2, 3, 2, 1),
    "digital_competence": (1, 3, 3, 1),
    "green_digitalisation": (0, 1, 3, 4),
}
RATIONALE = {
    Ring.ADOPT: "Vi arbetar redan så i hela kommunen.",
    Ring.TRY: "Vi prövar i en verksamhet och följer upp.",
    Ring.EXPLORE: "Vi tar reda på vad det kan ge våra invånare.",
    Ring.WATCH: "Vi följer utvecklingen.",
}


def _ingest(feed_name: str, feed: Feed) -> None:
    content = (FEEDS_DIR / f"{feed_name}.xml").read_bytes()
    url = f"{DEMO_SERVER}{feed_name}.xml"
    fetched = FetchResult(
        url=url,
        final_url=url,
        status=200,
        content=content,
        content_type="application/rss+xml; charset=utf-8",
        etag=None,
        last_modified=None,
    )
    services.feed_ingest(feed=feed, fetched=fetched)


def demo_load(*, region: Region, municipalities: list[Municipality], home: Municipality) -> None:
    """Waves for the region, its curated podcast, two feeds in the home municipality, some
    confirmed signals, and a radar (placed twice, so it shows movement) per municipality."""
    rng = random.Random(2019)  # noqa: S311 (demo data, not security)
    services.catalogue_seed(region=region)
    for name in REGION_FEEDS:
        feed = services.feed_add(
            region=region, municipality=None, url=f"{DEMO_SERVER}{name}.xml", is_demo=True
        )
        _ingest(name, feed)
    for name in MUNICIPALITY_FEEDS:
        feed = services.feed_add(
            region=region, municipality=home, url=f"{DEMO_SERVER}{name}.xml", is_demo=True
        )
        _ingest(name, feed)
    waves = {wave.key: wave for wave in selectors.waves_for(region=region)}
    # The group has gone through half of its signals and confirmed the suggested wave.
    for index, signal in enumerate(selectors.signals_for(municipality=home).order_by("pk")):
        if index % 2 == 0 and signal.suggestions:
            services.signal_confirm(signal=signal, waves=[waves[signal.suggestions[0][0]]], by=None)
    rings = [Ring.ADOPT, Ring.TRY, Ring.EXPLORE, Ring.WATCH]
    for municipality in municipalities:
        for key, weights in LEANING.items():
            if key not in waves or (key != "accessibility" and rng.random() < 0.15):
                continue  # not every municipality has placed every wave; all placed this one
            first = rng.choices(rings, weights=[w + 0.5 for w in weights])[0]
            services.placement_set(
                municipality=municipality,
                wave=waves[key],
                ring=first,
                rationale=RATIONALE[first],
                is_demo=True,
            )
            # A year on, some waves have moved one ring in (or, now and then, out).
            step = rng.choice([0, 0, -1, -1, 1])
            later = rings[max(0, min(len(rings) - 1, rings.index(first) + step))]
            services.placement_set(
                municipality=municipality,
                wave=waves[key],
                ring=later,
                rationale=RATIONALE[later],
                is_demo=True,
            )
