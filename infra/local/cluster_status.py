"""A cluster from inside: Kafka brokers, controller, partition leaders and ISR; Elasticsearch health, nodes (which
vote for the master) and shard allocation. An unreachable side gives its error text in the report, never raises."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import CompactArray, CompactString, Int16, Int32, Int64, Schema, TaggedFields

from infra.local.health import NO_PROXY_OPENER, run_apart
from infra.local.settings import InfraSettings

logger = logging.getLogger(__name__)

CLIENT_ID = "newsflow-infra-status"
REQUEST_TIMEOUT_MS = 5000
ES_TIMEOUT_S = 5.0

_TAGS = ("tags", TaggedFields)
_REPLICAS = CompactArray(("replica_id", Int32), ("log_end_offset", Int64), _TAGS)
_LEADER = (("partition_index", Int32), ("error_code", Int16), ("leader_id", Int32), ("leader_epoch", Int32))
_QUORUM = CompactArray(
    *_LEADER, ("high_watermark", Int64), ("current_voters", _REPLICAS), ("observers", _REPLICAS), _TAGS
)
_TOPIC, _PARTS = ("topic_name", CompactString("utf-8")), ("partitions", CompactArray(("partition_index", Int32), _TAGS))


class DescribeQuorumResponse_v0(Response):
    API_KEY, API_VERSION = 55, 0
    SCHEMA = Schema(("error_code", Int16), ("topics", CompactArray(_TOPIC, ("partitions", _QUORUM), _TAGS)), _TAGS)


class DescribeQuorumRequest_v0(RequestStruct):
    FLEXIBLE_VERSION, API_KEY, API_VERSION, RESPONSE_TYPE = True, 55, 0, DescribeQuorumResponse_v0
    SCHEMA = Schema(("topics", CompactArray(_TOPIC, _PARTS, _TAGS)), _TAGS)


class DescribeQuorumRequest(Request[DescribeQuorumRequest_v0]):
    """KRaft's DescribeQuorum (API 55, not in aiokafka) of the metadata log; brokers forward it."""

    API_KEY = 55

    def build(self, request_struct_class: type[DescribeQuorumRequest_v0]) -> DescribeQuorumRequest_v0:
        return request_struct_class([("__cluster_metadata", [(0, {})], {})], {})


async def quorum_leader(host: str, port: int, timeout_s: float) -> int | None:
    """The KRaft quorum leader, the active controller (the Metadata answer's controller id is a random broker);
    None if the broker does not know DescribeQuorum or there is no leader."""
    try:
        connection = await create_conn(host, port, client_id=CLIENT_ID, request_timeout_ms=int(timeout_s * 1000))
        try:
            answer = (await connection.send(DescribeQuorumRequest())).to_object()
        finally:
            connection.close()
    except (KafkaError, OSError, ValueError, KeyError) as exc:  # older brokers, ZooKeeper mode
        logger.debug("DescribeQuorum to %s:%s failed: %s", host, port, exc)
        return None
    leaders = [p["leader_id"] for t in answer["topics"] for p in t["partitions"] if p["error_code"] == 0]
    return leaders[0] if leaders and leaders[0] >= 0 and answer["error_code"] == 0 else None


@dataclass(frozen=True)
class Broker:
    node_id: int
    host: str
    port: int


@dataclass(frozen=True)
class PartitionState:
    topic: str
    partition: int
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass(frozen=True)
class KafkaView:
    brokers: tuple[Broker, ...] = ()
    controller_id: int | None = None  # the Metadata answer's: in KRaft a random live broker, not the controller
    quorum_leader: int | None = None
    partitions: tuple[PartitionState, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class EsNode:
    name: str
    master: bool
    roles: str
    heap_percent: str | None
    voter: bool


@dataclass(frozen=True)
class ShardState:
    index: str
    shard: str
    prirep: str
    state: str
    node: str | None
    unassigned_reason: str | None


@dataclass(frozen=True)
class EsView:
    health: dict[str, Any] = field(default_factory=dict)
    nodes: tuple[EsNode, ...] = ()
    shards: tuple[ShardState, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ClusterReport:
    kafka: KafkaView
    elasticsearch: EsView

    def lines(self) -> list[str]:
        return kafka_lines(self.kafka) + es_lines(self.elasticsearch)


async def describe_kafka(bootstrap: str, topics: list[str] | None) -> KafkaView:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS, client_id=CLIENT_ID)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    brokers = sorted((Broker(b["node_id"], b["host"], b["port"]) for b in cluster["brokers"]), key=lambda b: b.node_id)
    partitions = sorted(
        (
            PartitionState(t["topic"], p["partition"], p["leader"], tuple(p["replicas"]), tuple(p["isr"]))
            for t in described
            if topics is not None or not t["topic"].startswith("__")
            for p in t["partitions"]
        ),
        key=lambda p: (p.topic, p.partition),
    )
    leader = await quorum_leader(brokers[0].host, brokers[0].port, REQUEST_TIMEOUT_MS / 1000) if brokers else None
    return KafkaView(tuple(brokers), cluster.get("controller_id"), leader, tuple(partitions))


def kafka_view(settings: InfraSettings, topics: list[str] | None = None) -> KafkaView:
    try:
        return run_apart(describe_kafka(settings.kafka_bootstrap, topics))
    except Exception as exc:
        logger.debug("describing Kafka at %s failed", settings.kafka_bootstrap, exc_info=True)
        return KafkaView(error=f"{settings.kafka_bootstrap}: {exc or type(exc).__name__}")


def get_json(url: str) -> Any:
    with NO_PROXY_OPENER.open(url, timeout=ES_TIMEOUT_S) as response:
        return json.loads(response.read())


def describe_es(url: str) -> EsView:
    health = get_json(f"{url}/_cluster/health")
    rows = get_json(f"{url}/_cat/nodes?format=json&full_id=true&h=id,name,master,node.role,heap.percent")
    state = get_json(f"{url}/_cluster/state/metadata?filter_path=metadata.cluster_coordination.last_committed_config")
    voters = set(state.get("metadata", {}).get("cluster_coordination", {}).get("last_committed_config", []))
    nodes = [
        EsNode(r["name"], r["master"] == "*", r["node.role"], r["heap.percent"], r["id"] in voters)
        for r in sorted(rows, key=lambda r: r["name"])
    ]
    fields = ("index", "shard", "prirep", "state", "node", "unassigned.reason")
    shards = [
        ShardState(*(r.get(f) for f in fields)) for r in get_json(f"{url}/_cat/shards?format=json&h={','.join(fields)}")
    ]
    return EsView(health, tuple(nodes), tuple(shards))


def es_view(settings: InfraSettings) -> EsView:
    errors = []
    for url in settings.es_urls:
        try:
            return describe_es(url)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # URLError, HTTPError are OSErrors
            errors.append(f"{url}: {getattr(exc, 'reason', None) or exc or type(exc).__name__}")
    return EsView(error="; ".join(errors) or "no Elasticsearch URL")


def cluster_report(settings: InfraSettings, topics: list[str] | None = None) -> ClusterReport:
    return ClusterReport(kafka_view(settings, topics), es_view(settings))


def kafka_lines(view: KafkaView) -> list[str]:
    if view.error is not None:
        return [f"kafka: error: {view.error}"]
    controller = "controller unknown" if view.quorum_leader is None else f"controller {view.quorum_leader}"
    if view.quorum_leader is None and view.controller_id is not None:
        controller = f"controller {view.controller_id} (Metadata answer; in KRaft any broker)"
    lines = [f"kafka: {len(view.brokers)} broker{'' if len(view.brokers) == 1 else 's'}, {controller}"]
    lines += [f"  broker {b.node_id} {b.host}:{b.port}" for b in view.brokers]
    under = [len(p.isr) < len(p.replicas) for p in view.partitions]
    if view.partitions:
        topics = len({p.topic for p in view.partitions})
        lines.append(f"  {topics} topics, {len(view.partitions)} partitions, {sum(under)} under-replicated")
    for p, short in zip(view.partitions, under, strict=True):
        leader = p.leader if p.leader >= 0 else "none"
        line = f"  {p.topic} p{p.partition} leader {leader} replicas {list(p.replicas)} isr {list(p.isr)}"
        lines.append(line.replace(", ", ",") + (" under-replicated" if short else ""))
    return lines


def _placement(s: ShardState) -> str:
    kind = "primary" if s.prirep == "p" else "replica"
    if s.state == "UNASSIGNED":
        return f"{kind} unassigned ({s.unassigned_reason or '?'})"
    return kind + ("" if s.state == "STARTED" else f" {s.state.lower()}") + f" on {s.node}"


def _shard_lines(view: EsView) -> list[str]:
    """One line per shard: where its primary and replicas are; "." indices only when something is unassigned."""
    shown = {s.index for s in view.shards if not s.index.startswith(".") or s.state == "UNASSIGNED"}
    copies: dict[tuple[str, int], list[str]] = defaultdict(list)
    for s in sorted(view.shards, key=lambda s: (s.index, int(s.shard), s.prirep, s.node or "")):
        if s.index in shown:
            copies[(s.index, int(s.shard))].append(_placement(s))
    return [f"  {index}: shard {number} {', '.join(placed)}" for (index, number), placed in copies.items()]


def es_lines(view: EsView) -> list[str]:
    if view.error is not None:
        return [f"elasticsearch: error: {view.error}"]
    h = view.health
    lines = [
        f"elasticsearch {h.get('cluster_name', '?')}: {h.get('status', '?')}, {h.get('number_of_nodes', '?')} nodes,"
        f" {h.get('active_shards', '?')} shards active, {h.get('unassigned_shards', '?')} unassigned"
    ]
    voters, eligible = sum(n.voter for n in view.nodes), sum("m" in n.roles for n in view.nodes)
    for n in view.nodes:
        flags = [f for f in ("master" if n.master else "", "voter" if n.voter else "") if f]
        lines.append(
            f"  {n.name}" + (f" ({', '.join(flags)})" if flags else "") + f" roles {n.roles} heap {n.heap_percent}%"
        )
    if voters == 1 and eligible > 1:
        lines.append("  one voting node only: without it no master can be elected")
    return lines + _shard_lines(view)
