"""The pipeline's services for one benchmark run: real processes on the benchmark's own infra and names,
started, awaited (ingest's ``/readyz``, each worker's readiness file) and stopped by ``newsflow.launcher``."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from adapters.settings import TopicSettings
from infra.local import InfraSettings, es_node, kafka_node
from infra.local.layout import ServiceDirs
from infra.local.processes import running_pid, service_processes
from newsflow import launcher
from newsflow.launcher import Launch, ServiceName, ServiceValues, without_newsflow

INGEST_READY_S = 120.0
WORKERS_READY_S = 180.0
STOP_S = 30.0


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@dataclass
class BenchStack:
    """Ingest + enrich workers, each run under ``<run dir>/<name>/``, on unique topics and alias."""

    infra: InfraSettings
    partitions: int = 6
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    ingest_port: int = 18700
    started: list[Launch] = field(default_factory=list)

    @property
    def alias(self) -> str:
        return f"bench{self.suffix}-articles"

    @property
    def raw_topic(self) -> str:
        return f"bench{self.suffix}.articles.raw"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    def values(self, service: ServiceName, n: int = 0) -> ServiceValues:
        """What ``service`` (worker ``n``) runs with: this run's infra, topics and alias; no web server."""
        topics = TopicSettings(
            raw=self.raw_topic,
            enriched=f"bench{self.suffix}.articles.enriched",
            dlq=f"bench{self.suffix}.articles.dlq",
            partitions=self.partitions,
            replication_factor=self.infra.replication_factor,
        )
        # Every broker and every Elasticsearch node: one of each on the single node, all of them on a cluster.
        shared = ServiceValues(
            kafka_bootstrap=self.infra.kafka_bootstrap,
            es_url=self.infra.es_hosts,
            topics=topics,
            index_alias=self.alias,
        )
        if service == "ingest":
            return replace(shared, host="127.0.0.1", port=self.ingest_port)
        data_dir = self.infra.run_dir / f"enrich{n}" / "data"
        return replace(shared, app_id=f"bench{self.suffix}-enrich", web_enabled=False, data_dir=data_dir)

    def _launch(self, service: ServiceName, name: str, n: int = 0) -> Launch:
        dirs = ServiceDirs(name=name, root=self.infra.run_dir / name)
        return Launch.of(service, dirs, self.values(service, n), base=without_newsflow(os.environ))

    def _start(self, launches: list[Launch], timeout_s: float) -> None:
        for launch in launches:
            launcher.start(launch)
            self.started.append(launch)
        launcher.wait_ready(launches, timeout_s)

    def start_ingest(self) -> None:
        self._start([self._launch("ingest", "ingest")], INGEST_READY_S)

    def start_workers(self, count: int) -> None:
        self._start([self._launch("enrich", f"enrich{n}", n) for n in range(count)], WORKERS_READY_S)

    def peak_rss(self, name: str) -> float | None:
        pid = next((running_pid(s.dirs) for s in self.started if s.name == name), None)
        return peak_rss_mb(pid) if pid else None

    def stop(self, name: str) -> None:
        for launch in [s for s in self.started if s.name == name]:
            launcher.stop(launch, timeout_s=STOP_S)
        self.started = [s for s in self.started if s.name != name]

    def stop_all(self) -> None:
        for launch in reversed(self.started):
            launcher.stop(launch, timeout_s=STOP_S)
        self.started.clear()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def infra_nodes(infra: InfraSettings) -> dict[str, list[ServiceDirs]]:
    """Each node's directories by kind: one of each on the single node, every broker and ES node on a cluster."""
    return {
        "kafka": [kafka_node.dirs(infra, i) for i in range(infra.kafka_nodes)],
        "elasticsearch": [es_node.dirs(infra, i) for i in range(infra.es_nodes)],
    }


def node_pids(dirs: ServiceDirs) -> list[int]:
    """The live processes of one Kafka or Elasticsearch node (launcher and JVM), as infra/local knows them."""
    return [p.pid for p in service_processes(dirs)]


def es_node_pids(infra: InfraSettings) -> list[int]:
    """Every process of every Elasticsearch node (launcher and JVM)."""
    return [pid for dirs in infra_nodes(infra)["elasticsearch"] for pid in node_pids(dirs)]


def cpu_by_component(infra: InfraSettings, stack: BenchStack) -> dict[str, float]:
    """CPU seconds used so far by Kafka and Elasticsearch (summed over all their nodes) and each service of
    ``stack``."""
    out: dict[str, float] = {}
    for kind, nodes in infra_nodes(infra).items():
        pids = [pid for dirs in nodes for pid in node_pids(dirs)]
        if pids:
            out[kind] = sum(_cpu_seconds(pid) for pid in pids)
    for launch in stack.started:
        service_pid = running_pid(launch.dirs)
        if service_pid is not None:
            out[launch.name] = _cpu_seconds(service_pid)
    return out


def jvm_peak_rss(infra: InfraSettings) -> dict[str, float]:
    """Peak RSS (``VmHWM``, MiB) of each Kafka and Elasticsearch node (all of its processes added up), the
    sum per kind and in all. Peaks since each process started: a reused stack counts its earlier work too."""
    out: dict[str, float] = {}
    for kind, nodes in infra_nodes(infra).items():
        for dirs in nodes:
            out[dirs.name] = round(sum(peak_rss_mb(pid) or 0.0 for pid in node_pids(dirs)), 1)
        out[f"{kind}_total"] = round(sum(out[dirs.name] for dirs in nodes), 1)
    out["total"] = round(out["kafka_total"] + out["elasticsearch_total"], 1)
    return out


def cpu_share(before: dict[str, float], after: dict[str, float], wall_s: float) -> dict[str, float]:
    """Cores used by each component between two snapshots (1.0 = one core busy all the time)."""
    return {k: round((after.get(k, 0.0) - before.get(k, 0.0)) / wall_s, 2) for k in sorted(after)}
