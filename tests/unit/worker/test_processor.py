"""BatchProcessor: every record ends indexed or dead-lettered, never dropped — with fakes for I/O."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.indexer import Rejected
from enrich_service.processor import BatchProcessor
from schemas.articles import Dedup, EnrichedArticle, Enrichment, RawArticle

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def record(offset: int, value: object) -> Incoming:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return Incoming(value=data, key=None, topic="articles.raw", partition=0, offset=offset)


def raw(article_id: str, body: str = "Body.") -> dict[str, object]:
    return {"id": article_id, "title": "T", "body": body, "received_at": NOW.isoformat()}


@dataclass
class Failure:
    article_id: str
    stage: str
    error: str


def fake_enrich(articles: Sequence[RawArticle], now: datetime) -> list[EnrichedArticle | Failure]:
    out: list[EnrichedArticle | Failure] = []
    for a in articles:
        if "boom" in a.body:
            out.append(Failure(a.id, "enrich", "the model choked"))
            continue
        out.append(
            EnrichedArticle(
                **a.model_dump(),
                clean_body=a.body,
                dedup=Dedup(content_hash=a.body, cluster_id=a.id),
                enrichment=Enrichment(version="t", model="fake", processed_at=now),
            )
        )
    return out


class Sinks:
    def __init__(self, reject: set[str] | None = None) -> None:
        self.indexed: list[EnrichedArticle] = []
        self.enriched: list[EnrichedArticle] = []
        self.dead: list[DeadLetter] = []
        self.reject = reject or set()

    async def resolve(self, articles: list[EnrichedArticle]) -> list[EnrichedArticle]:
        return articles

    async def index(self, articles: list[EnrichedArticle]) -> list[Rejected]:
        self.indexed.extend(a for a in articles if a.id not in self.reject)
        return [Rejected(a.id, "400: mapper_parsing_exception") for a in articles if a.id in self.reject]

    async def send_enriched(self, articles: list[EnrichedArticle]) -> None:
        self.enriched.extend(articles)

    async def send_dead(self, letters: list[DeadLetter]) -> None:
        self.dead.extend(letters)

    def processor(self) -> BatchProcessor:
        return BatchProcessor(
            enrich=fake_enrich,
            resolve=self.resolve,
            index=self.index,
            send_enriched=self.send_enriched,
            send_dead=self.send_dead,
        )


async def test_every_record_is_indexed_or_dead_lettered_with_its_reason() -> None:
    sinks = Sinks(reject={"bad-doc"})
    batch = [
        record(0, raw("a")),
        record(1, b"\xff not json"),
        record(2, {"id": "no-title", "body": "x"}),
        record(3, raw("c", body="boom")),
        record(4, raw("bad-doc")),
        record(5, raw("d")),
    ]
    report = await sinks.processor().process(batch)
    assert [a.id for a in sinks.indexed] == ["a", "d"]
    assert [a.id for a in sinks.enriched] == ["a", "d"]
    stages = {d.incoming.offset: d.stage for d in sinks.dead}
    assert stages == {1: "decode", 2: "validate", 3: "enrich", 4: "index"}
    assert report.received == 6 and report.indexed == 2 and report.dead == 4
    poisoned = next(d for d in sinks.dead if d.stage == "decode")
    assert poisoned.incoming.value == b"\xff not json"  # the original bytes, for replay
    headers = dict(poisoned.headers())
    assert headers["newsflow.source.offset"] == b"1" and headers["newsflow.stage"] == b"decode"
    assert next(d for d in sinks.dead if d.stage == "validate").article_id == "no-title"


async def test_the_same_article_twice_in_a_batch_is_processed_once_latest_wins() -> None:
    sinks = Sinks()
    await sinks.processor().process([record(0, raw("a", "First.")), record(1, raw("a", "Second."))])
    assert [a.clean_body for a in sinks.indexed] == ["Second."]


#: How long a gated fake waits for the test before it gives up; reached only when the behaviour is broken.
GATE_S = 10.0


async def wait_in_thread(gate: threading.Event, what: str) -> None:
    """Await a ``threading.Event`` set from an enrichment thread; fail saying ``what`` never happened."""
    if not await asyncio.to_thread(gate.wait, GATE_S):
        raise AssertionError(f"waited {GATE_S:g}s for {what}")


async def test_chunks_overlap_the_next_chunk_s_nlp_with_this_chunk_s_io_in_received_order() -> None:
    events: list[str] = []
    lock = threading.Lock()
    second_nlp_started = threading.Event()
    second_nlp_may_end = threading.Event()

    def gated_enrich(articles: Sequence[RawArticle], now: datetime) -> list[EnrichedArticle | Failure]:
        ids = ",".join(a.id for a in articles)
        with lock:
            events.append("nlp start " + ids)
        if ids == "c":  # the second chunk: held until the first chunk is indexed
            second_nlp_started.set()
            if not second_nlp_may_end.wait(GATE_S):
                raise AssertionError(f"chunk c's NLP was not released within {GATE_S:g}s; events: {events}")
        with lock:
            events.append("nlp end " + ids)
        return fake_enrich(articles, now)

    sinks = Sinks()

    async def index(articles: list[EnrichedArticle]) -> list[Rejected]:
        ids = ",".join(a.id for a in articles)
        with lock:
            events.append("index " + ids)
        if ids == "a,b":
            # Chunk 2's NLP must start while chunk 1 is being indexed: without the overlap this fails.
            await wait_in_thread(second_nlp_started, f"chunk c's NLP to start while a,b were indexed; events: {events}")
        with lock:
            events.append("indexed " + ids)
        if ids == "a,b":
            second_nlp_may_end.set()
        return await Sinks.index(sinks, articles)

    processor = BatchProcessor(
        enrich=gated_enrich,
        resolve=sinks.resolve,
        index=index,
        send_enriched=sinks.send_enriched,
        send_dead=sinks.send_dead,
        chunk_size=2,
    )
    # Offsets out of received order: the later-received article comes first in the batch.
    late = {**raw("c"), "received_at": (NOW + timedelta(seconds=2)).isoformat()}
    batch = [
        record(0, late),
        record(1, raw("a")),
        record(2, {**raw("b"), "received_at": (NOW + timedelta(seconds=1)).isoformat()}),
    ]
    report = await processor.process(batch)
    assert report.indexed == 3 and [a.id for a in sinks.indexed] == ["a", "b", "c"]
    # Chunk 2's NLP started before chunk 1 was indexed and ended after it: the two overlapped.
    assert events.index("nlp start c") < events.index("indexed a,b") < events.index("nlp end c"), events


async def test_a_failing_chunk_waits_for_the_next_chunk_s_nlp_before_raising() -> None:
    done: list[str] = []
    second_nlp_may_end = threading.Event()

    def enrich(articles: Sequence[RawArticle], now: datetime) -> list[EnrichedArticle | Failure]:
        result = fake_enrich(articles, now)
        if [a.id for a in articles] == ["b"] and not second_nlp_may_end.wait(GATE_S):
            raise AssertionError(f"chunk b's NLP was not released within {GATE_S:g}s")
        done.extend(a.id for a in articles)
        return result

    sinks = Sinks()
    index_failed = asyncio.Event()

    async def broken_index(articles: list[EnrichedArticle]) -> list[Rejected]:
        index_failed.set()
        raise RuntimeError("a bug")

    processor = BatchProcessor(
        enrich=enrich,
        resolve=sinks.resolve,
        index=broken_index,
        send_enriched=sinks.send_enriched,
        send_dead=sinks.send_dead,
        chunk_size=1,
    )
    task = asyncio.ensure_future(processor.process([record(0, raw("a")), record(1, raw("b"))]))
    await asyncio.wait_for(index_failed.wait(), GATE_S)
    # The failure has run through process() by now (this wakes up after the step that raised it):
    # it must be waiting for chunk b's thread, which is held.
    assert not task.done(), "process() raised while chunk b's NLP was still running"
    second_nlp_may_end.set()
    with pytest.raises(RuntimeError, match="a bug"):
        await asyncio.wait_for(task, GATE_S)
    assert done == ["a", "b"]  # the thread finished; nothing left running behind the retry
