"""The worker says itself when it is ready: a readiness file, written by the worker, removed when it stops.

The file (JSON: pid, create time, app id, time, the assigned partitions of the consumed topics) is
written once the worker has joined its consumer group, its first rebalance is complete (partitions
assigned, resumed and sought to their committed offsets: what Faust logs as "Ready") and its agents are
running. It is removed when the worker starts stopping. A file left behind by a killed worker names a
pid that is gone or now belongs to a process with another create time, so a reader who checks both
(``newsflow up`` does) is never misled.

Readers only need :func:`read_readiness`; this module imports Faust only for type checking.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    import faust

logger = logging.getLogger(__name__)

_POLL_S = 0.1


@dataclass(frozen=True)
class Readiness:
    pid: int
    create_time: float
    app_id: str
    ready_at: float
    partitions: list[str]


def read_readiness(path: Path) -> Readiness | None:
    """What the readiness file says, or None if there is none (or it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Readiness(
            pid=int(data["pid"]),
            create_time=float(data["create_time"]),
            app_id=str(data["app_id"]),
            ready_at=float(data["ready_at"]),
            partitions=[str(p) for p in data["partitions"]],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_readiness(path: Path, app_id: str, partitions: list[str]) -> Readiness:
    """Write this process's readiness file atomically (a reader never sees half a file)."""
    readiness = Readiness(
        pid=os.getpid(),
        create_time=psutil.Process().create_time(),
        app_id=app_id,
        ready_at=time.time(),
        partitions=sorted(partitions),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(readiness)) + "\n", encoding="utf-8")
    temporary.replace(path)
    return readiness


def remove_readiness(path: Path) -> None:
    """Remove the readiness file if it is this process's (never another worker's)."""
    current = read_readiness(path)
    if current is not None and current.pid == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            logger.info("readiness file %s removed", path)


def _agents_running(app: faust.App) -> bool:
    agents = list(app.agents.values())
    return bool(agents) and all(agent.started and not agent.should_stop for agent in agents)


def announce_readiness(app: faust.App, path: Path | None) -> None:
    """Make ``app``'s worker write ``path`` when it is ready and remove it when it stops (None: no file)."""
    if path is None:
        return
    target = path

    async def announce(app: faust.App) -> None:
        # Faust starts app tasks once the first rebalance is complete, right before it logs "Ready".
        while not _agents_running(app):
            if app.should_stop:
                return
            await asyncio.sleep(_POLL_S)
        consumed = {name for agent in app.agents.values() for name in agent.get_topic_names()}
        partitions = [f"{tp.topic}:{tp.partition}" for tp in app.consumer.assignment() if tp.topic in consumed]
        written = write_readiness(target, app.conf.id, partitions)
        logger.info("ready: readiness file %s written (pid %s, %s partitions)", target, written.pid, len(partitions))
        try:
            await app.wait_until_stopped()  # set as soon as the worker starts stopping
        finally:
            remove_readiness(target)

    def withdraw(_sender: Any, /, *_args: Any, signal: Any = None, **_kwargs: Any) -> None:
        remove_readiness(target)

    app.task(announce)
    # Also sent while the app stops (after its consumer has stopped), should the task be gone already.
    app.on_before_shutdown.connect(withdraw)
