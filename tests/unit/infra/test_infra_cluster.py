"""A local cluster: three KRaft brokers and two Elasticsearch nodes, their ports, configs and start order."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.local import kafka_node
from infra.local.configs import render_elasticsearch_yml, render_server_properties
from infra.local.settings import ClusterInfraSettings, InfraSettings


@pytest.fixture
def cluster(tmp_path: Path) -> ClusterInfraSettings:
    return ClusterInfraSettings(cache_dir=tmp_path / "cache", run_dir=tmp_path / "run")


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def test_cluster_defaults_do_not_collide_with_the_single_node(cluster: ClusterInfraSettings) -> None:
    single = InfraSettings()
    assert (cluster.kafka_nodes, cluster.es_nodes) == (3, 2)
    assert cluster.kafka_bootstrap == "localhost:9292,localhost:9293,localhost:9294"
    assert cluster.es_hosts == "http://localhost:9210,http://localhost:9211"
    assert cluster.es_url == "http://localhost:9210"
    assert ClusterInfraSettings().run_dir.name == "cluster" and single.run_dir.name == "default"
    cluster_ports = {cluster.kafka_port_of(i) for i in range(3)} | {cluster.es_port_of(i) for i in range(2)}
    assert not cluster_ports & {single.kafka_port, single.kafka_controller_port, single.es_port}
    assert cluster.replication_factor == 3 and cluster.min_insync_replicas == 2
    assert single.replication_factor == 1 and single.min_insync_replicas == 1


def test_cluster_takes_its_own_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSFLOW_CLUSTER_KAFKA_PORT", "39092")
    monkeypatch.setenv("NEWSFLOW_INFRA_KAFKA_PORT", "1234")
    monkeypatch.setenv("NEWSFLOW_INFRA_CACHE_DIR", str(tmp_path / "shared"))
    settings = ClusterInfraSettings()
    assert settings.kafka_port == 39092
    assert settings.cache_dir == (tmp_path / "shared").resolve()  # artifacts are shared with the single node


def test_node_ports_counting_up_must_not_overlap(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must differ"):
        ClusterInfraSettings(kafka_port=9300, kafka_controller_port=9302, run_dir=tmp_path)


def test_every_broker_is_a_voter_with_its_own_id_and_ports(cluster: ClusterInfraSettings, tmp_path: Path) -> None:
    rendered = [_properties(render_server_properties(cluster, tmp_path / f"d{n}", n)) for n in range(3)]
    voters = "1@localhost:9392,2@localhost:9393,3@localhost:9394"
    assert [p["node.id"] for p in rendered] == ["1", "2", "3"]
    assert {p["controller.quorum.voters"] for p in rendered} == {voters}
    assert [p["advertised.listeners"] for p in rendered] == [f"PLAINTEXT://localhost:{9292 + n}" for n in range(3)]
    for p in rendered:
        assert p["default.replication.factor"] == "3" and p["min.insync.replicas"] == "2"
        assert p["offsets.topic.replication.factor"] == "3" and p["transaction.state.log.min.isr"] == "2"


def test_single_broker_keeps_replication_one(tmp_path: Path) -> None:
    p = _properties(render_server_properties(InfraSettings(run_dir=tmp_path), tmp_path / "data"))
    assert p["controller.quorum.voters"] == "1@localhost:9093"
    assert p["offsets.topic.replication.factor"] == "1" and p["min.insync.replicas"] == "1"


def test_elasticsearch_nodes_find_each_other(cluster: ClusterInfraSettings, tmp_path: Path) -> None:
    first, second = (render_elasticsearch_yml(cluster, tmp_path / "data", tmp_path / "logs", n) for n in range(2))
    for text in (first, second):
        assert 'discovery.seed_hosts: ["127.0.0.1:9310", "127.0.0.1:9311"]' in text
        assert 'cluster.initial_master_nodes: ["newsflow-1", "newsflow-2"]' in text
        assert "single-node" not in text
    assert "node.name: newsflow-1" in first and "http.port: 9211" in second and "transport.port: 9311" in second


def test_all_brokers_are_formatted_with_one_cluster_id(cluster: ClusterInfraSettings) -> None:
    first = kafka_node.cluster_id(cluster)
    assert kafka_node.cluster_id(cluster) == first  # kept in the run dir until a node is formatted
    data = kafka_node.dirs(cluster, 2).root / "data"
    data.mkdir(parents=True)
    (data / "meta.properties").write_text("version=1\ncluster.id=FormattedId123\nnode.id=3\n", encoding="utf-8")
    assert kafka_node.cluster_id(cluster) == "FormattedId123"  # a formatted node's id wins
    assert [kafka_node.dirs(cluster, n).name for n in range(3)] == ["kafka-1", "kafka-2", "kafka-3"]
