"""Dead letters: what could not be processed, kept with its original bytes and why. Pure.

A dead letter is identified by the record it came from: ``<topic>/<partition>/<offset>`` of the
original record in the raw topic (its *letter id*). That id is the letter's Kafka key in the
compacted dead-letter topic, so a later failure of the same record (a redelivery after a crash, a
``newsflow replay``, a ``newsflow dlq replay`` that failed again) writes the same letter with its
attempt count raised, and compaction keeps only the latest. Readers fold the topic by letter id
(``fold_letters``), so each poisoned record is listed, counted and replayed once.

``newsflow dlq replay`` sends a record back to the raw topic with the ``newsflow.origin`` header
naming its letter id; the copy's new offset therefore never becomes a second letter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Header on a record sent back by ``newsflow dlq replay``: the letter id of the record it copies.
ORIGIN_HEADER = "newsflow.origin"
#: Header holding the original record's key (the letter's own key is its letter id).
KEY_HEADER = "newsflow.source.key"
ATTEMPT_HEADER = "newsflow.attempt"

Headers = Sequence[tuple[str, bytes]]


def header(headers: Headers | Mapping[str, bytes] | None, name: str) -> bytes | None:
    """The last value of header ``name``, from aiokafka's list of pairs or Faust's mapping."""
    if not headers:
        return None
    if isinstance(headers, Mapping):
        return headers.get(name)
    found = None
    for key, value in headers:
        if key == name:
            found = value
    return found


@dataclass(frozen=True)
class Incoming:
    """One record as consumed from the raw topic, before anything was decoded."""

    value: bytes
    key: bytes | None
    topic: str
    partition: int
    offset: int
    headers: Headers = ()

    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"

    def letter_id(self) -> str:
        """The id of this record's dead letter: its own coordinates, or those of the record it copies."""
        origin = header(self.headers, ORIGIN_HEADER)
        if origin:
            return origin.decode("utf-8", "replace")
        return f"{self.topic}/{self.partition}/{self.offset}"


@dataclass(frozen=True)
class DeadLetter:
    incoming: Incoming
    stage: str  # decode | validate | enrich | index | process
    error: str
    article_id: str | None = None

    def letter_id(self) -> str:
        return self.incoming.letter_id()

    def headers(self, attempt: int = 1, by: str = "worker") -> list[tuple[str, bytes]]:
        """Kafka headers carrying the reason; the record value stays the original bytes."""
        topic, partition, offset = _split_id(self.letter_id(), self.incoming)
        pairs = {
            "newsflow.stage": self.stage,
            "newsflow.error": self.error[:2000],
            "newsflow.source.topic": topic,
            "newsflow.source.partition": partition,
            "newsflow.source.offset": offset,
            "newsflow.article_id": self.article_id or "",
            "newsflow.failed_at": datetime.now(UTC).isoformat(),
            ATTEMPT_HEADER: str(attempt),
            "newsflow.attempt.read_from": self.incoming.where(),
            "newsflow.failed_by": by,
        }
        encoded = [(k, v.encode("utf-8")) for k, v in pairs.items()]
        if self.incoming.key is not None:
            encoded.append((KEY_HEADER, self.incoming.key))
        return encoded

    def record(self, attempt: int, by: str = "worker") -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """(key, value, headers) of this letter in the dead-letter topic, as its ``attempt``-th failure."""
        return self.letter_id().encode("utf-8"), self.incoming.value, self.headers(attempt, by)

    def describe(self) -> str:
        return json.dumps(
            {"stage": self.stage, "error": self.error, "source": self.incoming.where(), "article_id": self.article_id}
        )


def _split_id(letter_id: str, incoming: Incoming) -> tuple[str, str, str]:
    topic, _, rest = letter_id.rpartition("/")
    topic, _, partition = topic.rpartition("/")
    if topic and partition.isdigit() and rest.isdigit():
        return topic, partition, rest
    return incoming.topic, str(incoming.partition), str(incoming.offset)


@dataclass
class Letter:
    """One poisoned source record as the dead-letter topic tells it: its latest failure and how many."""

    letter_id: str
    key: bytes | None  # the original record's key
    value: bytes
    headers: dict[str, str]
    attempts: int
    partition: int  # where the latest version lies in the dead-letter topic
    offset: int
    versions: int = 1  # records of this letter read (before compaction removed the older ones)
    stages: list[str] = field(default_factory=list)

    @property
    def stage(self) -> str:
        return self.headers.get("newsflow.stage", "?")

    @property
    def error(self) -> str:
        return self.headers.get("newsflow.error", "")

    @property
    def failed_at(self) -> str:
        return self.headers.get("newsflow.failed_at", "")

    @property
    def source(self) -> str:
        h = self.headers
        return f"{h.get('newsflow.source.topic', '?')}[{h.get('newsflow.source.partition', '?')}]@" + h.get(
            "newsflow.source.offset", "?"
        )


@dataclass(frozen=True)
class LetterRecord:
    """A record of the dead-letter topic as read, before folding."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers


def identify(record: LetterRecord) -> tuple[str, int, dict[str, str], bytes | None]:
    """(letter id, attempt, text headers, original key) of one record of the dead-letter topic."""
    text = {k: v.decode("utf-8", "replace") for k, v in record.headers if k != KEY_HEADER}
    attempt = int(text[ATTEMPT_HEADER]) if text.get(ATTEMPT_HEADER, "").isdigit() else 1
    if ATTEMPT_HEADER in text:  # keyed by letter id
        return (record.key or b"").decode("utf-8", "replace"), attempt, text, header(record.headers, KEY_HEADER)
    # Written before letters had ids (keyed by the article key): the source headers identify it.
    letter_id = f"{text.get('newsflow.source.topic', '?')}/{text.get('newsflow.source.partition', '?')}/" + text.get(
        "newsflow.source.offset", f"?{record.partition}:{record.offset}"
    )
    return letter_id, attempt, text, record.key


def next_attempt(previous: int | None, attempt: int) -> int:
    """Every version is one more failure, also when two writers raced and both wrote the same count."""
    return max(attempt, previous + 1) if previous is not None else attempt


def fold_letters(records: Iterable[LetterRecord]) -> dict[str, Letter]:
    """The latest version of each letter, in the order letters first appear; attempts never go down."""
    letters: dict[str, Letter] = {}
    for record in records:
        letter_id, attempt, text, original_key = identify(record)
        previous = letters.get(letter_id)
        letters[letter_id] = Letter(
            letter_id=letter_id,
            key=original_key,
            value=record.value,
            headers=text,
            attempts=next_attempt(previous.attempts if previous else None, attempt),
            partition=record.partition,
            offset=record.offset,
            versions=previous.versions + 1 if previous else 1,
            stages=[*(previous.stages if previous else []), text.get("newsflow.stage", "?")],
        )
    return letters
