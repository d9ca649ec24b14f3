"""Start a service as a detached session; find and stop exactly the processes we started.

A process we start is known by its pid *and* its create time, both written into the pid file
(``"<pid> <create time>"``). A pid file left behind by a crash therefore never names an unrelated process
that reused the pid: that process has another create time. Nothing here reads a just-started process's
``/proc/<pid>/environ`` to decide whether it is ours or alive (it may still show the parent's environment):
a process this interpreter started is known by what it was started with; one started by an earlier
command only must not carry another run dir's tag (a pid file copied from another run dir names nothing).

The processes of a service are its leader (the pid file's process), the leader's descendants and the other
members of its session (each service is started with ``start_new_session=True``; Elasticsearch's launcher
starts the server JVM as a child). Every process we start also carries ``NEWSFLOW_LOCAL_SERVICE=<service>@
<service run dir>`` in its environment, inherited by its children: that tag finds processes whose leader
died (orphans), which no pid file names any more.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from infra.local.errors import InfraError
from infra.local.layout import TAG_VARIABLE, ServiceDirs, make_dir
from infra.local.logs import describe_log

logger = logging.getLogger(__name__)

KILL_GRACE_S = 10.0
#: Two readings of one process's create time agree within this. The kernel keeps a process's start in
#: clock ticks since boot; seconds since the epoch add the boot time, which moves when the clock is set.
CREATE_TIME_TOLERANCE_S = 1.0
_POLL_S = 0.1


@dataclass(frozen=True)
class _Child:
    """A service this interpreter started: its Popen (exit code, reaping), tag and create time."""

    popen: subprocess.Popen[bytes]
    tag: str
    create_time: float


_children: dict[int, _Child] = {}


@dataclass(frozen=True)
class PidRecord:
    """What a pid file says: the pid and its create time (None in a pid file of an older newsflow)."""

    pid: int
    create_time: float | None


def read_pid_record(pid_path: Path) -> PidRecord | None:
    """``"<pid> <create time>"``, or an older file's ``"<pid>"``; None for no file or anything else."""
    try:
        fields = pid_path.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return None
    if not 1 <= len(fields) <= 2 or not fields[0].isdigit() or int(fields[0]) <= 0:
        return None
    if len(fields) == 1:
        return PidRecord(int(fields[0]), None)
    try:
        create_time = float(fields[1])
    except ValueError:
        return None
    return PidRecord(int(fields[0]), create_time) if create_time > 0 else None


def read_pid(pid_path: Path) -> int | None:
    record = read_pid_record(pid_path)
    return record.pid if record else None


def write_pid(pid_path: Path, pid: int, create_time: float | None = None) -> None:
    """Write ``"<pid> <create time>"`` atomically; the create time is looked up when not given."""
    if create_time is None:
        try:
            create_time = psutil.Process(pid).create_time()
        except psutil.Error as exc:
            raise InfraError(f"cannot record pid {pid} in {pid_path}: {exc}") from exc
    temporary = pid_path.with_name(pid_path.name + ".tmp")
    temporary.write_text(f"{pid} {create_time!r}\n", encoding="ascii")
    temporary.replace(pid_path)


def same_create_time(first: float, second: float) -> bool:
    return abs(first - second) <= CREATE_TIME_TOLERANCE_S


def _protected() -> set[int]:
    """This process and its ancestors: never signalled, whatever their environment says."""
    me = psutil.Process()
    return {me.pid, *(parent.pid for parent in me.parents())}


def _tag_of(process: psutil.Process) -> str | None:
    """The service tag in an already running process's environment; None if absent or unreadable."""
    try:
        return process.environ().get(TAG_VARIABLE)
    except psutil.Error:
        return None


def carries_tag(process: psutil.Process, dirs: ServiceDirs) -> bool:
    """True if ``process`` has this service's tag in its environment (for processes already running).

    If the environment cannot be read (another user's process), only a java whose arguments name our
    run dir counts.
    """
    try:
        return process.environ().get(TAG_VARIABLE) == dirs.tag
    except psutil.AccessDenied:
        pass
    except psutil.Error:
        return False
    try:
        argv = process.cmdline()
    except psutil.Error:
        return False
    marker = str(dirs.root) + os.sep
    return bool(argv) and os.path.basename(argv[0]) == "java" and any(marker in arg for arg in argv)


def _is_zombie(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False


def _recorded_process(record: PidRecord, dirs: ServiceDirs) -> psutil.Process | None:
    """The process the pid file names, if it is that very process (maybe a zombie by now), else None."""
    try:
        process = psutil.Process(record.pid)
        if record.create_time is None:
            # A pid file without a create time (an older newsflow): only a process carrying our tag is ours.
            return process if carries_tag(process, dirs) else None
        if not same_create_time(process.create_time(), record.create_time):
            return None  # the pid now belongs to another process
    except psutil.Error:
        return None
    child = _children.get(record.pid)
    if child is not None and same_create_time(child.create_time, record.create_time):
        # Started by this interpreter: its tag is known without reading its environment, which may still be
        # its parent's while it starts.
        return process if child.tag == dirs.tag else None
    # Started earlier by another newsflow command. Its environment is settled: a process we started for
    # another run dir (its pid file copied here, say) carries that run dir's tag.
    tag = _tag_of(process)
    return process if tag is None or tag == dirs.tag else None


def is_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        return not _is_zombie(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return False


def running_pid(dirs: ServiceDirs) -> int | None:
    """The pid from the pid file if that very process (pid and create time) is alive, else None."""
    record = read_pid_record(dirs.pid_path)
    process = _recorded_process(record, dirs) if record else None
    return process.pid if process is not None and not _is_zombie(process) else None


def exit_code(pid: int) -> int | None:
    """The exit code of a service this interpreter started, once it has ended (None if unknown or running)."""
    child = _children.get(pid)
    return child.popen.poll() if child is not None else None


def tagged_processes(dirs: ServiceDirs) -> list[psutil.Process]:
    """Every live process carrying this service's tag (its leader, the leader's children, orphans)."""
    protected = _protected()
    found = []
    for process in psutil.process_iter():
        if process.pid not in protected and carries_tag(process, dirs) and not _is_zombie(process):
            found.append(process)
    return sorted(found, key=lambda p: p.pid)


def tagged_pids(dirs: ServiceDirs) -> list[int]:
    return [process.pid for process in tagged_processes(dirs)]


def _session_members(leader: psutil.Process) -> list[psutil.Process]:
    """Processes in the leader's session: children that left the leader's tree (double forks) included."""
    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(OSError):
            if process.pid != leader.pid and os.getsid(process.pid) == leader.pid:
                members.append(process)
    return members


def service_processes(dirs: ServiceDirs) -> list[psutil.Process]:
    """The live processes of this service: the recorded leader, its descendants and session, tagged ones."""
    found: dict[int, psutil.Process] = {}
    record = read_pid_record(dirs.pid_path)
    leader = _recorded_process(record, dirs) if record else None
    if record is not None and leader is None and psutil.pid_exists(record.pid):
        logger.warning(
            "pid file %s names pid %s, which is not our %s process: leaving it alone",
            dirs.pid_path,
            record.pid,
            dirs.name,
        )
    if leader is not None:
        found[leader.pid] = leader
        with contextlib.suppress(psutil.Error):
            found.update((child.pid, child) for child in leader.children(recursive=True))
        # The leader's pid is its session's id; while the leader exists (even as a zombie) no other
        # session can have that id, so its members are ours.
        found.update((member.pid, member) for member in _session_members(leader))
    found.update((process.pid, process) for process in tagged_processes(dirs))
    protected = _protected()
    return [found[pid] for pid in sorted(found) if pid not in protected and not _is_zombie(found[pid])]


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
    # Our own child: its /proc entry stays (as a zombie at worst) until we reap it, so this cannot fail.
    create_time = psutil.Process(process.pid).create_time()
    _children[process.pid] = _Child(process, dirs.tag, create_time)
    write_pid(dirs.pid_path, process.pid, create_time)
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


def _wait_gone(processes: Iterable[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Wait until every process has exited (ours are reaped; a zombie counts as gone); return the rest."""
    deadline = time.monotonic() + timeout_s
    alive = list(processes)
    while alive:
        _gone, alive = psutil.wait_procs(alive, timeout=min(_POLL_S, max(0.0, deadline - time.monotonic())))
        alive = [process for process in alive if not _is_zombie(process)]
        if time.monotonic() >= deadline:
            break
    return alive


def _send(processes: Iterable[psutil.Process], how: str) -> None:
    for process in processes:
        # psutil checks that the pid still is this process (same create time) before signalling.
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill() if how == "kill" else process.terminate()


def _reap(stopped: Iterable[int], recorded: int | None) -> None:
    """Collect the exit status of our own children: those just stopped, and a leader that exited by itself."""
    for pid in stopped:
        child = _children.pop(pid, None)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.popen.wait(timeout=KILL_GRACE_S)
    child = _children.get(recorded) if recorded is not None else None
    if child is not None and child.popen.poll() is not None:
        _children.pop(child.popen.pid, None)


def stop(dirs: ServiceDirs, *, timeout_s: float = 60.0) -> list[int]:
    """SIGTERM every process of this service, SIGKILL what is left after ``timeout_s``; return the pids."""
    record = read_pid_record(dirs.pid_path)
    processes = service_processes(dirs)
    pids = [process.pid for process in processes]
    if processes:
        logger.info("stopping %s (pids %s)", dirs.name, pids)
        _send(processes, "terminate")
        remaining = _wait_gone(processes, timeout_s)
        if remaining:
            logger.warning(
                "%s did not stop within %ss; killing pids %s", dirs.name, timeout_s, [p.pid for p in remaining]
            )
            _send(remaining, "kill")
            survivors = _wait_gone(remaining, KILL_GRACE_S)
            if survivors:
                raise InfraError(f"{dirs.name} pids {[p.pid for p in survivors]} survived SIGKILL")
    _reap(pids, record.pid if record else None)
    dirs.pid_path.unlink(missing_ok=True)
    return pids
