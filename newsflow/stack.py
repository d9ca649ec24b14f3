"""``newsflow up`` / ``down``: the local infra plus both services as background processes.

The services run as ``python -m newsflow serve <name>`` under ``<run dir>/<name>/`` (console log and
pid file), started, awaited and stopped by ``newsflow.launcher`` so that ``down`` stops exactly them.
A service is judged by its own state: its process (pid and create time), ingest's ``/readyz`` answered
by that process, the readiness file the enrich worker writes once it is ready (``enrich_service.readiness``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from infra.local import InfraError, InfraSettings, down, up
from infra.local.layout import ServiceDirs
from newsflow import launcher
from newsflow.launcher import SERVICES, Launch, ServiceName, ServiceValues, service_env

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = launcher.READY_TIMEOUT_S
STOP_TIMEOUT_S = launcher.STOP_TIMEOUT_S
#: What ``newsflow up`` raises: the launcher's error (a service that exits, misses its deadline, finds its
#: port taken), or the infra's.
StackError = launcher.LaunchError


@dataclass(frozen=True)
class Services:
    """Both services of one run directory, and the environment they run with (which says where they listen)."""

    run_dir: Path
    env: Mapping[str, str]

    def dirs(self, name: str) -> ServiceDirs:
        return ServiceDirs(name=name, root=self.run_dir / name)

    def launch(self, name: ServiceName) -> Launch:
        return Launch(name, self.dirs(name), self.env)

    @property
    def ingest_port(self) -> int:
        return self.launch("ingest").ingest_port

    @property
    def ingest_url(self) -> str:
        return self.launch("ingest").ingest_url

    def listen_port(self, name: ServiceName) -> tuple[int, str] | None:
        """The port ``name`` will listen on and the variable that sets it (None: the worker's web server is off)."""
        return self.launch(name).listen_port

    @property
    def ready_file(self) -> Path:
        return self.launch("enrich").ready_file


def services_for(
    infra: InfraSettings, *, run_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> Services:
    """The services pointed at ``infra`` unless ``env`` (default: this process's) says otherwise.

    They live under ``run_dir`` (default: the infra's run dir); the worker's data dir and readiness file too,
    unless set in ``env``.
    """
    root = run_dir or infra.run_dir
    # A cluster's topics get its replication (3, min in sync 2); the index replicas follow the nodes ("0-1").
    extra = {"topics__replication_factor": str(infra.replication_factor)} if infra.cluster else {}
    shared = ServiceValues(kafka_bootstrap=infra.kafka_bootstrap, es_url=infra.es_hosts, extra=extra)
    worker = replace(shared, data_dir=root / "enrich" / "data", ready_file=root / "enrich" / "ready.json")
    values = service_env("ingest", shared, os.environ if env is None else env)
    return Services(run_dir=root, env=service_env("enrich", worker, values))


def wait_ready(services: Services, timeout_s: float = READY_TIMEOUT_S) -> dict[str, int]:
    """Wait until both services are ready; their pids. StackError if one exits or the deadline passes."""
    return launcher.wait_ready([services.launch(name) for name in SERVICES], timeout_s)


def start_services(services: Services, timeout_s: float = READY_TIMEOUT_S) -> list[str]:
    """Start the services that are not running (ours, by pid and create time) and wait until both are ready."""
    for name in SERVICES:
        launcher.start(services.launch(name))
    pids = wait_ready(services, timeout_s)
    lines = [f"{name} running, pid {pids[name]}; log {services.dirs(name).log_path}" for name in SERVICES]
    url = services.ingest_url
    lines.append(f"ingest API {url} (docs {url}/docs); search {url}/search?q=...")
    return lines


def stop_services(services: Services, timeout_s: float = STOP_TIMEOUT_S) -> list[int]:
    """Stop both services (ingest first: nothing new is accepted while the worker finishes its batch)."""
    pids: list[int] = []
    for name in SERVICES:
        pids += launcher.stop(services.launch(name), timeout_s=timeout_s)
    return pids


def stack_up(
    start_infra: bool = True, *, infra: InfraSettings | None = None, services: Services | None = None
) -> list[str]:
    """Infra (unless ``start_infra`` is false) and both services up and ready; the lines to print.

    ``infra`` defaults to ``InfraSettings()``, ``services`` to ``services_for(infra)``.
    """
    infra = infra or InfraSettings()
    lines: list[str] = []
    try:
        if start_infra:
            lines.append(up(infra).summary())
        lines += start_services(services or services_for(infra))
    except InfraError as exc:
        raise StackError(str(exc)) from exc
    return lines


def stack_down(
    stop_infra: bool = True, *, infra: InfraSettings | None = None, services: Services | None = None
) -> list[int]:
    """Both services down, then the infra (unless ``stop_infra`` is false); the pids of the services stopped."""
    infra = infra or InfraSettings()
    pids = stop_services(services or services_for(infra))
    if stop_infra:
        down(infra)
    return pids
