"""Pid files, identity by pid + create time, and stopping, on real short-lived child processes."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from infra.local import processes
from infra.local.layout import TAG_VARIABLE, ServiceDirs
from infra.local.ports import describe_busy_port, listening_pids, port_in_use, port_owner
from infra.local.processes import (
    exit_code,
    is_alive,
    read_pid,
    read_pid_record,
    running_pid,
    start_detached,
    stop,
    tagged_pids,
    write_pid,
)

# A leader that starts a child in its own session and tree, says so in its log, then waits.
FORKING = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print("child-pid", child.pid, flush=True)
time.sleep(120)
"""
# Started by a child of the leader, which then exits: a grandchild outside the leader's tree, without the tag.
GRANDCHILD = """
import subprocess, sys
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env={})
print("grandchild-pid", grandchild.pid, flush=True)
"""
DOUBLE_FORK = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", {GRANDCHILD!r}], env={{}}, check=True)
time.sleep(120)
"""
# A leader that ignores SIGTERM once it has said so.
STUBBORN = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring", flush=True)
time.sleep(120)
"""


def wait_for(predicate: Callable[[], object], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s}s: {what}")
        time.sleep(0.02)


def logged(dirs: ServiceDirs, word: str) -> str | None:
    lines = [line for line in dirs.log_path.read_text().splitlines() if line.startswith(word)]
    return lines[0] if lines else None


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def sleeper(run_dir: Path) -> ServiceDirs:
    return ServiceDirs(name="sleeper", root=run_dir / "sleeper")


@pytest.fixture
def started() -> Iterator[list[int]]:
    """Pids a test started; whatever is left of them is killed at the end."""
    pids: list[int] = []
    yield pids
    left = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(process)
        except psutil.NoSuchProcess:
            continue
    for process in left:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(left, timeout=10)  # reaped: no zombie left behind


def start(dirs: ServiceDirs, code: str, started: list[int]) -> int:
    pid = start_detached([sys.executable, "-c", code], dirs=dirs, env=dict(os.environ), cwd=dirs.root.parent)
    started.append(pid)
    return pid


def foreign(started: list[int], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A process that is not one of our services (no tag unless given)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
    started.append(process.pid)
    return process


def test_pid_file_holds_pid_and_create_time_and_reads_old_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    assert read_pid(path) is None
    write_pid(path, 4242, 1700000000.25)
    assert path.read_text() == "4242 1700000000.25\n"
    assert read_pid_record(path) == processes.PidRecord(4242, 1700000000.25)
    write_pid(path, os.getpid())  # the create time is looked up
    record = read_pid_record(path)
    assert record is not None and record.create_time == psutil.Process().create_time()
    path.write_text("4242\n")  # an older newsflow's pid file
    assert read_pid_record(path) == processes.PidRecord(4242, None) and read_pid(path) == 4242
    for garbage in ("", "abc", "-5", "0", "12 x", "12 -3", "1 2 3"):
        path.write_text(garbage)
        assert read_pid_record(path) is None, garbage


def test_a_just_started_process_is_running_at_once(sleeper: ServiceDirs, started: list[int]) -> None:
    for _ in range(20):
        pid = start(sleeper, "import time; time.sleep(120)", started)
        assert running_pid(sleeper) == pid  # no lag: judged by pid + create time, not by its environment
        assert os.getsid(pid) == pid  # its own session
        assert stop(sleeper, timeout_s=10) == [pid]
        assert not psutil.pid_exists(pid)  # gone and reaped, no zombie


def test_stop_stops_the_leader_and_its_child(sleeper: ServiceDirs, started: list[int]) -> None:
    pid = start(sleeper, FORKING, started)
    wait_for(lambda: logged(sleeper, "child-pid"), "the leader names its child")
    child = int(str(logged(sleeper, "child-pid")).split()[1])
    started.append(child)
    assert tagged_pids(sleeper) == sorted([pid, child])
    assert sorted(stop(sleeper, timeout_s=10)) == sorted([pid, child])
    assert not is_alive(pid) and not is_alive(child)
    assert not sleeper.pid_path.exists()


def test_a_process_that_left_the_tree_and_the_tag_is_found_by_its_session(
    sleeper: ServiceDirs, started: list[int]
) -> None:
    pid = start(sleeper, DOUBLE_FORK, started)
    wait_for(lambda: logged(sleeper, "grandchild-pid"), "the leader's child names its own child")
    grandchild = int(str(logged(sleeper, "grandchild-pid")).split()[1])
    started.append(grandchild)
    wait_for(
        lambda: grandchild not in [p.pid for p in psutil.Process(pid).children(recursive=True)],
        "the grandchild's parent exits, leaving it outside the leader's tree",
    )
    assert tagged_pids(sleeper) == [pid]
    assert sorted(stop(sleeper, timeout_s=10)) == sorted([pid, grandchild])
    assert not is_alive(grandchild)


def test_an_orphan_whose_leader_died_is_found_by_its_tag(sleeper: ServiceDirs, started: list[int]) -> None:
    pid = start(sleeper, FORKING, started)
    wait_for(lambda: logged(sleeper, "child-pid"), "the leader names its child")
    child = int(str(logged(sleeper, "child-pid")).split()[1])
    started.append(child)
    psutil.Process(pid).kill()
    wait_for(lambda: exit_code(pid) is not None, "the leader is dead and reaped")
    assert exit_code(pid) == -9
    assert running_pid(sleeper) is None
    assert is_alive(child)
    assert stop(sleeper, timeout_s=10) == [child]
    assert not is_alive(child)


def test_a_leader_that_exited_is_not_running_even_before_it_is_reaped(sleeper: ServiceDirs, started: list[int]) -> None:
    pid = start(sleeper, "import sys; sys.exit(3)", started)
    wait_for(lambda: psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, "the leader exits")
    assert running_pid(sleeper) is None
    assert exit_code(pid) == 3
    assert stop(sleeper, timeout_s=5) == []


def test_a_stale_pid_file_never_gets_a_reused_pid_stopped(sleeper: ServiceDirs, started: list[int]) -> None:
    other = foreign(started)  # what now has the pid the file names, started 100 s after "our" process
    sleeper.root.mkdir(parents=True)
    write_pid(sleeper.pid_path, other.pid, psutil.Process(other.pid).create_time() - 100)
    assert running_pid(sleeper) is None
    assert stop(sleeper, timeout_s=5) == []
    assert other.poll() is None and is_alive(other.pid)
    assert not sleeper.pid_path.exists()  # the stale pid file is cleaned up


def test_an_old_pid_file_is_believed_only_for_a_process_carrying_our_tag(
    sleeper: ServiceDirs, started: list[int]
) -> None:
    sleeper.root.mkdir(parents=True)
    untagged = foreign(started)
    sleeper.pid_path.write_text(f"{untagged.pid}\n")
    assert running_pid(sleeper) is None
    assert stop(sleeper, timeout_s=5) == []
    assert untagged.poll() is None

    tagged = foreign(started, env={**os.environ, TAG_VARIABLE: sleeper.tag})
    wait_for(lambda: tagged_pids(sleeper) == [tagged.pid], "the tagged process has exec'd")
    sleeper.pid_path.write_text(f"{tagged.pid}\n")
    assert running_pid(sleeper) == tagged.pid
    assert stop(sleeper, timeout_s=10) == [tagged.pid]
    assert not psutil.pid_exists(tagged.pid)  # stopped and reaped
    assert untagged.poll() is None


def test_another_run_dirs_pid_file_naming_our_process_stops_nothing(
    run_dir: Path, sleeper: ServiceDirs, started: list[int]
) -> None:
    pid = start(sleeper, "import time; time.sleep(120)", started)  # started here: known by its start
    earlier = foreign(started, env={**os.environ, TAG_VARIABLE: sleeper.tag})  # as if by an earlier command
    wait_for(lambda: earlier.pid in tagged_pids(sleeper), "the tagged process has exec'd")
    theirs = ServiceDirs(name="sleeper", root=run_dir / "theirs")
    theirs.root.mkdir(parents=True)
    for named in (pid, earlier.pid):
        write_pid(theirs.pid_path, named)  # the right pid and create time, but our run dir's process
        assert running_pid(theirs) is None
        assert stop(theirs, timeout_s=5) == []
        theirs.pid_path.write_text(f"{named}\n")  # the old format: only a process with their tag is theirs
        assert running_pid(theirs) is None
        assert stop(theirs, timeout_s=5) == []
    assert running_pid(sleeper) == pid and is_alive(earlier.pid)
    write_pid(sleeper.pid_path, earlier.pid)
    assert running_pid(sleeper) == earlier.pid


def test_what_ignores_sigterm_is_killed_after_the_timeout(
    sleeper: ServiceDirs, started: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    pid = start(sleeper, STUBBORN, started)
    wait_for(lambda: logged(sleeper, "ignoring"), "the process ignores SIGTERM")
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="infra.local.processes"):
        assert stop(sleeper, timeout_s=0.5) == [pid]
    assert time.monotonic() - began >= 0.5
    assert "did not stop within 0.5s; killing pids" in caplog.text
    assert not psutil.pid_exists(pid)


def test_stop_with_nothing_running_is_a_no_op(sleeper: ServiceDirs) -> None:
    assert stop(sleeper, timeout_s=1) == []


def test_a_listening_port_is_busy_and_names_its_owner() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use(port)
        assert os.getpid() in listening_pids(port)
        owner = port_owner(port)
        assert owner is not None and owner.startswith(f"pid {os.getpid()} (") and "python" in owner
        assert describe_busy_port(port) == f"port {port} is already in use by {owner}"
    assert not port_in_use(port)
    assert listening_pids(port) == set() and port_owner(port) is None
