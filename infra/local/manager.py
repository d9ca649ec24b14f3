"""``up`` / ``down`` / ``status`` of the local Kafka + Elasticsearch of one run directory."""

from __future__ import annotations

import errno
import fcntl
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from infra.local import es_node, kafka_node
from infra.local.artifacts import elasticsearch_cached, kafka_cached
from infra.local.errors import InfraError
from infra.local.health import es_problem, kafka_problem, wait_for_elasticsearch, wait_for_kafka
from infra.local.jdk import find_java_home
from infra.local.layout import ELASTICSEARCH, KAFKA, ServiceDirs, make_dir
from infra.local.ports import describe_busy_port, port_in_use
from infra.local.processes import running_pid, stop
from infra.local.settings import InfraSettings
from infra.local.status import InfraStatus, ServiceStatus

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class _Service:
    """One kind of node; every callable takes the node's number (0 for a single node)."""

    name: str
    label: str
    count: Callable[[InfraSettings], int]
    dirs: Callable[[InfraSettings, int], ServiceDirs]
    cached: Callable[[InfraSettings], bool]
    launch: Callable[[InfraSettings, Path, int], int]
    probe: Callable[[InfraSettings, int], str | None]
    wait: Callable[..., None]
    ports: Callable[[InfraSettings, int], dict[int, str]]  # port -> the variable that sets it
    version: Callable[[InfraSettings], str]
    address: Callable[[InfraSettings, int], str]
    port: Callable[[InfraSettings, int], int]


def _variable(settings: InfraSettings, name: str) -> str:
    return f"{settings.model_config.get('env_prefix', '')}{name}".upper()


_SERVICES = (
    _Service(
        name=KAFKA,
        label="Kafka",
        count=lambda s: s.kafka_nodes,
        dirs=kafka_node.dirs,
        cached=kafka_cached,
        launch=kafka_node.launch,
        probe=lambda s, node: kafka_problem(s, node=node),
        wait=wait_for_kafka,
        ports=lambda s, node: {
            s.kafka_port_of(node): _variable(s, "kafka_port"),
            s.kafka_controller_port_of(node): _variable(s, "kafka_controller_port"),
        },
        version=lambda s: s.kafka_version,
        address=lambda s, node: f"localhost:{s.kafka_port_of(node)}",
        port=lambda s, node: s.kafka_port_of(node),
    ),
    _Service(
        name=ELASTICSEARCH,
        label="Elasticsearch",
        count=lambda s: s.es_nodes,
        dirs=es_node.dirs,
        cached=elasticsearch_cached,
        launch=es_node.launch,
        probe=lambda s, node: es_problem(s, node=node),
        wait=wait_for_elasticsearch,
        ports=lambda s, node: {
            s.es_port_of(node): _variable(s, "es_port"),
            s.es_transport_port_of(node): _variable(s, "es_transport_port"),
        },
        version=lambda s: s.es_version,
        address=lambda s, node: s.es_urls[node],
        port=lambda s, node: s.es_port_of(node),
    ),
)


@dataclass(frozen=True)
class _Node:
    service: _Service
    number: int  # 0-based

    def dirs(self, settings: InfraSettings) -> ServiceDirs:
        return self.service.dirs(settings, self.number)

    def label(self, settings: InfraSettings) -> str:
        if self.service.count(settings) == 1:
            return self.service.label
        return f"{self.service.label} node {self.number + 1}"


def _nodes(settings: InfraSettings) -> list[_Node]:
    return [_Node(service, n) for service in _SERVICES for n in range(service.count(settings))]


@contextmanager
def _run_dir_lock(settings: InfraSettings) -> Iterator[None]:
    """One up/down at a time per run directory (e.g. ``make demo`` racing a test session)."""
    make_dir(settings.run_dir)
    deadline = time.monotonic() + settings.start_timeout_s + STOP_TIMEOUT_S
    with open(settings.run_dir / ".lock", "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise InfraError(f"another newsflow infra command holds {settings.run_dir}/.lock") from exc
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_ports_free(node: _Node, settings: InfraSettings) -> None:
    for port, variable in node.service.ports(settings, node.number).items():
        if port_in_use(port):
            label = node.label(settings)
            raise InfraError(
                f"{label} cannot start: {describe_busy_port(port)}, which is not the {label} "
                f"of {settings.run_dir}. Stop that process or choose another port with {variable}."
            )


def up(settings: InfraSettings) -> InfraStatus:
    """Start every Kafka and Elasticsearch node (or reuse ours if already running) and wait until all are
    healthy: on a cluster, until each broker sees all brokers and each Elasticsearch node all nodes.

    On failure the nodes this call started are stopped again and InfraError is raised.
    """
    java_home = find_java_home(settings)
    es_node.preflight(settings)
    reused: set[str] = set()
    downloaded: set[str] = set()
    with _run_dir_lock(settings):
        started: list[_Node] = []
        try:
            for node in _nodes(settings):
                dirs = node.dirs(settings)
                if running_pid(dirs) is not None:
                    logger.info("%s of %s is already running; reusing it", node.label(settings), settings.run_dir)
                    reused.add(dirs.name)
                    continue
                stop(dirs, timeout_s=STOP_TIMEOUT_S)  # leftovers whose group leader is gone
                _check_ports_free(node, settings)
                if not node.service.cached(settings):
                    downloaded.add(dirs.name)
                node.service.launch(settings, java_home, node.number)
                started.append(node)
            for node in _nodes(settings):
                dirs = node.dirs(settings)
                node.service.wait(
                    settings,
                    log_path=dirs.log_path,
                    alive=lambda dirs=dirs: running_pid(dirs) is not None,
                    node=node.number,
                )
        except BaseException:
            for node in reversed(started):
                try:
                    stop(node.dirs(settings), timeout_s=STOP_TIMEOUT_S)
                except InfraError as exc:
                    logger.warning("could not stop %s after a failed start: %s", node.label(settings), exc)
            raise
    return _collect(settings, reused=reused, downloaded=downloaded)


def down(settings: InfraSettings) -> None:
    """Stop this run directory's Elasticsearch and Kafka nodes; leaves no process of theirs behind."""
    # Without a run dir there is no lock to take, but processes tagged with it may still be around.
    guard: AbstractContextManager[None] = _run_dir_lock(settings) if settings.run_dir.is_dir() else nullcontext()
    with guard:
        for service in reversed(_SERVICES):
            nodes = [node for node in _nodes(settings) if node.service is service]
            # A kind's nodes stop together: a KRaft broker stopped after a majority of the controller
            # quorum is gone waits in vain for its controlled shutdown (until the SIGKILL timeout).
            with ThreadPoolExecutor(max_workers=len(nodes), thread_name_prefix="stop") as pool:
                stopped = list(pool.map(lambda node: stop(node.dirs(settings), timeout_s=STOP_TIMEOUT_S), nodes))
            for node, pids in zip(nodes, stopped, strict=True):
                if pids:
                    logger.info("stopped %s (pids %s)", node.label(settings), pids)


def wipe_data(settings: InfraSettings) -> list[Path]:
    """Delete the data of every node of this stopped run dir (topics, offsets, indices); the next ``up``
    formats the brokers again. For disposable run dirs (tests, benchmarks), whose data would otherwise
    pile up run after run: a broker that loads thousands of old partitions at start answers Metadata
    long before it serves a new consumer group well. InfraError if a node of the run dir is running."""
    running = [node.dirs(settings).name for node in _nodes(settings) if running_pid(node.dirs(settings)) is not None]
    if running:
        raise InfraError(f"will not wipe the data of {settings.run_dir}: {', '.join(running)} running")
    wiped = [node.dirs(settings).root / "data" for node in _nodes(settings)]
    wiped = [path for path in wiped if path.exists()]
    for path in wiped:
        shutil.rmtree(path)
    (settings.run_dir / "kafka-cluster.id").unlink(missing_ok=True)
    if wiped:
        logger.info("wiped %s", ", ".join(str(p) for p in wiped))
    return wiped


def status(settings: InfraSettings) -> InfraStatus:
    """Running and healthy state of both services; never starts or stops anything."""
    return _collect(settings, reused=set(), downloaded=set())


def _collect(settings: InfraSettings, *, reused: set[str], downloaded: set[str]) -> InfraStatus:
    found: list[ServiceStatus] = []
    for node in _nodes(settings):
        service, dirs = node.service, node.dirs(settings)
        pid = running_pid(dirs)
        port = service.port(settings, node.number)
        if pid is not None:
            problem = service.probe(settings, node.number)
        elif port_in_use(port):
            problem = f"not running; {describe_busy_port(port)} (not ours)"
        else:
            problem = "not running"
        found.append(
            ServiceStatus(
                name=dirs.name,
                version=service.version(settings),
                address=service.address(settings, node.number),
                port=port,
                pid=pid,
                healthy=pid is not None and problem is None,
                problem=problem,
                log_path=dirs.log_path,
                reused=dirs.name in reused,
                downloaded=dirs.name in downloaded,
            )
        )
    kafka = [s for s in found if s.name.startswith(KAFKA)]
    elasticsearch = [s for s in found if s.name.startswith(ELASTICSEARCH)]
    return InfraStatus(
        run_dir=settings.run_dir,
        cache_dir=settings.cache_dir,
        kafka=kafka[0],
        elasticsearch=elasticsearch[0],
        more=(*kafka[1:], *elasticsearch[1:]),
    )
