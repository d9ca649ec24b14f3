"""``newsflow status``: what an operator checks first, from Kafka and Elasticsearch themselves.

Topics with their offsets, consumer lag per group and partition, the alias and its indices with
document counts, counts per enrichment version, the duplicate registry, the dead-letter topic's size.
Each part is gathered on its own, with short timeouts: when Kafka is down the Elasticsearch part is
still shown (and the other way round), and the failed part says why.

What is reported, and the pure functions that shape answers, are in ``newsflow.status_model``; the
``_gather_*`` coroutines here do the I/O.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from elasticsearch import AsyncElasticsearch, NotFoundError

from adapters.elastic import alias_indices, make_client
from adapters.kafka import client_options
from adapters.settings import ElasticsearchSettings, KafkaSettings, TopicSettings
from adapters.versions import version_counts, versions_aggregation
from newsflow.status_model import (
    ElasticsearchStatus,
    GroupStatus,
    IndexStatus,
    KafkaStatus,
    Status,
    TopicStatus,
    es_error_message,
    group_descriptions,
    group_role,
    index_states,
    kafka_error_message,
    partition_lags,
    sort_groups,
    topic_status,
    total_hits,
)

logger = logging.getLogger(__name__)

#: Consumer groups whose offsets are fetched at once.
_GROUP_CONCURRENCY = 10


async def gather_status(
    kafka: KafkaSettings,
    es: ElasticsearchSettings,
    topics: TopicSettings,
    alias: str,
    *,
    worker_group: str = "newsflow-enrich",
    dedup_index: str | None = None,
    timeout_s: float = 3.0,
) -> Status:
    """Kafka and Elasticsearch side by side; a part that fails carries its error instead of its figures.

    ``timeout_s`` bounds each request; a whole part gives up after twice that.
    """
    kafka_part, es_part = await asyncio.gather(
        _kafka_part(kafka, topics, worker_group, timeout_s),
        _es_part(es, alias, dedup_index or f"{alias}-dedup", timeout_s),
    )
    return Status(kafka_part, es_part)


async def _kafka_part(kafka: KafkaSettings, topics: TopicSettings, worker_group: str, timeout_s: float) -> KafkaStatus:
    try:
        async with asyncio.timeout(2 * timeout_s):
            return await _gather_kafka(kafka, topics, worker_group, timeout_s)
    except Exception as exc:  # one part failing must not hide the other: it is reported, with -v its traceback
        logger.debug("Kafka status failed", exc_info=True)
        waited = 2 * timeout_s if type(exc) is TimeoutError else timeout_s  # the part's deadline, or one request's
        return KafkaStatus(kafka.bootstrap_servers, error=kafka_error_message(exc, kafka.bootstrap_servers, waited))


async def _es_part(es: ElasticsearchSettings, alias: str, dedup_index: str, timeout_s: float) -> ElasticsearchStatus:
    try:
        async with asyncio.timeout(2 * timeout_s):
            return await _gather_elasticsearch(es, alias, dedup_index, timeout_s)
    except Exception as exc:  # one part failing must not hide the other: it is reported, with -v its traceback
        logger.debug("Elasticsearch status failed", exc_info=True)
        waited = 2 * timeout_s if type(exc) is TimeoutError else timeout_s  # the part's deadline, or one request's
        return ElasticsearchStatus(es.url, alias, dedup_index, error=es_error_message(exc, es.url, waited))


async def _gather_kafka(
    kafka: KafkaSettings, topics: TopicSettings, worker_group: str, timeout_s: float
) -> KafkaStatus:
    timeout_ms = int(timeout_s * 1000)
    options = client_options(kafka)
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=timeout_ms)
    consumer = AIOKafkaConsumer(**options, group_id=None, enable_auto_commit=False, request_timeout_ms=timeout_ms)
    try:
        await admin.start()
        await consumer.start()
        # All topics (no names): asking for a missing topic by name could auto-create it.
        described = {t["topic"]: t for t in await admin.describe_topics() if not t.get("error_code")}
        topic_list = []
        for role, name in (("raw", topics.raw), ("enriched", topics.enriched), ("dlq", topics.dlq)):
            if name not in described:
                topic_list.append(topic_status(role, name, None, None))
                continue
            tps = [TopicPartition(name, int(p["partition"])) for p in described[name]["partitions"]]
            begins = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
            topic_list.append(
                topic_status(
                    role,
                    name,
                    {tp.partition: o for tp, o in begins.items()},
                    {tp.partition: o for tp, o in ends.items()},
                )
            )
        groups = await _gather_groups(admin, tuple(topic_list), worker_group, topics.raw)
        return KafkaStatus(kafka.bootstrap_servers, tuple(topic_list), groups)
    finally:
        await consumer.stop()
        await admin.close()


async def _gather_groups(
    admin: AIOKafkaAdminClient, topics: tuple[TopicStatus, ...], worker_group: str, raw_topic: str
) -> tuple[GroupStatus, ...]:
    """Every group that committed on one of ``topics``, and the worker's group in any case."""
    names = {str(g[0]) for g in await admin.list_consumer_groups()} | {worker_group}
    ours = {t.name for t in topics}
    limit = asyncio.Semaphore(_GROUP_CONCURRENCY)

    async def committed(group: str) -> tuple[str, dict[tuple[str, int], int] | str]:
        async with limit:
            try:
                offsets = await admin.list_consumer_group_offsets(group)
            except KafkaError as exc:
                logger.debug("offsets of group %s failed", group, exc_info=True)
                return group, f"{type(exc).__name__}: {exc}"
        return group, {(tp.topic, tp.partition): om.offset for tp, om in offsets.items() if tp.topic in ours}

    results = await asyncio.gather(*(committed(g) for g in sorted(names)))
    # A group that could not be asked is shown only when its name says it is one of ours.
    found: dict[str, dict[tuple[str, int], int] | str] = {
        g: r
        for g, r in results
        if g == worker_group or (r if not isinstance(r, str) else group_role(g, worker_group) != "other")
    }
    # One group per request: aiokafka 0.14 fails to decode a DescribeGroups answer about several groups.
    described_list = await asyncio.gather(*(_describe_group(admin, g, limit) for g in found))
    described = {g: d for g, d in zip(found, described_list, strict=True) if d is not None}
    groups = []
    for group, result in found.items():
        role = group_role(group, worker_group)
        state, members = described.get(group, (None, None))
        if isinstance(result, str):
            groups.append(GroupStatus(group, role, state, members, error=result))
            continue
        consumed = [raw_topic] if role == "worker" else []
        groups.append(GroupStatus(group, role, state, members, partition_lags(result, topics, consumed)))
    return sort_groups(groups)


async def _describe_group(admin: AIOKafkaAdminClient, group: str, limit: asyncio.Semaphore) -> tuple[str, int] | None:
    """(state, members) of ``group``, or None when the coordinator could not say."""
    async with limit:
        try:
            responses = await admin.describe_consumer_groups([group])
        except KafkaError:
            logger.debug("describing group %s failed", group, exc_info=True)
            return None
    return group_descriptions(r.to_object() for r in responses).get(group)


async def _gather_elasticsearch(
    settings: ElasticsearchSettings, alias: str, dedup_index: str, timeout_s: float
) -> ElasticsearchStatus:
    base = make_client(settings.model_copy(update={"request_timeout_s": timeout_s}))
    es = base.options(max_retries=0)
    try:
        aliased = await alias_indices(es, alias)
        found = await es.indices.get(index=f"{alias}-v*", allow_no_indices=True, ignore_unavailable=True)
        states = index_states(alias, found.body)
        names = list(states) + [n for n in aliased if n not in states]
        counts = await asyncio.gather(*(_count(es, n) for n in names))
        indices = tuple(IndexStatus(n, c, n in aliased, states.get(n)) for n, c in zip(names, counts, strict=True))
        docs: int | None = None
        versions: dict[str, int] = {}
        if aliased:
            resp = await es.search(index=alias, size=0, track_total_hits=True, aggs=versions_aggregation())
            docs, versions = total_hits(resp.body), version_counts(resp.body)
        return ElasticsearchStatus(
            settings.url,
            alias,
            dedup_index,
            alias_indices=tuple(aliased),
            docs=docs,
            versions=versions,
            indices=indices,
            dedup_docs=await _count(es, dedup_index),
        )
    finally:
        await base.close()


async def _count(es: AsyncElasticsearch, index: str) -> int | None:
    """Top-level documents in ``index`` (nested quotes not counted), or None when it does not exist."""
    try:
        resp = await es.count(index=index)
    except NotFoundError:
        return None
    return int(resp["count"])
