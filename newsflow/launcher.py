"""The one launcher of newsflow's services, used by ``newsflow up``, the benchmarks and the integration tests.

- ``service_env`` is the only place that turns typed values (Kafka, Elasticsearch, topics, alias, host and
  port, data dir, readiness file, further settings by name) into a service's ``NEWSFLOW_<SERVICE>_*``
  variables; every name is checked against the service's settings class.
- ``start`` runs ``python -m newsflow serve <service>`` detached in the service's own directory (console
  log, pid file with pid and create time: ``infra.local.processes``), unless that very process runs already.
- ``wait_ready`` waits until each service says itself that it is ready: ingest answers ``/readyz`` from the
  process we started, the worker has written its readiness file naming itself (``enrich_service.readiness``).
  A service that exits meanwhile, or misses the deadline, is named with its exit code and its log's end.
- ``stop`` stops a service and everything it started; ``Started.signal`` sends one signal to its process
  (a crash, for fault tests) and waits for it to end.

``infra/local`` knows processes, not services; this module knows the services, and lives with the CLI.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from signal import SIGTERM
from typing import Any, Literal

import httpx
import psutil
from pydantic import TypeAdapter
from pydantic_settings import BaseSettings

from adapters.settings import TopicSettings
from enrich_service.readiness import read_readiness
from enrich_service.settings import EnrichSettings
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
)
from infra.local.processes import stop as stop_processes
from ingest_service.settings import IngestSettings

logger = logging.getLogger(__name__)

ServiceName = Literal["ingest", "enrich"]
SERVICES: tuple[ServiceName, ...] = ("ingest", "enrich")
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 45.0
POLL_S = 0.25
#: A port whose process ended a moment ago (a worker killed and started again) may stay bound this long.
PORT_GRACE_S = 5.0
#: ``Started.poll()`` of a process that ended without this interpreter seeing its exit code.
UNKNOWN_EXIT = -1
_SETTINGS: dict[ServiceName, type[BaseSettings]] = {"ingest": IngestSettings, "enrich": EnrichSettings}
_WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


class LaunchError(RuntimeError):
    pass


def env_value(env: Mapping[str, str], name: str) -> str | None:
    """``env[name]``, matched without regard to case as pydantic-settings does."""
    wanted = name.upper()
    return next((value for key, value in env.items() if key.upper() == wanted), None)


def without_newsflow(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without its ``NEWSFLOW_*`` variables: the base of a pipeline of its own (tests, benchmarks),
    which nothing of the user's configuration reaches."""
    return {key: value for key, value in env.items() if not key.upper().startswith("NEWSFLOW_")}


@dataclass(frozen=True)
class ServiceValues:
    """What a service is started with; None (or absent from ``extra``) leaves it to the environment or the
    service's default. ``host``/``port`` are ingest's HTTP server or the worker's web server."""

    kafka_bootstrap: str | None = None
    es_url: str | None = None
    topics: TopicSettings | None = None
    index_alias: str | None = None
    host: str | None = None
    port: int | None = None
    app_id: str | None = None
    data_dir: Path | None = None
    ready_file: Path | None = None
    web_enabled: bool | None = None
    #: Further settings by name, nested with ``__`` (``{"send_timeout_s": "3"}``).
    extra: Mapping[str, str] = field(default_factory=dict)


def _setting_field(service: ServiceName, path: str) -> Any:
    """The field ``path`` (``kafka__bootstrap_servers``) of the service's settings; ValueError if none."""
    model: Any = _SETTINGS[service]
    found: Any = None
    for part in path.lower().split("__"):
        found = getattr(model, "model_fields", {}).get(part)
        if found is None:
            raise ValueError(f"the {service} service has no setting {path!r}")
        model = found.annotation
    return found


def _settings_of(service: ServiceName, values: ServiceValues) -> dict[str, str]:
    settings: dict[str, str] = {}
    if values.kafka_bootstrap is not None:
        settings["kafka__bootstrap_servers"] = values.kafka_bootstrap
    if values.es_url is not None:
        settings["es__url"] = values.es_url
    if values.topics is not None:
        dumped = values.topics.model_dump().items()  # None (min_insync_replicas unset): the service's default
        settings |= {f"topics__{name}": str(value) for name, value in dumped if value is not None}
    web = "web_" if service == "enrich" else ""
    named: dict[str, object] = {
        "index_alias": values.index_alias,
        f"{web}host": values.host,
        f"{web}port": values.port,
        "app_id": values.app_id,
        "data_dir": values.data_dir,
        "ready_file": values.ready_file,
        "web_enabled": None if values.web_enabled is None else str(values.web_enabled).lower(),
    }
    settings |= {name: str(value) for name, value in named.items() if value is not None}
    settings |= {name.lower(): value for name, value in values.extra.items()}
    for name in settings:
        _setting_field(service, name)
    return settings


def service_env(service: ServiceName, values: ServiceValues, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` plus ``values`` as ``NEWSFLOW_<SERVICE>_*`` variables. A variable ``base`` already has (in any
    case) is the user's and stays: pass ``without_newsflow(os.environ)`` for a pipeline of its own."""
    env = dict(base)
    prefix = f"NEWSFLOW_{service.upper()}_"
    for name, value in _settings_of(service, values).items():
        if env_value(env, prefix + name) is None:
            env[prefix + name.upper()] = value
    return env


@dataclass(frozen=True)
class Launch:
    """One service process to run: which service, its directory (console log, pid file), its environment."""

    service: ServiceName
    dirs: ServiceDirs
    env: Mapping[str, str]

    @classmethod
    def of(
        cls, service: ServiceName, dirs: ServiceDirs, values: ServiceValues, base: Mapping[str, str] | None = None
    ) -> Launch:
        """The service with ``values`` on ``base`` (default: this process's environment); a worker's readiness
        file is ``<dirs.root>/ready.json`` unless set."""
        if service == "enrich" and values.ready_file is None:
            values = replace(values, ready_file=dirs.root / "ready.json")
        return cls(service, dirs, service_env(service, values, os.environ if base is None else base))

    @property
    def name(self) -> str:
        return self.dirs.name

    def setting(self, path: str) -> str | None:
        """What the service will read for ``path`` (``port``, ``es__url``): its variable, else the default."""
        value = env_value(self.env, f"NEWSFLOW_{self.service.upper()}_{path}")
        if value is not None:
            return value
        first, *rest = path.lower().split("__")
        found: Any = _setting_field(self.service, first).get_default(call_default_factory=True)
        for part in rest:
            found = getattr(found, part)
        return None if found is None else str(found)

    @property
    def ingest_port(self) -> int:
        return int(self.setting("port") or 0)

    @property
    def ingest_url(self) -> str:
        host = self.setting("host") or ""
        host = "127.0.0.1" if host in _WILDCARD_HOSTS else host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.ingest_port}"

    @property
    def listen_port(self) -> tuple[int, str] | None:
        """The port the service will listen on and the variable that sets it (None: the worker's web is off)."""
        if self.service == "ingest":
            return self.ingest_port, "NEWSFLOW_INGEST_PORT"
        if not TypeAdapter(bool).validate_python(self.setting("web_enabled")):
            return None
        return int(self.setting("web_port") or 0), "NEWSFLOW_ENRICH_WEB_PORT"

    @property
    def ready_file(self) -> Path:
        """Where the worker writes its readiness file (``EnrichSettings.readiness_path``)."""
        path = self.setting("ready_file")
        return Path(path) if path else Path(self.setting("data_dir") or ".") / "ready.json"


@dataclass
class Started:
    """A service process, as its starter sees it: running, or ended with an exit code."""

    launch: Launch
    pid: int
    reused: bool = False
    returncode: int | None = None

    def poll(self) -> int | None:
        """None while the process runs; then its exit code (negative: the signal that ended it)."""
        if self.returncode is None:
            code = exit_code(self.pid)
            if code is None and running_pid(self.launch.dirs) != self.pid:
                # Gone (or a zombie by now, which the second look reaps); not our child: code unknown.
                code = exit_code(self.pid)
                code = UNKNOWN_EXIT if code is None else code
            self.returncode = code
        return self.returncode

    def signal(self, signum: int, timeout_s: float = STOP_TIMEOUT_S) -> int | None:
        """Send ``signum`` to the process (that very one: pid and create time) and wait up to ``timeout_s``
        for it to end; its exit code, None if it still runs."""
        if self.poll() is None:
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(self.pid).send_signal(signum)
        deadline = time.monotonic() + timeout_s
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.poll()

    def stop(self, signum: int = SIGTERM, timeout_s: float = STOP_TIMEOUT_S) -> list[int]:
        """``signal(signum)``, then ``stop`` what is left of the service (at once if the process did not end)."""
        ended = self.signal(signum, timeout_s) is not None
        return stop(self.launch, timeout_s=timeout_s if ended else 0.0)


def start(launch: Launch, *, fresh_log: bool = True) -> Started:
    """Start the service unless that very process runs already; the log is emptied first unless not
    ``fresh_log``. LaunchError if its port is taken or a worker of an older newsflow runs."""
    dirs = launch.dirs
    pid = running_pid(dirs)
    if pid is not None:
        record = read_pid_record(dirs.pid_path)
        if launch.service == "enrich" and record is not None and record.create_time is None:
            raise LaunchError(
                f"{launch.name} (pid {pid}) was started by an older newsflow, which writes no readiness file; "
                "restart it: newsflow down --keep-infra, then newsflow up"
            )
        return Started(launch, pid, reused=True)
    stop_processes(dirs, timeout_s=STOP_TIMEOUT_S)  # leftovers whose leader is gone; a stale pid file
    listen = launch.listen_port
    if listen is not None and _still_in_use(listen[0]):
        raise LaunchError(
            f"{launch.name} cannot start: {describe_busy_port(listen[0])}. "
            f"Stop that process or choose another port with {listen[1]}."
        )
    if launch.service == "enrich":
        launch.ready_file.unlink(missing_ok=True)  # a file from an earlier run says nothing about this one
    dirs.root.mkdir(parents=True, exist_ok=True)
    if fresh_log:
        dirs.log_path.write_bytes(b"")  # the log shown on failure is this start's
    command = [sys.executable, "-m", "newsflow", "serve", launch.service]
    return Started(launch, start_detached(command, dirs=dirs, env=launch.env, cwd=Path.cwd()))


def _still_in_use(port: int) -> bool:
    """True if ``port`` stays taken for ``PORT_GRACE_S``."""
    deadline = time.monotonic() + PORT_GRACE_S
    while port_in_use(port):
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)
    return False


def _exited(launch: Launch, pid: int) -> LaunchError:
    code = exit_code(pid) if pid else None
    how = f"exited with code {code}" if code is not None else "exited"
    return LaunchError(
        f"{launch.name} (pid {pid or '?'}) {how} during startup; {describe_log(launch.dirs.log_path, 25)}"
    )


def is_ready(launch: Launch, pid: int) -> bool:
    """Ingest: ``/readyz`` answers 200 and the process listening is ``pid`` (when that can be seen).
    The worker: its readiness file names ``pid``, the process the pid file records (pid and create time)."""
    if launch.service == "ingest":
        try:
            answer = httpx.get(f"{launch.ingest_url}/readyz", timeout=2, trust_env=False)
        except httpx.HTTPError:
            return False
        listeners = listening_pids(launch.ingest_port)
        return answer.status_code == 200 and (pid in listeners or not listeners - {None})
    readiness = read_readiness(launch.ready_file)
    record = read_pid_record(launch.dirs.pid_path)
    if readiness is None or record is None or readiness.pid != pid or record.pid != pid:
        return False
    return record.create_time is None or same_create_time(readiness.create_time, record.create_time)


def wait_ready(launches: Sequence[Launch], timeout_s: float = READY_TIMEOUT_S) -> dict[str, int]:
    """Wait until every service is ready; their pids by name. LaunchError if one exits or the deadline passes."""
    started = time.monotonic()
    deadline = started + timeout_s
    pending = {launch.name: launch for launch in launches}
    pids = dict.fromkeys(pending, 0)
    ready: dict[str, int] = {}
    while True:
        for name, launch in list(pending.items()):
            pid = running_pid(launch.dirs)
            if pid is None:
                raise _exited(launch, pids[name] or read_pid(launch.dirs.pid_path) or 0)
            pids[name] = pid
            if is_ready(launch, pid):
                logger.info("%s (pid %s) ready after %.1fs", name, pid, time.monotonic() - started)
                ready[name] = pid
                del pending[name]
        if not pending:
            for launch in launches:  # none died while another was getting ready
                if running_pid(launch.dirs) != ready[launch.name]:
                    raise _exited(launch, ready[launch.name])
            return ready
        if time.monotonic() >= deadline:
            launch = next(iter(pending.values()))
            what = (
                "/readyz did not answer 200" if launch.service == "ingest" else f"no readiness file {launch.ready_file}"
            )
            raise LaunchError(
                f"{launch.name} (pid {pids[launch.name]}) not ready after {timeout_s:.0f}s ({what}); "
                f"{describe_log(launch.dirs.log_path, 25)}"
            )
        time.sleep(POLL_S)


def stop(launch: Launch, timeout_s: float = STOP_TIMEOUT_S) -> list[int]:
    """Stop the service, its children and orphans (SIGTERM, SIGKILL after ``timeout_s``); the pids stopped."""
    pids = stop_processes(launch.dirs, timeout_s=timeout_s)
    if launch.service == "enrich":
        with contextlib.suppress(OSError):
            launch.ready_file.unlink(missing_ok=True)  # left by a worker that was killed
    return pids
