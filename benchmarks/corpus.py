"""Benchmark articles: generated from a pool of fictional sentences written for newsflow.

Deterministic for a seed, of varied length (about 150 to 1,500 words, 740 on average like the
articles the model was measured on), with what the enrichment works on: people with titles and
pronouns, organisations, places, direct, partial and indirect quotes, a dateline and boilerplate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PEOPLE = [
    ("Lena", "Okafor", "Harbour Minister", "she"),
    ("Bram", "Hollis", "Mayor", "he"),
    ("Ottilie", "Brask", "Finance Minister", "she"),
    ("Edvin", "Marlowe", "union leader", "he"),
    ("Priya", "Castellane", "Chief Executive", "she"),
    ("Jonah", "Tremayne", "Police Commissioner", "he"),
    ("Mireille", "Osei", "Health Minister", "she"),
    ("Dorian", "Pellegrew", "opposition leader", "he"),
    ("Halvard", "Quist", "Judge", "he"),
    ("Sunniva", "Lark", "Professor", "she"),
]
ORGS = [
    "Northwake Logistics",
    "the Coastal Reform Party",
    "the Tidemark Alliance",
    "Varrow Bank",
    "the National Assembly",
    "the Kestranian Fishing Board",
    "Selka General Hospital",
    "the Brennick Ferry Company",
]
PLACES = ["Port Calden", "Brennick", "Varrow", "Selka", "Oskaria", "Kestrania", "Marisol", "Dunmere"]
TOPICS = [
    ("harbour expansion", "the new container terminal"),
    ("fishing quota", "next season's cod quota"),
    ("ferry strike", "the ferry timetable"),
    ("hospital budget", "the emergency ward"),
    ("wind farm", "the offshore turbines"),
    ("flood defences", "the sea wall"),
    ("tram line", "the eastern tram extension"),
    ("school reform", "the new curriculum"),
]
QUOTES = [
    "We will not let {place} pay for the mistakes of others",
    "This plan has been discussed for years and it is time to decide",
    "Nobody in {place} should have to wait this long for {thing}",
    "The figures speak for themselves, and they are not good",
    "We have listened, we have changed the plan, and now we will build it",
    "It is a costly gamble with money we do not have",
    "I am confident that {thing} will be finished on time",
    "Every crown will be accounted for",
    "Our members are ready to talk, but not at any price",
    "This is the most important decision in a generation",
]
FILLER = [
    "Officials in {place} said the {topic} had been on the agenda since the spring.",
    "The council will publish its final report on {thing} next month.",
    "Residents packed the town hall on Tuesday evening to hear the proposals.",
    "{org} has said it will review the costs before the next meeting.",
    "Critics argue the timetable is too short and the budget too thin.",
    "The debate over {thing} has divided the region for more than a decade.",
    "A spokesperson for {org} declined to comment on the negotiations.",
    "Figures released last week showed the cost had risen by a fifth since the first estimate.",
    "Local businesses in {place} have warned of delays if the work overruns.",
    "The assembly is expected to vote on the measure before the summer recess.",
    "Engineers visited the site twice in the past month, according to the minutes.",
    "Traffic through {place} has grown steadily since the bridge reopened in March.",
]
BOILERPLATE = ["Sign up for our morning newsletter.", "Advertisement", "Read more: {topic} explained"]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    source: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "body": self.body, "source": self.source, "language": "en"}

    @property
    def words(self) -> int:
        return len(self.title.split()) + len(self.body.split())


def _paragraph(rng: random.Random, ctx: dict[str, str], person: tuple[str, str, str, str]) -> str:
    first, last, role, pronoun = person
    quote = rng.choice(QUOTES).format(**ctx)
    kind = rng.randrange(6)
    if kind == 0:
        para = f'"{quote}," {role} {first} {last} said in {ctx["place"]} on Monday.'
    elif kind == 1:
        para = f'{first} {last}, the {role.lower()}, said: "{quote}."'
    elif kind == 2:
        para = f'"{quote}," {pronoun} said. "We will see what the assembly decides."'
    elif kind == 3:
        para = f"{last} said the {ctx['topic']} would go ahead despite the objections of {ctx['org']}."
    elif kind == 4:
        verdict = rng.choice(["a costly gamble", "long overdue", "a fair start"])
        para = f'{ctx["org"][0].upper()}{ctx["org"][1:]} called the plan "{verdict}".'
    else:
        para = f'According to {last}, "{quote.lower()}."'
    fill = " ".join(_detail(rng, s.format(**ctx)) for s in rng.sample(FILLER, rng.randint(2, 6)))
    return f"{para} {fill}"


DETAILS = [
    "{n} people signed a petition about it in {month}.",
    "The estimate now stands at {n} million crowns.",
    "A survey of {n} households found opinion split almost evenly.",
    "The work would take {m} years, the {month} report said.",
    "Some {n} jobs depend on the outcome, the chamber of commerce says.",
    "Talks resumed on {day} after a pause of {m} weeks.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _detail(rng: random.Random, sentence: str) -> str:
    """A pool sentence, usually with a detail of its own, so that articles differ as real ones do."""
    if rng.random() < 0.3:
        return sentence
    detail = rng.choice(DETAILS).format(
        n=rng.randint(12, 9_000), m=rng.randint(2, 14), month=rng.choice(MONTHS), day=rng.choice(DAYS)
    )
    return f"{sentence} {detail}"


def article(n: int, seed: int = 7, words: int | None = None) -> Article:
    """Article ``n`` of the pool: about ``words`` words (default: varied, 740 on average)."""
    rng = random.Random(f"{seed}-{n}")
    target = words or int(min(1500, max(150, rng.gauss(740, 330))))
    topic, thing = rng.choice(TOPICS)
    ctx = {"place": rng.choice(PLACES), "org": rng.choice(ORGS), "topic": topic, "thing": thing}
    cast = rng.sample(PEOPLE, 3)
    paragraphs = [
        f"{ctx['place'].upper()} — The row over {thing} deepened this week"
        f" as {ctx['org']} and the government traded blame."
    ]
    total = len(paragraphs[0].split())
    while total < target:
        para = _paragraph(rng, ctx, rng.choice(cast))
        if rng.random() < 0.05:
            para = rng.choice(BOILERPLATE).format(**ctx)
        paragraphs.append(para)
        total += len(para.split())
    title = f"{ctx['place']} divided over {thing} (bench {seed}-{n})"
    return Article(f"bench-{seed}-{n}", title, "\n\n".join(paragraphs), f"The {ctx['place']} Courier (fictional)")


def pool(count: int, seed: int = 7) -> list[Article]:
    return [article(n, seed) for n in range(count)]
