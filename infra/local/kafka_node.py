"""Run the KRaft Kafka brokers of a run directory: one, or a cluster whose nodes are each broker and controller."""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from pathlib import Path

from infra.local.artifacts import ensure_kafka
from infra.local.configs import render_kafka_log4j, render_server_properties
from infra.local.layout import KAFKA, ServiceDirs, make_dir, node_dirs
from infra.local.processes import run_tool, start_detached
from infra.local.settings import InfraSettings

FORMAT_TIMEOUT_S = 120.0


def dirs(settings: InfraSettings, node: int = 0) -> ServiceDirs:
    return node_dirs(settings, KAFKA, node)


def new_cluster_id() -> str:
    """What ``kafka-storage.sh random-uuid`` prints: 16 random bytes, URL-safe base64, no padding."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):  # Kafka's Uuid.randomUuid() avoids these too
            return text


def _formatted_cluster_id(data: Path) -> str | None:
    meta = data / "meta.properties"
    if not meta.is_file():
        return None
    for line in meta.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id" and value.strip():
            return value.strip()
    return None


def cluster_id(settings: InfraSettings) -> str:
    """The id every node of this run dir is formatted with: a formatted node's, else one kept in the run dir."""
    for node in range(settings.kafka_nodes):
        found = _formatted_cluster_id(dirs(settings, node).root / "data")
        if found:
            return found
    kept = settings.run_dir / "kafka-cluster.id"
    if kept.is_file() and kept.read_text(encoding="ascii").strip():
        return kept.read_text(encoding="ascii").strip()
    make_dir(settings.run_dir)
    chosen = new_cluster_id()
    kept.write_text(chosen + "\n", encoding="ascii")
    return chosen


def launch(settings: InfraSettings, java_home: Path, node: int = 0) -> int:
    """Write the config, format the storage on the node's first start (one cluster id for all), start it."""
    libs = ensure_kafka(settings)
    service = dirs(settings, node)
    make_dir(service.root)
    data = service.root / "data"
    properties = service.root / "server.properties"
    log4j = service.root / "log4j.properties"
    properties.write_text(render_server_properties(settings, data, node), encoding="utf-8")
    log4j.write_text(render_kafka_log4j(), encoding="utf-8")
    java = str(java_home / "bin" / "java")
    classpath = f"{libs}/*"
    logging_option = f"-Dlog4j.configuration=file:{log4j}"
    env = dict(os.environ)
    if not (data / "meta.properties").is_file():
        shutil.rmtree(data, ignore_errors=True)  # a half-formatted directory from an interrupted start
        run_tool(
            [
                java,
                logging_option,
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id(settings),
                "-c",
                str(properties),
            ],
            dirs=service,
            env=env,
            cwd=service.root,
            timeout_s=FORMAT_TIMEOUT_S,
            what="formatting Kafka storage",
        )
    command = [
        java,
        f"-Xms{settings.kafka_heap}",
        f"-Xmx{settings.kafka_heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        logging_option,
        "-cp",
        classpath,
        "kafka.Kafka",
        str(properties),
    ]
    return start_detached(command, dirs=service, env=env, cwd=service.root)
