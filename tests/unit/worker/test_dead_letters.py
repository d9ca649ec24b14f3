"""Dead letters are identified by their source record: one letter per poisoned record, attempts counted."""

from __future__ import annotations

from typing import Any

from adapters.settings import KafkaSettings
from enrich_service.dead_letters import (
    ATTEMPT_HEADER,
    KEY_HEADER,
    ORIGIN_HEADER,
    DeadLetter,
    Incoming,
    LetterRecord,
    fold_letters,
)
from enrich_service.dlq import DeadLetterBook, DeadLetterWriter


def incoming(offset: int, key: bytes | None = b"story-1", headers: Any = ()) -> Incoming:
    return Incoming(b"{broken", key, "articles.raw", 2, offset, headers)


def as_record(offset: int, record: tuple[bytes, bytes, list[tuple[str, bytes]]]) -> LetterRecord:
    key, value, headers = record
    return LetterRecord(0, offset, key, value, headers)


def test_a_letter_is_keyed_by_its_source_record_and_keeps_the_original_key() -> None:
    key, value, headers = DeadLetter(incoming(41), "decode", "not JSON").record(attempt=1)
    assert key == b"articles.raw/2/41"
    assert value == b"{broken"
    assert (KEY_HEADER, b"story-1") in headers
    assert (ATTEMPT_HEADER, b"1") in headers


def test_a_record_sent_back_from_the_dead_letter_topic_keeps_the_id_of_the_record_it_copies() -> None:
    copy = incoming(900, headers=[(ORIGIN_HEADER, b"articles.raw/2/41")])
    letter = DeadLetter(copy, "decode", "still not JSON")
    assert letter.letter_id() == "articles.raw/2/41"
    headers = dict(letter.headers())
    assert headers["newsflow.source.offset"] == b"41"
    assert headers["newsflow.attempt.read_from"] == b"articles.raw[2]@900"


def test_folding_shows_each_poisoned_record_once_with_its_attempts_and_latest_reason() -> None:
    first = DeadLetter(incoming(41), "decode", "not JSON")
    other = DeadLetter(incoming(42, key=None), "validate", "title missing")
    again = DeadLetter(incoming(41), "validate", "title missing now")
    records = [
        as_record(0, first.record(1)),
        as_record(1, other.record(1)),
        as_record(2, again.record(2, by="replay into news-v2")),
        as_record(3, again.record(3)),
    ]
    letters = fold_letters(records)
    assert list(letters) == ["articles.raw/2/41", "articles.raw/2/42"]
    story = letters["articles.raw/2/41"]
    assert (story.attempts, story.stage, story.key, story.offset) == (3, "validate", b"story-1", 3)
    assert story.stages == ["decode", "validate", "validate"]
    assert letters["articles.raw/2/42"].key is None and letters["articles.raw/2/42"].attempts == 1


def test_two_writers_racing_on_one_record_count_both_attempts() -> None:
    letter = DeadLetter(incoming(7), "decode", "not JSON")
    letters = fold_letters([as_record(0, letter.record(1)), as_record(1, letter.record(1))])
    assert letters["articles.raw/2/7"].attempts == 2


def test_letters_written_before_ids_are_identified_by_their_source_headers() -> None:
    old_headers = [
        ("newsflow.stage", b"decode"),
        ("newsflow.source.topic", b"articles.raw"),
        ("newsflow.source.partition", b"0"),
        ("newsflow.source.offset", b"5"),
    ]
    letters = fold_letters([LetterRecord(0, 0, b"story-9", b"x", old_headers)] * 2)
    (letter,) = letters.values()
    assert (letter.letter_id, letter.key, letter.attempts) == ("articles.raw/0/5", b"story-9", 2)


class FakeBook:
    def __init__(self, known: dict[str, int]) -> None:
        self.known = dict(known)

    async def attempts(self) -> dict[str, int]:
        return self.known

    def wrote(self, attempts: list[tuple[str, int]]) -> None:
        self.known.update(attempts)


async def test_a_record_failing_again_is_written_as_the_same_letter_with_attempts_raised() -> None:
    produced: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []

    async def produce(records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
        produced.extend(records)

    book = FakeBook({"articles.raw/2/41": 2})
    writer = DeadLetterWriter(book, produce, "articles.dlq")  # type: ignore[arg-type]
    await writer.write([DeadLetter(incoming(41), "decode", "x"), DeadLetter(incoming(43), "decode", "y")])
    await writer.write([DeadLetter(incoming(43), "decode", "y")])
    keys_attempts = [(k, dict(h)[ATTEMPT_HEADER]) for k, _, h in produced]
    assert keys_attempts == [(b"articles.raw/2/41", b"3"), (b"articles.raw/2/43", b"1"), (b"articles.raw/2/43", b"2")]
    assert writer.repeated == 2
    assert len(fold_letters(as_record(n, r) for n, r in enumerate(produced))) == 2


def test_the_book_counts_its_own_letters_once_and_everyone_elses_as_they_come() -> None:
    book = DeadLetterBook(KafkaSettings(), "articles.dlq")
    mine = DeadLetter(incoming(41), "decode", "x")
    book.wrote([("articles.raw/2/41", 1), ("articles.raw/2/41", 2)])  # a record and its copy in one batch
    theirs = DeadLetter(incoming(41), "decode", "x").record(3, by="replay into news-v2")
    book.absorb([as_record(0, mine.record(1)), as_record(1, mine.record(2)), as_record(2, theirs)])
    book.absorb([as_record(3, DeadLetter(incoming(50), "nlp", "too long").record(1))])
    assert book.known == {"articles.raw/2/41": 3, "articles.raw/2/50": 1}
