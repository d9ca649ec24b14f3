"""``newsflow up`` / ``down``: the local infra plus both services as background processes.

The services run as ``python -m newsflow serve <name>`` under ``<run dir>/<name>/`` (console log and
pid file), started and stopped through ``infra.local.processes`` so that ``down`` stops exactly them.
A service is judged by its own state: its process (pid and create time), ingest's ``/readyz`` answered
by that process, the readiness file the enrich worker writes once it is ready (``enrich_service.readiness``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from enrich_service.readiness import read_readiness
from enrich_service.settings import EnrichSettings
from infra.local import InfraError, InfraSettings, down, up
from infra.local.layout import ServiceDirs
from infra.local.logs import describe_log
from infra.local.ports import describe_busy_port, listening_pids, port_in_use
from infra.local.processes import (
    exit_code,
    read_pid,
    read_pid_record,
    running_pid,
    same_create_time,
    start_detached,
    stop,
)
from ingest_service.settings import IngestSettings

logger = logging.getLogger(__name__)

SERVICES = ("ingest", "enrich")
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 45.0
POLL_S = 0.25
_WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


class StackError(RuntimeError):
    pass


def _env_value(env: Mapping[str, str], name: str) -> str | None:
    """``env[name]``, matched without regard to case as pydantic-settings does."""
    wanted = name.upper()
    return next((value for key, value in env.items() if key.upper() == wanted), None)


@dataclass(frozen=True)
class Services:
    """Both services of one run directory, and the environment they run with (which says where they listen)."""

    run_dir: Path
    env: Mapping[str, str]

    def dirs(self, name: str) -> ServiceDirs:
        return ServiceDirs(name=name, root=self.run_dir / name)

    @property
    def ingest_port(self) -> int:
        value = _env_value(self.env, "NEWSFLOW_INGEST_PORT")
        return int(value) if value else int(IngestSettings.model_fields["port"].default)

    @property
    def ingest_url(self) -> str:
        host = _env_value(self.env, "NEWSFLOW_INGEST_HOST") or str(IngestSettings.model_fields["host"].default)
        host = "127.0.0.1" if host in _WILDCARD_HOSTS else host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.ingest_port}"

    def listen_port(self, name: str) -> tuple[int, str] | None:
        """The port ``name`` will listen on and the variable that sets it (None: the worker's web server is off)."""
        if name == "ingest":
            return self.ingest_port, "NEWSFLOW_INGEST_PORT"
        enabled = _env_value(self.env, "NEWSFLOW_ENRICH_WEB_ENABLED")
        if enabled is not None and enabled.strip().lower() in ("0", "false", "no", "off"):
            return None
        value = _env_value(self.env, "NEWSFLOW_ENRICH_WEB_PORT")
        port = int(value) if value else int(EnrichSettings.model_fields["web_port"].default)
        return port, "NEWSFLOW_ENRICH_WEB_PORT"

    @property
    def ready_file(self) -> Path:
        value = _env_value(self.env, "NEWSFLOW_ENRICH_READY_FILE")
        return Path(value) if value else self.run_dir / "enrich" / "ready.json"


def services_for(
    infra: InfraSettings, *, run_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> Services:
    """The services pointed at ``infra`` unless ``env`` (default: this process's) says otherwise.

    They live under ``run_dir`` (default: the infra's run dir); the worker's data dir and readiness file too,
    unless set in ``env``.
    """
    root = run_dir or infra.run_dir
    values = dict(os.environ if env is None else env)
    defaults = {"KAFKA__BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "ES__URL": infra.es_url}
    for prefix in ("NEWSFLOW_INGEST_", "NEWSFLOW_ENRICH_"):
        for name, value in defaults.items():
            if _env_value(values, prefix + name) is None:
                values[prefix + name] = value
    if _env_value(values, "NEWSFLOW_ENRICH_DATA_DIR") is None:
        values["NEWSFLOW_ENRICH_DATA_DIR"] = str(root / "enrich" / "data")
    if _env_value(values, "NEWSFLOW_ENRICH_READY_FILE") is None:
        values["NEWSFLOW_ENRICH_READY_FILE"] = str(root / "enrich" / "ready.json")
    return Services(run_dir=root, env=values)


def _exited(dirs: ServiceDirs, pid: int) -> StackError:
    code = exit_code(pid) if pid else None
    how = f"exited with code {code}" if code is not None else "exited"
    return StackError(f"{dirs.name} (pid {pid or '?'}) {how} during startup; {describe_log(dirs.log_path, 25)}")


def _ingest_ready(services: Services, pid: int) -> bool:
    """``/readyz`` answers 200, and the process listening on the port is ours (when that can be seen)."""
    try:
        answer = httpx.get(f"{services.ingest_url}/readyz", timeout=2, trust_env=False)
    except httpx.HTTPError:
        return False
    listeners = listening_pids(services.ingest_port)
    return answer.status_code == 200 and (pid in listeners or not listeners - {None})


def _enrich_ready(services: Services, pid: int) -> bool:
    """The worker's readiness file names this very process (pid and create time)."""
    readiness = read_readiness(services.ready_file)
    record = read_pid_record(services.dirs("enrich").pid_path)
    if readiness is None or record is None or readiness.pid != pid or record.pid != pid:
        return False
    return record.create_time is None or same_create_time(readiness.create_time, record.create_time)


_READY_CHECKS = {"ingest": _ingest_ready, "enrich": _enrich_ready}


def wait_ready(services: Services, timeout_s: float = READY_TIMEOUT_S) -> dict[str, int]:
    """Wait until both services are ready; their pids. StackError if one exits or the deadline passes."""
    started = time.monotonic()
    deadline = started + timeout_s
    pending = dict.fromkeys(SERVICES, 0)
    ready: dict[str, int] = {}
    while True:
        for name in list(pending):
            dirs = services.dirs(name)
            pid = running_pid(dirs)
            if pid is None:
                raise _exited(dirs, pending[name] or read_pid(dirs.pid_path) or 0)
            pending[name] = pid
            if _READY_CHECKS[name](services, pid):
                logger.info("%s (pid %s) ready after %.1fs", name, pid, time.monotonic() - started)
                ready[name] = pending.pop(name)
        if not pending:
            for name, pid in ready.items():  # none died while the other one was getting ready
                if running_pid(services.dirs(name)) != pid:
                    raise _exited(services.dirs(name), pid)
            return ready
        if time.monotonic() >= deadline:
            name = next(iter(pending))
            dirs = services.dirs(name)
            what = "/readyz did not answer 200" if name == "ingest" else f"no readiness file {services.ready_file}"
            raise StackError(
                f"{name} (pid {pending[name]}) not ready after {timeout_s:.0f}s ({what}); "
                f"{describe_log(dirs.log_path, 25)}"
            )
        time.sleep(POLL_S)


def start_services(services: Services, timeout_s: float = READY_TIMEOUT_S) -> list[str]:
    """Start the services that are not running (ours, by pid and create time) and wait until both are ready."""
    for name in SERVICES:
        dirs = services.dirs(name)
        pid = running_pid(dirs)
        if pid is not None:
            record = read_pid_record(dirs.pid_path)
            if name == "enrich" and record is not None and record.create_time is None:
                raise StackError(
                    f"enrich (pid {pid}) was started by an older newsflow, which writes no readiness file; "
                    "restart it: newsflow down --keep-infra, then newsflow up"
                )
            continue
        stop(dirs, timeout_s=STOP_TIMEOUT_S)  # leftovers whose leader is gone; a stale pid file
        listen = services.listen_port(name)
        if listen is not None and port_in_use(listen[0]):
            raise StackError(
                f"{name} cannot start: {describe_busy_port(listen[0])}. "
                f"Stop that process or choose another port with {listen[1]}."
            )
        if name == "enrich":
            services.ready_file.unlink(missing_ok=True)  # a file from an earlier run says nothing about this one
        dirs.root.mkdir(parents=True, exist_ok=True)
        dirs.log_path.write_bytes(b"")  # the log shown on failure is this start's
        start_detached([sys.executable, "-m", "newsflow", "serve", name], dirs=dirs, env=services.env, cwd=Path.cwd())
    pids = wait_ready(services, timeout_s)
    lines = [f"{name} running, pid {pids[name]}; log {services.dirs(name).log_path}" for name in SERVICES]
    url = services.ingest_url
    lines.append(f"ingest API {url} (docs {url}/docs); search {url}/search?q=...")
    return lines


def stop_services(services: Services, timeout_s: float = STOP_TIMEOUT_S) -> list[int]:
    """Stop both services (ingest first: nothing new is accepted while the worker finishes its batch)."""
    pids: list[int] = []
    for name in SERVICES:
        pids += stop(services.dirs(name), timeout_s=timeout_s)
    with contextlib.suppress(OSError):
        services.ready_file.unlink(missing_ok=True)  # left by a worker that was killed
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
