"""Clubs named after places: in a sports story, "Dunmara City" or "Tarrow Rovers" is a club.

A story is a sports story when at least ``MIN_SPORT_WORDS`` distinct words of ``data/sport_words.txt``
occur in it (match, goal, league, season, coach, ...). There, a name of two or more words whose last word
ends clubs' names (``data/club_words.txt``: City, Rovers, Albion, ...) is an organisation, whatever the
model said; elsewhere "Dunmara City" stays a place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from enrich_service.domain.resources import read_words

#: Distinct sports words that make a story a sports story.
MIN_SPORT_WORDS = 4
_WORD = re.compile(r"[a-z][a-z-]+")


@lru_cache(maxsize=16)
def is_sports_story(text: str) -> bool:
    """Whether ``text`` reads as sports reporting (see the module docstring)."""
    found = set(_WORD.findall(text.lower())) & read_words("sport_words.txt")
    return len(found) >= MIN_SPORT_WORDS


def is_club_name(name: str, text: str) -> bool:
    """Whether ``name`` (two or more words) ends with a club word and ``text`` is a sports story."""
    words = name.split()
    return len(words) >= 2 and words[-1].lower() in read_words("club_words.txt") and is_sports_story(text)
