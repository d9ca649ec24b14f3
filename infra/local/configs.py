"""Render the configuration files of the local Kafka broker and Elasticsearch node (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

from infra.local.settings import InfraSettings


def render_server_properties(settings: InfraSettings, data_dir: Path, node: int = 0) -> str:
    """One combined KRaft broker+controller listening on localhost only; node ``node`` of ``kafka_nodes``.

    Every node is a voter of the controller quorum (3 nodes: a majority of 2 survives one loss). Kafka's
    own topics get the replication of the pipeline's: 3 (min in sync 2) on a cluster, 1 on one node.
    """
    port, controller = settings.kafka_port_of(node), settings.kafka_controller_port_of(node)
    voters = ",".join(f"{i + 1}@localhost:{settings.kafka_controller_port_of(i)}" for i in range(settings.kafka_nodes))
    replicas, min_isr = settings.replication_factor, settings.min_insync_replicas
    lines = [
        "# Written by infra/local on every start; edits are overwritten.",
        "process.roles=broker,controller",
        f"node.id={node + 1}",
        f"controller.quorum.voters={voters}",
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
        f"default.replication.factor={replicas}",
        f"min.insync.replicas={min_isr}",
        f"offsets.topic.replication.factor={replicas}",
        "offsets.topic.num.partitions=6",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={min_isr}",
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


def es_node_name(settings: InfraSettings, node: int) -> str:
    return "newsflow-local" if settings.es_nodes == 1 else f"newsflow-{node + 1}"


def render_elasticsearch_yml(settings: InfraSettings, data_dir: Path, logs_dir: Path, node: int = 0) -> str:
    """A security-off Elasticsearch node bound to 127.0.0.1 (so no production bootstrap checks).

    One node: ``discovery.type: single-node``. A cluster: every node master-eligible and a data node,
    finding the others on their transport ports; the first start bootstraps from all their names.
    """
    if settings.es_nodes == 1:
        discovery = ["cluster.name: newsflow-local", "discovery.type: single-node"]
    else:
        seeds = [f"127.0.0.1:{settings.es_transport_port_of(i)}" for i in range(settings.es_nodes)]
        names = [es_node_name(settings, i) for i in range(settings.es_nodes)]
        discovery = [
            "cluster.name: newsflow-cluster",
            f"discovery.seed_hosts: {json.dumps(seeds)}",
            f"cluster.initial_master_nodes: {json.dumps(names)}",
        ]
    lines = [
        "# Written by infra/local on every start; edits are overwritten.",
        discovery[0],
        f"node.name: {es_node_name(settings, node)}",
        *discovery[1:],
        "network.host: 127.0.0.1",
        f"http.port: {settings.es_port_of(node)}",
        f"transport.port: {settings.es_transport_port_of(node)}",
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
