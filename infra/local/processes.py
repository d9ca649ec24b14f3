"""Start a service as a detached process group; find and stop exactly the processes we started.

Every process we start carries ``NEWSFLOW_LOCAL_SERVICE=<service>@<service run dir>`` in its environment
(children such as the Elasticsearch server JVM inherit it). A pid is only ever signalled after
``/proc/<pid>`` shows that tag (or, if its environment is unreadable, a java command line naming our
run dir), so a pid file left behind by a crash never gets an unrelated, reused pid killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from infra.local.errors import InfraError
from infra.local.layout import TAG_VARIABLE, ServiceDirs, make_dir
from infra.local.logs import describe_log

logger = logging.getLogger(__name__)

PROC = Path("/proc")
KILL_GRACE_S = 10.0
_POLL_S = 0.2
# Popen objects of services started by this interpreter: kept so they are reaped, not left as zombies.
_children: dict[int, subprocess.Popen[bytes]] = {}
# The run-dir tag each of those children was started with: a child of ours is known by its Popen, not by
# reading /proc while it may still be starting (its environment there can lag its start).
_child_tags: dict[int, str] = {}


def read_pid(pid_path: Path) -> int | None:
    try:
        text = pid_path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def write_pid(pid_path: Path, pid: int) -> None:
    temporary = pid_path.with_name(pid_path.name + ".tmp")
    temporary.write_text(f"{pid}\n", encoding="ascii")
    temporary.replace(pid_path)


def _read(proc: Path, pid: int, name: str) -> bytes | None:
    try:
        return (proc / str(pid) / name).read_bytes()
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        return None


def is_alive(pid: int, proc: Path = PROC) -> bool:
    """True if the process exists and is not a zombie."""
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)
        _child_tags.pop(pid, None)
        return False
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    # "pid (comm) S ...": comm may contain spaces and parentheses, the state follows the last ')'.
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] not in ("Z", "X", "x")


def is_ours(pid: int, dirs: ServiceDirs, proc: Path = PROC) -> bool:
    """True if ``pid`` is a live process started by us for this service and run dir."""
    child = _children.get(pid)
    if child is not None and proc == PROC:
        return child.poll() is None and _child_tags.get(pid) == dirs.tag
    cmdline = _read(proc, pid, "cmdline")
    if not cmdline:  # gone, a zombie or a kernel thread
        return False
    try:
        environ = _read(proc, pid, "environ")
    except PermissionError:
        environ = None
    if environ is not None:
        return f"{TAG_VARIABLE}={dirs.tag}".encode() in environ.split(b"\0")
    # Environment unreadable (another user's process): accept only a java whose arguments name our dir.
    argv = cmdline.split(b"\0")
    marker = (str(dirs.root) + os.sep).encode()
    return os.path.basename(argv[0]) == b"java" and any(marker in arg for arg in argv)


def tagged_pids(dirs: ServiceDirs, proc: Path = PROC) -> list[int]:
    """All live processes carrying this service's tag (the pid file's process and its children)."""
    needle = f"{TAG_VARIABLE}={dirs.tag}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and is_alive(int(entry.name), proc):
            found.append(int(entry.name))
    return sorted(found)


def running_pid(dirs: ServiceDirs, proc: Path = PROC) -> int | None:
    """The pid from the pid file if that process is alive and ours, else None."""
    pid = read_pid(dirs.pid_path)
    if pid is not None and is_alive(pid, proc) and is_ours(pid, dirs, proc):
        return pid
    return None


def start_detached(command: Sequence[str], *, dirs: ServiceDirs, env: Mapping[str, str], cwd: Path) -> int:
    """Start ``command`` in its own session, output appended to the console log; write the pid file."""
    make_dir(dirs.root)
    with open(dirs.log_path, "ab") as log:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log.write(f"\n=== newsflow infra {stamp}: starting {dirs.name}: {' '.join(command)}\n".encode())
        log.flush()
        try:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env={**env, TAG_VARIABLE: dirs.tag},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise InfraError(f"cannot start {dirs.name} ({command[0]}): {exc}") from exc
    _children[process.pid] = process
    _child_tags[process.pid] = dirs.tag
    write_pid(dirs.pid_path, process.pid)
    logger.info("started %s as pid %s (log %s)", dirs.name, process.pid, dirs.log_path)
    return process.pid


def run_tool(
    command: Sequence[str], *, dirs: ServiceDirs, env: Mapping[str, str], cwd: Path, timeout_s: float, what: str
) -> None:
    """Run a short command to completion with its output appended to the console log."""
    make_dir(dirs.root)
    with open(dirs.log_path, "ab") as log:
        log.write(f"\n=== newsflow infra: {what}: {' '.join(command)}\n".encode())
        log.flush()
        try:
            done = subprocess.run(
                list(command),
                cwd=cwd,
                env={**env, TAG_VARIABLE: dirs.tag},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InfraError(f"{what} failed: {exc}\n{describe_log(dirs.log_path)}") from exc
    if done.returncode != 0:
        raise InfraError(f"{what} failed (exit {done.returncode})\n{describe_log(dirs.log_path)}")


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _ours_alive(pids: set[int], dirs: ServiceDirs, proc: Path) -> set[int]:
    return {pid for pid in pids if is_alive(pid, proc) and is_ours(pid, dirs, proc)}


def _still_running(pid: int, dirs: ServiceDirs, proc: Path) -> bool:
    """For a pid we signalled: still there? An exiting process has an empty cmdline but is not gone yet."""
    if not is_alive(pid, proc):
        return False
    cmdline = _read(proc, pid, "cmdline")
    return not cmdline or is_ours(pid, dirs, proc)


def _wait_gone(pids: set[int], dirs: ServiceDirs, proc: Path, timeout_s: float) -> set[int]:
    deadline = time.monotonic() + timeout_s
    remaining = {pid for pid in pids if _still_running(pid, dirs, proc)}
    while remaining and time.monotonic() < deadline:
        time.sleep(_POLL_S)
        remaining = {pid for pid in remaining if _still_running(pid, dirs, proc)}
    return remaining


def _reap(pids: set[int]) -> None:
    """Collect the exit status of our own children so that no zombie is left behind."""
    for pid in pids:
        child = _children.pop(pid, None)
        _child_tags.pop(pid, None)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=KILL_GRACE_S)


def stop(dirs: ServiceDirs, *, timeout_s: float = 60.0, proc: Path = PROC) -> list[int]:
    """SIGTERM every process of this service, SIGKILL what is left after ``timeout_s``; return the pids."""
    pids = set(tagged_pids(dirs, proc))
    recorded = read_pid(dirs.pid_path)
    if recorded is not None and is_alive(recorded, proc):
        if is_ours(recorded, dirs, proc):
            pids.add(recorded)
        else:
            logger.warning(
                "pid file %s names pid %s, which is not our %s process: leaving it alone",
                dirs.pid_path,
                recorded,
                dirs.name,
            )
    pids = _ours_alive(pids, dirs, proc)
    if pids:
        logger.info("stopping %s (pids %s)", dirs.name, sorted(pids))
        for pid in sorted(pids):
            _signal(pid, signal.SIGTERM)
        remaining = _wait_gone(pids, dirs, proc, timeout_s)
        if remaining:
            logger.warning("%s did not stop within %ss; killing pids %s", dirs.name, timeout_s, sorted(remaining))
            for pid in sorted(_ours_alive(remaining, dirs, proc)):  # verified again right before killing
                _signal(pid, signal.SIGKILL)
            survivors = _ours_alive(_wait_gone(remaining, dirs, proc, KILL_GRACE_S), dirs, proc)
            if survivors:
                raise InfraError(f"{dirs.name} pids {sorted(survivors)} survived SIGKILL")
        _reap(pids)
    dirs.pid_path.unlink(missing_ok=True)
    return sorted(pids)
