"""Where things live: the artifact cache and the per-run service directories."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from infra.local.settings import InfraSettings

KAFKA = "kafka"
ELASTICSEARCH = "elasticsearch"
# Written last into a cache entry; an entry without it is incomplete and is redone.
STAMP_NAME = ".newsflow-complete"
# Set in the environment of every process we start; ``<service>@<service run dir>``.
TAG_VARIABLE = "NEWSFLOW_LOCAL_SERVICE"


def kafka_cache(settings: InfraSettings) -> Path:
    return settings.cache_dir / f"kafka-{settings.kafka_version}"


def kafka_libs(settings: InfraSettings) -> Path:
    return kafka_cache(settings) / "libs"


def es_home(settings: InfraSettings) -> Path:
    return settings.cache_dir / f"elasticsearch-{settings.es_version}"


@dataclass(frozen=True)
class ServiceDirs:
    """``<run_dir>/<name>/``: config, data, the console log and the pid file of one service."""

    name: str
    root: Path

    @property
    def log_path(self) -> Path:
        return self.root / "console.log"

    @property
    def pid_path(self) -> Path:
        return self.root / f"{self.name}.pid"

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.root}"


def service_dirs(settings: InfraSettings, name: str) -> ServiceDirs:
    return ServiceDirs(name=name, root=settings.run_dir / name)


def node_count(settings: InfraSettings, kind: str) -> int:
    return settings.kafka_nodes if kind == KAFKA else settings.es_nodes


def node_name(settings: InfraSettings, kind: str, node: int) -> str:
    """``kafka`` for a single node (the layout before clusters), ``kafka-1``.. in a cluster."""
    return kind if node_count(settings, kind) == 1 else f"{kind}-{node + 1}"


def node_dirs(settings: InfraSettings, kind: str, node: int) -> ServiceDirs:
    return service_dirs(settings, node_name(settings, kind, node))


def make_dir(path: Path) -> Path:
    """``mkdir -p`` whose new directories are 0755 whatever the umask (Elasticsearch may run as nobody)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue
        os.chmod(directory, 0o755)
    return path
