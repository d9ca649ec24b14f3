"""cluster_status with fakes: an invented three-broker Kafka and two-node Elasticsearch, no network."""

from __future__ import annotations

import urllib.error
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiokafka.errors import KafkaConnectionError

from infra.local import cluster_status
from infra.local.cluster_status import DescribeQuorumResponse_v0, cluster_report
from infra.local.settings import ClusterInfraSettings

CLUSTER = {
    "brokers": [
        {"node_id": 2, "host": "localhost", "port": 9293, "rack": None},
        {"node_id": 1, "host": "localhost", "port": 9292, "rack": None},
        {"node_id": 3, "host": "localhost", "port": 9294, "rack": None},
    ],
    "cluster_id": "invented",
    "controller_id": 3,
}
TOPICS = [
    {
        "error_code": 0,
        "topic": "demo.raw",
        "is_internal": False,
        "partitions": [
            {"error_code": 0, "partition": 1, "leader": 2, "replicas": [2, 3, 1], "isr": [2, 1]},
            {"error_code": 0, "partition": 0, "leader": 1, "replicas": [1, 2, 3], "isr": [1, 2, 3]},
        ],
    },
    {
        "error_code": 0,
        "topic": "__consumer_offsets",
        "is_internal": True,
        "partitions": [{"error_code": 0, "partition": 0, "leader": 3, "replicas": [3, 1, 2], "isr": [3, 1, 2]}],
    },
]


class FakeAdmin:
    fail: ClassVar[Exception | None] = None
    asked: ClassVar[list[Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    async def start(self) -> None:
        if FakeAdmin.fail is not None:
            raise FakeAdmin.fail

    async def close(self) -> None:
        pass

    async def describe_cluster(self) -> dict[str, Any]:
        return dict(CLUSTER)

    async def describe_topics(self, topics: list[str] | None = None) -> list[Any]:
        FakeAdmin.asked.append(topics)
        return [t for t in TOPICS if topics is None or t["topic"] in topics]


NODES = [
    {"id": "idB", "name": "node-b", "master": "*", "node.role": "cdfhilmrstw", "heap.percent": "40"},
    {"id": "idA", "name": "node-a", "master": "-", "node.role": "cdfhilmrstw", "heap.percent": "30"},
]
SHARDS = [
    {"index": "demo-v1", "shard": "0", "prirep": "r", "state": "STARTED", "node": "node-b"},
    {"index": "demo-v1", "shard": "0", "prirep": "p", "state": "STARTED", "node": "node-a"},
    {"index": "demo-v1", "shard": "1", "prirep": "p", "state": "STARTED", "node": "node-b"},
    {
        "index": "demo-v1",
        "shard": "1",
        "prirep": "r",
        "state": "UNASSIGNED",
        "node": None,
        "unassigned.reason": "NODE_LEFT",
    },
    {"index": ".tasks", "shard": "0", "prirep": "p", "state": "STARTED", "node": "node-a"},
    {"index": ".hidden", "shard": "0", "prirep": "r", "state": "UNASSIGNED", "node": None, "unassigned.reason": "X"},
]
HEALTH = {
    "cluster_name": "demo-cluster",
    "status": "yellow",
    "number_of_nodes": 2,
    "active_shards": 4,
    "unassigned_shards": 2,
}


def fake_es(answers: dict[str, Any]) -> Any:
    def get_json(url: str) -> Any:
        for path, answer in answers.items():
            if path in url:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise AssertionError(f"unexpected GET {url}")

    return get_json


@pytest.fixture
def settings(tmp_path: Path) -> ClusterInfraSettings:
    return ClusterInfraSettings(cache_dir=tmp_path / "cache", run_dir=tmp_path / "run")


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeAdmin.fail, FakeAdmin.asked = None, []
    monkeypatch.setattr(cluster_status, "AIOKafkaAdminClient", FakeAdmin)

    async def leader(host: str, port: int, timeout_s: float) -> int | None:
        return 2

    monkeypatch.setattr(cluster_status, "quorum_leader", leader)
    voting = {"metadata": {"cluster_coordination": {"last_committed_config": ["idB"]}}}
    answers = {"_cluster/health": HEALTH, "_cat/nodes": NODES, "_cluster/state": voting, "_cat/shards": SHARDS}
    monkeypatch.setattr(cluster_status, "get_json", fake_es(answers))


@pytest.mark.usefixtures("fakes")
def test_kafka_brokers_controller_leaders_and_isr(settings: ClusterInfraSettings) -> None:
    lines = cluster_report(settings).lines()
    assert lines[:4] == [
        "kafka: 3 brokers, controller 2",
        "  broker 1 localhost:9292",
        "  broker 2 localhost:9293",
        "  broker 3 localhost:9294",
    ]
    assert "  1 topics, 2 partitions, 1 under-replicated" in lines
    assert "  demo.raw p0 leader 1 replicas [1,2,3] isr [1,2,3]" in lines
    assert "  demo.raw p1 leader 2 replicas [2,3,1] isr [2,1] under-replicated" in lines
    assert not any("__consumer_offsets" in line for line in lines)  # internal topics only when asked for


@pytest.mark.usefixtures("fakes")
def test_named_topics_are_described_even_internal_ones(settings: ClusterInfraSettings) -> None:
    report = cluster_report(settings, topics=["__consumer_offsets"])
    assert FakeAdmin.asked == [["__consumer_offsets"]]
    assert [p.topic for p in report.kafka.partitions] == ["__consumer_offsets"]


@pytest.mark.usefixtures("fakes")
def test_without_a_quorum_answer_the_metadata_controller_is_shown_as_such(
    settings: ClusterInfraSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_leader(host: str, port: int, timeout_s: float) -> int | None:
        return None

    monkeypatch.setattr(cluster_status, "quorum_leader", no_leader)
    assert (
        cluster_report(settings).lines()[0] == "kafka: 3 brokers, controller 3 (Metadata answer; in KRaft any broker)"
    )


@pytest.mark.usefixtures("fakes")
def test_elasticsearch_health_voter_and_shard_allocation(settings: ClusterInfraSettings) -> None:
    lines = cluster_report(settings).lines()
    es = lines[lines.index("elasticsearch demo-cluster: yellow, 2 nodes, 4 shards active, 2 unassigned") :]
    assert es[1:] == [
        "  node-a roles cdfhilmrstw heap 30%",
        "  node-b (master, voter) roles cdfhilmrstw heap 40%",
        "  one voting node only: without it no master can be elected",
        "  .hidden: shard 0 replica unassigned (X)",
        "  demo-v1: shard 0 primary on node-a, replica on node-b",
        "  demo-v1: shard 1 primary on node-b, replica unassigned (NODE_LEFT)",
    ]  # .tasks is all started: not shown


@pytest.mark.usefixtures("fakes")
def test_kafka_unreachable_gives_an_error_line(settings: ClusterInfraSettings) -> None:
    FakeAdmin.fail = KafkaConnectionError("Unable to bootstrap from invented")
    lines = cluster_report(settings).lines()
    assert (
        lines[0] == f"kafka: error: {settings.kafka_bootstrap}: KafkaConnectionError: Unable to bootstrap from invented"
    )
    assert lines[1].startswith("elasticsearch demo-cluster: yellow")


def test_elasticsearch_asks_each_node_until_one_answers(
    settings: ClusterInfraSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    voting = {"metadata": {"cluster_coordination": {"last_committed_config": ["idA"]}}}
    answers = {"_cluster/health": HEALTH, "_cat/nodes": NODES, "_cluster/state": voting, "_cat/shards": []}
    asked: list[str] = []

    def first_down(url: str) -> Any:
        asked.append(url)
        return fake_es({":9210/": urllib.error.URLError("Connection refused"), **answers})(url)

    monkeypatch.setattr(cluster_status, "get_json", first_down)
    view = cluster_status.es_view(settings)
    assert view.error is None and asked[0].startswith("http://localhost:9210/")
    assert all(url.startswith("http://localhost:9211/") for url in asked[1:])
    assert [(n.name, n.voter) for n in view.nodes] == [("node-a", True), ("node-b", False)]


def test_elasticsearch_unreachable_gives_an_error_line(
    settings: ClusterInfraSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(url: str) -> Any:
        raise urllib.error.URLError("Connection refused")

    monkeypatch.setattr(cluster_status, "get_json", refused)
    assert cluster_status.es_view(settings).error == (
        "http://localhost:9210: Connection refused; http://localhost:9211: Connection refused"
    )
    assert cluster_status.es_lines(cluster_status.es_view(settings)) == [
        "elasticsearch: error: http://localhost:9210: Connection refused; http://localhost:9211: Connection refused"
    ]


def test_quorum_answer_decodes_to_its_leader() -> None:
    voter = {"replica_id": 1, "log_end_offset": 7, "tags": {}}
    partition: tuple[Any, ...] = (0, 0, 3, 5, 7, [(1, 7, {}), (3, 7, {})], [], {})
    encoded = DescribeQuorumResponse_v0(0, [("__cluster_metadata", [partition], {})], {}).encode()
    answer = DescribeQuorumResponse_v0.decode(encoded).to_object()
    assert answer["topics"][0]["partitions"][0]["leader_id"] == 3
    assert answer["topics"][0]["partitions"][0]["current_voters"][0] == voter


def test_quorum_leader_is_none_when_the_broker_cannot_be_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError("Connection refused")

    monkeypatch.setattr(cluster_status, "create_conn", refused)
    assert cluster_status.run_apart(cluster_status.quorum_leader("localhost", 1, 1.0)) is None
