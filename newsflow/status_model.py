"""What ``newsflow status`` reports, and the pure functions that shape broker and cluster answers into it.

The I/O that gathers the answers is in ``newsflow.status``; everything here is data in, data out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from elastic_transport import ConnectionError as EsConnectionError
from elastic_transport import ConnectionTimeout as EsConnectionTimeout
from elasticsearch import ApiError

from adapters.elastic import index_version, replay_state_of
from adapters.kafka import DLQ_REPLAY_GROUP


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


def total_hits(search_response: Mapping[str, Any]) -> int:
    total = search_response.get("hits", {}).get("total", 0)
    return int(total["value"] if isinstance(total, Mapping) else total)


def index_states(alias: str, indices_body: Mapping[str, Any]) -> dict[str, str | None]:
    """``{<alias>-v<N>: replay state}`` from ``GET <alias>-v*`` (the state is in the mapping's ``_meta``)."""
    states = {}
    for name, info in indices_body.items():
        if index_version(alias, name) is not None:
            states[name] = replay_state_of(info.get("mappings", {}))
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
