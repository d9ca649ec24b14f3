"""Render the configuration files of the local Kafka broker and Elasticsearch node (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

from infra.local.settings import InfraSettings


def render_server_properties(settings: InfraSettings, data_dir: Path) -> str:
    """A single combined KRaft broker+controller listening on localhost only."""
    port, controller = settings.kafka_port, settings.kafka_controller_port
    lines = [
        "# Written by infra/local on every start; edits are overwritten.",
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@localhost:{controller}",
        f"listeners=PLAINTEXT://localhost:{port},CONTROLLER://localhost:{controller}",
        f"advertised.listeners=PLAINTEXT://localhost:{port}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={data_dir}",
        "num.partitions=6",
        # faust creates its changelog/repartition topics through auto-creation and the admin API.
        "auto.create.topics.enable=true",
        f"message.max.bytes={settings.kafka_message_max_bytes}",
        f"replica.fetch.max.bytes={settings.kafka_message_max_bytes}",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=6",
        "group.initial.rebalance.delay.ms=0",
    ]
    return "\n".join(lines) + "\n"


def render_kafka_log4j() -> str:
    """Log4j 1 (reload4j) configuration: INFO to stdout, which goes to the service's console.log."""
    lines = [
        "log4j.rootLogger=INFO, stdout",
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
        "log4j.logger.kafka.request.logger=WARN",
        "log4j.logger.state.change.logger=WARN",
        "log4j.logger.kafka.controller=INFO",
        "log4j.logger.org.apache.kafka.clients=WARN",
    ]
    return "\n".join(lines) + "\n"


def render_elasticsearch_yml(settings: InfraSettings, data_dir: Path, logs_dir: Path) -> str:
    """A single-node, security-off Elasticsearch bound to 127.0.0.1 (so no production bootstrap checks)."""
    lines = [
        "# Written by infra/local on every start; edits are overwritten.",
        "cluster.name: newsflow-local",
        "node.name: newsflow-local",
        "discovery.type: single-node",
        "network.host: 127.0.0.1",
        f"http.port: {settings.es_port}",
        f"transport.port: {settings.es_transport_port}",
        f"path.data: {_yaml_string(data_dir)}",
        f"path.logs: {_yaml_string(logs_dir)}",
        "xpack.security.enabled: false",
        "xpack.ml.enabled: false",
        "cluster.routing.allocation.disk.threshold_enabled: false",
    ]
    return "\n".join(lines) + "\n"


def _yaml_string(path: Path) -> str:
    # A JSON string is a valid double-quoted YAML scalar: safe for any path.
    return json.dumps(str(path))
