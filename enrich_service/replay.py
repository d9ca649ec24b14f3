"""Re-enrichment of the archive from the raw topic: in place, or into a new index behind an alias swap.

``articles.raw`` keeps every accepted article, so the archive can always be rebuilt from it with the
enrichment code of today, by the worker's own ``BatchProcessor`` (same enricher, same duplicate
registry, same indexer) fed by a consumer of its own group:

- **in place**: from the beginning (or a timestamp) into the alias's current index. Documents are
  overwritten by id; nothing is duplicated.
- **new index**: into ``<alias>-v<N+1>`` (created from this code's template, not refreshed while it
  fills) while the live worker goes on writing to the alias. Once the replay has caught up with the
  live end of the topic, the alias moves in one atomic ``_aliases`` call, then the replay reads on up
  to the end offsets *after* the swap: whatever the live worker wrote into the old index before the
  swap is therefore also in the new one, and whatever arrives later the live worker writes through the
  alias into the new index. The old index is kept for ``rollback``.
- **rollback**: the alias goes back to the previous version, then the articles received since the
  newer index was created are re-enriched into it in place, so nothing posted meanwhile is missing.

A replay's consumer group commits after every batch, so an interrupted new-index replay resumes where
it stopped. Re-enriched articles are not sent to the enriched topic again (its consumers would see
them twice); records that now fail go to the dead-letter topic as the worker's would.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from aiokafka import AIOKafkaProducer
from elasticsearch import AsyncElasticsearch

from adapters.elastic import (
    alias_indices,
    code_definition,
    ensure_index,
    index_version,
    live_definition,
    make_client,
    point_alias,
    put_template,
    replay_state,
    set_replay_state,
    versioned_index,
    versioned_indices,
)
from adapters.kafka import client_options
from adapters.limits import OUTPUT_RECORD_MAX_BYTES
from adapters.retry import RetryPolicy
from adapters.versions import enrichment_versions
from enrich_service.dead_letters import DeadLetter
from enrich_service.dlq import DeadLetterBook, DeadLetterWriter
from enrich_service.duplicates import ElasticsearchRegistry
from enrich_service.enricher import Enricher
from enrich_service.indexer import Indexer
from enrich_service.pipeline import Sinks, build_enricher, build_pipeline, send_nothing
from enrich_service.processor import BatchProcessor
from enrich_service.replay_reader import OnProgress, RawReader, Replay, ReplayError
from enrich_service.settings import EnrichSettings
from enrich_service.version import ENRICHMENT_VERSION

logger = logging.getLogger(__name__)

Mode = Literal["in-place", "new-index"]
ReplayMode = Literal["auto", "in-place", "new-index", "rollback"]


@dataclass
class ReplayResult:
    mode: str
    target: str
    alias: str
    consumed: int = 0
    indexed: int = 0
    dead: int = 0
    swapped: bool = False
    previous: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    dead_again: int = 0  # of ``dead``: records that already had a letter (updated, not added)


Confirm = Callable[[str], Awaitable[bool]]


def choose_mode(
    versions: Mapping[str, int],
    code_version: str = ENRICHMENT_VERSION,
    *,
    index_definition: str | None = None,
    code_definition: str | None = None,
) -> Mode:
    """New index when any document was produced by another enrichment version than this code's, or
    when the live index was made from another index definition (mapping, analyzers) than this code's."""
    if any(v != code_version for v in versions):
        return "new-index"
    if code_definition is not None and index_definition != code_definition:
        return "new-index"
    return "in-place"


@dataclass
class _Wiring:
    es: AsyncElasticsearch
    producer: AIOKafkaProducer
    enricher: Enricher
    registry: ElasticsearchRegistry
    policy: RetryPolicy
    writer: DeadLetterWriter


def _processor(settings: EnrichSettings, wiring: _Wiring, target: str, ensure_alias: bool) -> BatchProcessor:
    async def send_dead(letters: list[DeadLetter]) -> None:
        await wiring.writer.write(letters, who=f"replay into {target}")

    # Re-enriched articles are not sent to the enriched topic again: its consumers had them once.
    sinks = Sinks(
        registry=wiring.registry,
        index=Indexer(
            wiring.es, target, wiring.policy, ensure_alias=ensure_alias, replicas=settings.es.index_settings()
        ).index,
        send_enriched=send_nothing,
        send_dead=send_dead,
    )
    return build_pipeline(settings, sinks, wiring.enricher)


class Replayer:
    """The three operations of ``newsflow replay``, over one Elasticsearch client and one model."""

    def __init__(self, settings: EnrichSettings, wiring: _Wiring, on_progress: OnProgress | None = None) -> None:
        self._settings = settings
        self._w = wiring
        self._on_progress = on_progress

    @property
    def alias(self) -> str:
        return self._settings.index_alias

    async def default_mode(self) -> tuple[Mode, dict[str, int]]:
        current = await alias_indices(self._w.es, self.alias)
        if not current:
            return "in-place", {}
        versions = await enrichment_versions(self._w.es, self.alias)
        live, code = await live_definition(self._w.es, current[-1]), code_definition()
        if live != code:
            logger.info("index %s was made from definition %s, this code's is %s", current[-1], live, code)
        return choose_mode(versions, index_definition=live, code_definition=code), versions

    async def _run(
        self, target: str, group: str, *, ensure_alias: bool, since: datetime | None, resume: bool
    ) -> Replay:
        reader = RawReader(self._settings, group)
        await reader.start(since=since, resume=resume)
        replay = Replay(
            reader=reader,
            processor=_processor(self._settings, self._w, target, ensure_alias),
            target=target,
            batch_size=self._settings.batch_size,
            on_progress=self._on_progress,
        )
        return replay

    async def in_place(self, since: datetime | None = None) -> ReplayResult:
        started = time.monotonic()
        await ensure_index(self._w.es, self.alias, self._settings.es.index_settings())
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        group = f"{self._settings.app_id}-replay-{self.alias}-inplace-{stamp}"
        replay = await self._run(self.alias, group, ensure_alias=True, since=since, resume=False)
        try:
            # The live worker writes what arrives meanwhile through the alias: close to the end is enough
            # (under a steady stream the lag is never exactly 0, and waiting for it never ends).
            await replay.catch_up(close_enough=self._settings.batch_size)
        finally:
            await replay.close()
        return ReplayResult(
            "in-place",
            self.alias,
            self.alias,
            replay.consumed,
            replay.indexed,
            replay.dead,
            elapsed_s=time.monotonic() - started,
        )

    async def new_index(self, confirm: Confirm) -> ReplayResult:
        started = time.monotonic()
        es = self._w.es
        current = await alias_indices(es, self.alias)
        if not current:
            raise ReplayError(f"alias {self.alias} does not exist yet: nothing to rebuild (use --in-place)")
        versions = await versioned_indices(es, self.alias)
        newest = max(versions)
        live = max(index_version(self.alias, name) or 0 for name in current)
        # the new index gets this code's mapping and the configured replicas
        await put_template(es, self.alias, self._settings.es.index_settings())
        if newest > live and await replay_state(es, versions[newest]) == "building":
            target = versions[newest]  # an earlier replay stopped or was not confirmed: go on with it
            logger.info("resuming the unfinished replay into %s", target)
        else:
            target = versioned_index(self.alias, newest + 1)
            await es.indices.create(index=target, settings={"refresh_interval": "-1"})
            await set_replay_state(es, target, "building")
            logger.info("created %s for the replay (alias %s stays on %s)", target, self.alias, ", ".join(current))
        group = f"{self._settings.app_id}-replay-{target}"
        replay = await self._run(target, group, ensure_alias=False, since=None, resume=True)
        result = ReplayResult("new-index", target, self.alias)
        try:
            # Close to the live end is enough: after the swap it reads on to the end offsets (draining).
            await replay.catch_up(close_enough=self._settings.batch_size)
            refresh = self._settings.es.refresh_interval
            await es.indices.put_settings(index=target, settings={"refresh_interval": refresh})
            await es.indices.refresh(index=target)
            counts = await self.counts([*current, target])
            live_counts = ", ".join(f"{i}: {counts[i]}" for i in current)
            question = (
                f"{target} has caught up ({counts[target]} documents; {live_counts})."
                f" Move alias {self.alias} to {target}?"
            )
            if not await confirm(question):
                logger.info("alias %s left on %s; %s kept, a later replay goes on with it", self.alias, current, target)
            else:
                await replay.catch_up("catching up", close_enough=self._settings.batch_size)
                result.previous = await point_alias(es, self.alias, target)
                await set_replay_state(es, target, "swapped")
                result.swapped = True
                # What the live worker took before the swap went into the old index: read on past it.
                await replay.run_to(await replay.ends(), "draining")
        finally:
            await replay.close()
        result.consumed, result.indexed, result.dead = replay.consumed, replay.indexed, replay.dead
        result.elapsed_s = time.monotonic() - started
        return result

    async def rollback(self) -> ReplayResult:
        started = time.monotonic()
        es = self._w.es
        current = await alias_indices(es, self.alias)
        if not current:
            raise ReplayError(f"alias {self.alias} does not exist: nothing to roll back")
        live = max(index_version(self.alias, name) or 0 for name in current)
        older = {n: name for n, name in (await versioned_indices(es, self.alias)).items() if n < live}
        if not older:
            raise ReplayError(f"{self.alias} is on {', '.join(current)}; there is no older version to go back to")
        previous_index = older[max(older)]
        settings = await es.indices.get_settings(index=current[-1], name="index.creation_date")
        created_ms = int(settings.body[current[-1]]["settings"]["index"]["creation_date"])
        result = ReplayResult("rollback", previous_index, self.alias)
        result.previous = await point_alias(es, self.alias, previous_index)
        result.swapped = True
        # Articles posted since the newer index was created may be missing from the older one.
        since = datetime.fromtimestamp(created_ms / 1000, UTC)
        group = f"{self._settings.app_id}-rollback-{previous_index}-{created_ms}"
        replay = await self._run(self.alias, group, ensure_alias=True, since=since, resume=False)
        try:
            # The alias is back on the older index, where the live worker writes from now on: reading to
            # the end offsets as of the move covers everything in between.
            await replay.run_to(await replay.ends(), "filling")
        finally:
            await replay.close()
        result.consumed, result.indexed, result.dead = replay.consumed, replay.indexed, replay.dead
        result.elapsed_s = time.monotonic() - started
        return result

    async def counts(self, indices: list[str]) -> dict[str, int]:
        return {name: int((await self._w.es.count(index=name)).body["count"]) for name in indices}


async def run_replay(
    settings: EnrichSettings,
    *,
    mode: ReplayMode,
    since: datetime | None = None,
    confirm: Confirm,
    on_progress: OnProgress | None = None,
    on_mode: Callable[[str, dict[str, int]], None] | None = None,
) -> ReplayResult:
    """Wire the adapters (one model load, one client) and run one replay operation."""
    enricher = build_enricher(settings)
    es = make_client(settings.es)
    producer = AIOKafkaProducer(
        **client_options(settings.kafka), enable_idempotence=True, max_request_size=OUTPUT_RECORD_MAX_BYTES
    )
    book = DeadLetterBook(settings.kafka, settings.topics.dlq)

    async def produce_dead(records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
        for key, value, headers in records:
            await producer.send_and_wait(settings.topics.dlq, value=value, key=key, headers=headers)

    writer = DeadLetterWriter(book, produce_dead, settings.topics.dlq)
    try:
        await producer.start()
        policy = settings.retry_policy
        registry = ElasticsearchRegistry(es, settings.dedup_index, policy, settings.es.replica_settings())
        replayer = Replayer(settings, _Wiring(es, producer, enricher, registry, policy, writer), on_progress)
        if mode == "auto":
            chosen, versions = await replayer.default_mode()
            if on_mode is not None:
                on_mode(chosen, versions)
            mode = chosen
        if mode == "rollback":
            result = await replayer.rollback()
        elif mode == "in-place":
            result = await replayer.in_place(since)
        else:
            result = await replayer.new_index(confirm)
        result.dead_again = writer.repeated
        return result
    finally:
        await book.close()
        await producer.stop()
        await es.close()
