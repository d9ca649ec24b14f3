"""``newsflow status``: what an operator checks first, from Kafka and Elasticsearch themselves.

Topics with their offsets, consumer lag per group and partition, the alias and its indices with
document counts, counts per enrichment version, the duplicate registry, the dead-letter topic's size.
Each part is gathered on its own, with short timeouts: when Kafka is down the Elasticsearch part is
still shown (and the other way round), and the failed part says why.

The pure functions (``partition_lags``, ``version_counts``, ...) shape answers; the ``_gather_*``
coroutines do the I/O.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from elastic_transport import ConnectionError as EsConnectionError
from elastic_transport import ConnectionTimeout as EsConnectionTimeout
from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError

from newsflow.config import ElasticsearchSettings, KafkaSettings, TopicSettings
from newsflow.elastic import alias_indices, index_version, make_client
from newsflow.kafka import DLQ_REPLAY_GROUP, client_options

logger = logging.getLogger(__name__)

#: Terms buckets shown for ``enrichment.version``; more than this are summed under ``OTHER_VERSIONS``.
MAX_VERSIONS = 100
NO_VERSION = "(none)"
OTHER_VERSIONS = "(other)"
#: Consumer groups whose offsets are fetched at once.
_GROUP_CONCURRENCY = 10


@dataclass(frozen=True)
class PartitionOffsets:
    partition: int
    begin: int
    end: int

    @property
    def records(self) -> int:
        return max(self.end - self.begin, 0)


@dataclass(frozen=True)
class TopicStatus:
    role: str  # raw | enriched | dlq
    name: str
    exists: bool
    partitions: tuple[PartitionOffsets, ...] = ()

    @property
    def records(self) -> int:
        return sum(p.records for p in self.partitions)

    @property
    def end_offsets(self) -> int:
        return sum(p.end for p in self.partitions)


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None  # None: the group has committed nothing for this partition
    end: int
    lag: int


@dataclass(frozen=True)
class GroupStatus:
    group: str
    role: str  # worker | dlq replay | replay | other
    state: str | None = None  # Stable, Empty, Dead, ... as the coordinator says; None when not asked
    members: int | None = None
    partitions: tuple[PartitionLag, ...] = ()
    error: str | None = None

    @property
    def lag(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.topic for p in self.partitions))


@dataclass(frozen=True)
class KafkaStatus:
    bootstrap_servers: str
    topics: tuple[TopicStatus, ...] = ()
    groups: tuple[GroupStatus, ...] = ()
    error: str | None = None

    def topic(self, role: str) -> TopicStatus | None:
        return next((t for t in self.topics if t.role == role), None)


@dataclass(frozen=True)
class IndexStatus:
    name: str
    docs: int | None
    aliased: bool  # the alias points at it
    replay: str | None = None  # ``building`` while a new-index replay fills it, ``swapped`` after


@dataclass(frozen=True)
class ElasticsearchStatus:
    url: str
    alias: str
    dedup_index: str
    alias_indices: tuple[str, ...] = ()
    docs: int | None = None  # documents behind the alias
    versions: dict[str, int] = field(default_factory=dict)  # enrichment.version -> documents
    indices: tuple[IndexStatus, ...] = ()
    dedup_docs: int | None = None  # None: the registry index does not exist (yet)
    error: str | None = None


@dataclass(frozen=True)
class Status:
    kafka: KafkaStatus
    elasticsearch: ElasticsearchStatus

    @property
    def ok(self) -> bool:
        return self.kafka.error is None and self.elasticsearch.error is None

    @property
    def dlq_size(self) -> int | None:
        """Records in the dead-letter topic; None when Kafka could not be asked."""
        if self.kafka.error is not None:
            return None
        dlq = self.kafka.topic("dlq")
        return dlq.records if dlq is not None else 0


# --- pure shaping -------------------------------------------------------------------------------


def topic_status(role: str, name: str, begins: Mapping[int, int] | None, ends: Mapping[int, int] | None) -> TopicStatus:
    """One topic from its begin and end offsets by partition (None: the topic does not exist)."""
    if begins is None or ends is None:
        return TopicStatus(role, name, exists=False)
    partitions = tuple(PartitionOffsets(p, begins.get(p, 0), ends[p]) for p in sorted(ends))
    return TopicStatus(role, name, exists=True, partitions=partitions)


def partition_lags(
    committed: Mapping[tuple[str, int], int], topics: Iterable[TopicStatus], consumed: Iterable[str] = ()
) -> tuple[PartitionLag, ...]:
    """Lag of one group on every partition of each topic it has committed on (or is known to consume).

    lag = end - committed. A partition without a commit (or with one below the log start, after
    retention) counts from the log start: every consumer here starts at the earliest offset.
    """
    wanted = {topic for topic, _ in committed} | set(consumed)
    lags = []
    for topic in topics:
        if topic.name not in wanted:
            continue
        for p in topic.partitions:
            offset = committed.get((topic.name, p.partition))
            start = p.begin if offset is None or offset < 0 else max(offset, p.begin)
            lags.append(PartitionLag(topic.name, p.partition, offset, p.end, max(p.end - start, 0)))
    return tuple(lags)


def group_role(group: str, worker_group: str) -> str:
    if group == worker_group:
        return "worker"
    if group == DLQ_REPLAY_GROUP or group.startswith(f"{DLQ_REPLAY_GROUP}."):
        return "dlq replay"
    if group.startswith((f"{worker_group}-replay-", f"{worker_group}-rollback-")):
        return "replay"
    return "other"


def sort_groups(groups: Iterable[GroupStatus]) -> tuple[GroupStatus, ...]:
    order = {"worker": 0, "dlq replay": 1, "replay": 2, "other": 3}
    return tuple(sorted(groups, key=lambda g: (order.get(g.role, 9), g.group)))


def group_descriptions(responses: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, int]]:
    """``{group: (state, members)}`` from DescribeGroups responses (``Response.to_object()``)."""
    found = {}
    for response in responses:
        for g in response.get("groups", []):
            if not g.get("error_code"):
                found[g["group"]] = (g.get("state") or "?", len(g.get("members") or []))
    return found


def version_counts(search_response: Mapping[str, Any]) -> dict[str, int]:
    """``{enrichment version: documents}`` from a search with the ``versions`` terms aggregation."""
    agg = search_response.get("aggregations", {}).get("versions", {})
    counts = {str(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
    if agg.get("sum_other_doc_count"):
        counts[OTHER_VERSIONS] = int(agg["sum_other_doc_count"])
    return counts


def versions_aggregation() -> dict[str, Any]:
    return {"versions": {"terms": {"field": "enrichment.version", "size": MAX_VERSIONS, "missing": NO_VERSION}}}


def total_hits(search_response: Mapping[str, Any]) -> int:
    total = search_response.get("hits", {}).get("total", 0)
    return int(total["value"] if isinstance(total, Mapping) else total)


def index_states(alias: str, indices_body: Mapping[str, Any]) -> dict[str, str | None]:
    """``{<alias>-v<N>: replay state}`` from ``GET <alias>-v*`` (the state is in the mapping's ``_meta``)."""
    states = {}
    for name, info in indices_body.items():
        if index_version(alias, name) is not None:
            replay = info.get("mappings", {}).get("_meta", {}).get("replay")
            states[name] = str(replay) if replay is not None else None
    return dict(sorted(states.items(), key=lambda kv: index_version(alias, kv[0]) or 0))


def kafka_error_message(exc: BaseException, bootstrap_servers: str, timeout_s: float) -> str:
    if isinstance(exc, KafkaConnectionError):
        return f"cannot reach Kafka at {bootstrap_servers} (no connection, or no answer within {timeout_s:g} s)"
    if isinstance(exc, TimeoutError | KafkaTimeoutError):
        return f"Kafka at {bootstrap_servers} did not answer within {timeout_s:g} s"
    return f"Kafka at {bootstrap_servers}: {type(exc).__name__}: {exc}"


def es_error_message(exc: BaseException, url: str, timeout_s: float) -> str:
    if isinstance(exc, EsConnectionTimeout | TimeoutError):
        return f"Elasticsearch at {url} did not answer within {timeout_s:g} s"
    if isinstance(exc, EsConnectionError):
        return f"cannot connect to Elasticsearch at {url}"
    if isinstance(exc, ApiError):
        return f"Elasticsearch at {url} answered {exc.meta.status}: {_es_reason(exc)}"
    return f"Elasticsearch at {url}: {type(exc).__name__}: {exc}"


def _es_reason(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        error = body["error"]
        return str(error.get("reason") or error.get("type") or exc.message)
    return str(exc.message) if exc.message not in (None, "None", "") else "no details"


def status_to_dict(status: Status) -> dict[str, Any]:
    """The status as JSON-ready data, derived figures (records, lag, DLQ size) included."""
    k, e = status.kafka, status.elasticsearch
    return {
        "ok": status.ok,
        "dlq_size": status.dlq_size,
        "kafka": {
            "bootstrap_servers": k.bootstrap_servers,
            "error": k.error,
            "topics": [
                {
                    "role": t.role,
                    "name": t.name,
                    "exists": t.exists,
                    "records": t.records,
                    "end_offsets": t.end_offsets,
                    "partitions": [
                        {"partition": p.partition, "begin": p.begin, "end": p.end, "records": p.records}
                        for p in t.partitions
                    ],
                }
                for t in k.topics
            ],
            "groups": [
                {
                    "group": g.group,
                    "role": g.role,
                    "state": g.state,
                    "members": g.members,
                    "lag": g.lag,
                    "error": g.error,
                    "partitions": [
                        {
                            "topic": p.topic,
                            "partition": p.partition,
                            "committed": p.committed,
                            "end": p.end,
                            "lag": p.lag,
                        }
                        for p in g.partitions
                    ],
                }
                for g in k.groups
            ],
        },
        "elasticsearch": {
            "url": e.url,
            "error": e.error,
            "alias": e.alias,
            "alias_indices": list(e.alias_indices),
            "docs": e.docs,
            "versions": dict(e.versions),
            "indices": [{"name": i.name, "docs": i.docs, "aliased": i.aliased, "replay": i.replay} for i in e.indices],
            "dedup_index": e.dedup_index,
            "dedup_docs": e.dedup_docs,
        },
    }


# --- I/O ----------------------------------------------------------------------------------------


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
