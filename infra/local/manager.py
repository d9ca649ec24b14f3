"""``up`` / ``down`` / ``status`` of the local Kafka + Elasticsearch of one run directory."""

from __future__ import annotations

import errno
import fcntl
import logging
import time
from collections.abc import Callable, Iterator
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
    name: str
    label: str
    dirs: Callable[[InfraSettings], ServiceDirs]
    cached: Callable[[InfraSettings], bool]
    launch: Callable[[InfraSettings, Path], int]
    probe: Callable[[InfraSettings], str | None]
    wait: Callable[..., None]
    ports: Callable[[InfraSettings], dict[int, str]]  # port -> the variable that sets it
    version: Callable[[InfraSettings], str]
    address: Callable[[InfraSettings], str]
    port: Callable[[InfraSettings], int]


_SERVICES = (
    _Service(
        name=KAFKA,
        label="Kafka",
        dirs=kafka_node.dirs,
        cached=kafka_cached,
        launch=kafka_node.launch,
        probe=kafka_problem,
        wait=wait_for_kafka,
        ports=lambda s: {
            s.kafka_port: "NEWSFLOW_INFRA_KAFKA_PORT",
            s.kafka_controller_port: "NEWSFLOW_INFRA_KAFKA_CONTROLLER_PORT",
        },
        version=lambda s: s.kafka_version,
        address=lambda s: s.kafka_bootstrap,
        port=lambda s: s.kafka_port,
    ),
    _Service(
        name=ELASTICSEARCH,
        label="Elasticsearch",
        dirs=es_node.dirs,
        cached=elasticsearch_cached,
        launch=es_node.launch,
        probe=es_problem,
        wait=wait_for_elasticsearch,
        ports=lambda s: {s.es_port: "NEWSFLOW_INFRA_ES_PORT", s.es_transport_port: "NEWSFLOW_INFRA_ES_TRANSPORT_PORT"},
        version=lambda s: s.es_version,
        address=lambda s: s.es_url,
        port=lambda s: s.es_port,
    ),
)


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


def _check_ports_free(service: _Service, settings: InfraSettings) -> None:
    for port, variable in service.ports(settings).items():
        if port_in_use(port):
            raise InfraError(
                f"{service.label} cannot start: {describe_busy_port(port)}, which is not the {service.label} "
                f"of {settings.run_dir}. Stop that process or choose another port with {variable}."
            )


def up(settings: InfraSettings) -> InfraStatus:
    """Start Kafka and Elasticsearch (or reuse ours if already running) and wait until both are healthy.

    On failure the services this call started are stopped again and InfraError is raised.
    """
    java_home = find_java_home(settings)
    es_node.preflight(settings)
    reused: set[str] = set()
    downloaded: set[str] = set()
    with _run_dir_lock(settings):
        started: list[_Service] = []
        try:
            for service in _SERVICES:
                dirs = service.dirs(settings)
                if running_pid(dirs) is not None:
                    logger.info("%s of %s is already running; reusing it", service.label, settings.run_dir)
                    reused.add(service.name)
                    continue
                stop(dirs, timeout_s=STOP_TIMEOUT_S)  # leftovers whose group leader is gone
                _check_ports_free(service, settings)
                if not service.cached(settings):
                    downloaded.add(service.name)
                service.launch(settings, java_home)
                started.append(service)
            for service in _SERVICES:
                dirs = service.dirs(settings)
                service.wait(settings, log_path=dirs.log_path, alive=lambda dirs=dirs: running_pid(dirs) is not None)
        except BaseException:
            for service in reversed(started):
                try:
                    stop(service.dirs(settings), timeout_s=STOP_TIMEOUT_S)
                except InfraError as exc:
                    logger.warning("could not stop %s after a failed start: %s", service.label, exc)
            raise
    return _collect(settings, reused=reused, downloaded=downloaded)


def down(settings: InfraSettings) -> None:
    """Stop this run directory's Elasticsearch and Kafka; leaves no process of theirs behind."""
    # Without a run dir there is no lock to take, but processes tagged with it may still be around.
    guard: AbstractContextManager[None] = _run_dir_lock(settings) if settings.run_dir.is_dir() else nullcontext()
    with guard:
        for service in reversed(_SERVICES):
            pids = stop(service.dirs(settings), timeout_s=STOP_TIMEOUT_S)
            if pids:
                logger.info("stopped %s (pids %s)", service.label, pids)


def status(settings: InfraSettings) -> InfraStatus:
    """Running and healthy state of both services; never starts or stops anything."""
    return _collect(settings, reused=set(), downloaded=set())


def _collect(settings: InfraSettings, *, reused: set[str], downloaded: set[str]) -> InfraStatus:
    found = {}
    for service in _SERVICES:
        dirs = service.dirs(settings)
        pid = running_pid(dirs)
        port = service.port(settings)
        if pid is not None:
            problem = service.probe(settings)
        elif port_in_use(port):
            problem = f"not running; {describe_busy_port(port)} (not ours)"
        else:
            problem = "not running"
        found[service.name] = ServiceStatus(
            name=service.name,
            version=service.version(settings),
            address=service.address(settings),
            port=port,
            pid=pid,
            healthy=pid is not None and problem is None,
            problem=problem,
            log_path=dirs.log_path,
            reused=service.name in reused,
            downloaded=service.name in downloaded,
        )
    return InfraStatus(
        run_dir=settings.run_dir, cache_dir=settings.cache_dir, kafka=found[KAFKA], elasticsearch=found[ELASTICSEARCH]
    )
