from __future__ import annotations

import json
from pathlib import Path

from infra.local.configs import render_elasticsearch_yml, render_kafka_log4j, render_server_properties
from infra.local.settings import InfraSettings


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def _settings(tmp_path: Path) -> InfraSettings:
    return InfraSettings(
        cache_dir=tmp_path / "cache",
        kafka_port=29092,
        kafka_controller_port=29093,
        es_port=29200,
        es_transport_port=29300,
        kafka_message_max_bytes=2_000_000,
    )


def test_server_properties(tmp_path: Path) -> None:
    data = tmp_path / "run" / "kafka" / "data"
    props = _properties(render_server_properties(_settings(tmp_path), data))
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@localhost:29093"
    assert props["listeners"] == "PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093"
    assert props["advertised.listeners"] == "PLAINTEXT://localhost:29092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["log.dirs"] == str(data)
    assert props["auto.create.topics.enable"] == "true"
    assert props["message.max.bytes"] == "2000000"
    assert props["num.partitions"] == "6"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_kafka_log4j_logs_to_stdout() -> None:
    text = render_kafka_log4j()
    assert "log4j.rootLogger=INFO, stdout" in text
    assert "org.apache.log4j.ConsoleAppender" in text


def test_elasticsearch_yml(tmp_path: Path) -> None:
    data, logs = tmp_path / "with space" / "data", tmp_path / "logs"
    lines = render_elasticsearch_yml(_settings(tmp_path), data, logs).splitlines()
    assert "http.port: 29200" in lines
    assert "transport.port: 29300" in lines
    assert "network.host: 127.0.0.1" in lines
    assert "discovery.type: single-node" in lines
    assert "xpack.security.enabled: false" in lines
    assert "xpack.ml.enabled: false" in lines
    assert "cluster.routing.allocation.disk.threshold_enabled: false" in lines
    assert f"path.data: {json.dumps(str(data))}" in lines
    assert f"path.logs: {json.dumps(str(logs))}" in lines
    assert not any(line.startswith("action.auto_create_index") for line in lines)
