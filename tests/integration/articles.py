"""Short fictional articles in bulk, for fault and load tests."""

from __future__ import annotations

import random

PEOPLE = ["Lena Okafor", "Bram Hollis", "Ottilie Brask", "Edvin Marlowe", "Priya Castellane", "Jonah Tremayne"]
PLACES = ["Port Calden", "Brennick", "Selka", "Varrow", "Oskaria", "Kestrania"]
TOPICS = ["ferry timetable", "harbour dues", "school budget", "bridge repairs", "fishing quota", "tram line"]


def bulk_article(tag: str, n: int) -> dict[str, object]:
    rng = random.Random(f"{tag}-{n}")
    person, place, topic = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(TOPICS)
    filler = " ".join(rng.choice(["council", "review", "plan", "vote", "report", "delay"]) for _ in range(20))
    return {
        "id": f"{tag}-{n}",
        "title": f"{place} debates the {topic} ({tag} #{n})",
        "body": (
            f'"We will decide on the {topic} by spring," {person} said in {place} on Monday.\n\n'
            f"Officials in {place} said the {topic} had been discussed for months. Marker {tag} {n}. {filler}."
        ),
    }
