"""``newsflow up`` / ``down``: the local infra plus both services as background processes.

The services run as ``python -m newsflow serve <name>`` under ``<run dir>/<name>/`` (console log and
pid file), started and stopped through ``infra.local.processes`` so that ``down`` stops exactly them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from pathlib import Path

import httpx

from infra.local import InfraError, InfraSettings, down, up
from infra.local.layout import ServiceDirs
from infra.local.processes import running_pid, start_detached, stop

logger = logging.getLogger(__name__)

SERVICES = ("ingest", "enrich")
INGEST_URL = "http://localhost:8000"
READY_TIMEOUT_S = 180.0


class StackError(RuntimeError):
    pass


def _dirs(settings: InfraSettings, name: str) -> ServiceDirs:
    return ServiceDirs(name=name, root=settings.run_dir / name)


def _service_env(settings: InfraSettings) -> dict[str, str]:
    """The environment of both services: pointed at the local infra unless the user set otherwise."""
    env = dict(os.environ)
    for prefix in ("NEWSFLOW_INGEST_", "NEWSFLOW_ENRICH_"):
        env.setdefault(prefix + "KAFKA__BOOTSTRAP_SERVERS", settings.kafka_bootstrap)
        env.setdefault(prefix + "ES__URL", settings.es_url)
    env.setdefault("NEWSFLOW_ENRICH_DATA_DIR", str(settings.run_dir / "enrich" / "data"))
    return env


def _log_tail(dirs: ServiceDirs, lines: int = 25) -> str:
    try:
        return "\n".join(dirs.log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(settings: InfraSettings) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    ingest, enrich = _dirs(settings, "ingest"), _dirs(settings, "enrich")
    ingest_ready = enrich_ready = False
    while time.monotonic() < deadline and not (ingest_ready and enrich_ready):
        for dirs in (ingest, enrich):
            if running_pid(dirs) is None:
                raise StackError(f"{dirs.name} exited; log {dirs.log_path}:\n{_log_tail(dirs)}")
        if not ingest_ready:
            with contextlib.suppress(httpx.HTTPError):
                ingest_ready = httpx.get(f"{INGEST_URL}/readyz", timeout=2).status_code == 200
        if not enrich_ready:
            # Faust logs this once the worker has joined its group and its agent is running.
            enrich_ready = "[^Worker]: Ready" in enrich.log_path.read_text(errors="replace")
        time.sleep(0.5)
    if not ingest_ready:
        raise StackError(f"ingest not ready after {READY_TIMEOUT_S:.0f}s; log {ingest.log_path}:\n{_log_tail(ingest)}")
    if not enrich_ready:
        raise StackError(f"enrich not ready after {READY_TIMEOUT_S:.0f}s; log {enrich.log_path}:\n{_log_tail(enrich)}")


def stack_up(start_infra: bool = True) -> list[str]:
    settings = InfraSettings()
    lines: list[str] = []
    try:
        if start_infra:
            lines.append(up(settings).summary())
        env = _service_env(settings)
        for name in SERVICES:
            dirs = _dirs(settings, name)
            if running_pid(dirs) is None:
                # Truncate the console log so that readiness is judged on this start only.
                dirs.root.mkdir(parents=True, exist_ok=True)
                dirs.log_path.write_bytes(b"")
                start_detached([sys.executable, "-m", "newsflow", "serve", name], dirs=dirs, env=env, cwd=Path.cwd())
        _wait_ready(settings)
    except InfraError as exc:
        raise StackError(str(exc)) from exc
    for name in SERVICES:
        dirs = _dirs(settings, name)
        lines.append(f"{name} running, pid {running_pid(dirs)}; log {dirs.log_path}")
    lines.append(f"ingest API {INGEST_URL} (docs {INGEST_URL}/docs); search {INGEST_URL}/search?q=...")
    return lines


def stack_down(stop_infra: bool = True) -> None:
    settings = InfraSettings()
    # Ingest first, so nothing new is accepted while the worker finishes its batch.
    for name in SERVICES:
        stop(_dirs(settings, name), timeout_s=45)
    if stop_infra:
        down(settings)
