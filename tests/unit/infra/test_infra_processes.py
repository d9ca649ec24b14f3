"""Pid-file and /proc safety logic against a fake /proc under tmp_path."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from infra.local import processes
from infra.local.layout import TAG_VARIABLE, ServiceDirs
from infra.local.processes import is_alive, is_ours, read_pid, running_pid, stop, tagged_pids, write_pid


class FakeProc:
    """A /proc with hand-made processes; ``kill`` turns a process into a zombie like a real SIGTERM."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.signals: list[tuple[int, int]] = []
        self.ignore_term: set[int] = set()
        root.mkdir()

    def add(self, pid: int, argv: list[str], env: dict[str, str], state: str = "S") -> None:
        entry = self.root / str(pid)
        entry.mkdir()
        (entry / "stat").write_text(f"{pid} (java) {state} 1 {pid} {pid} 0 -1\n")
        (entry / "cmdline").write_bytes(b"".join(arg.encode() + b"\0" for arg in argv))
        (entry / "environ").write_bytes(b"".join(f"{k}={v}".encode() + b"\0" for k, v in env.items()))

    def zombify(self, pid: int) -> None:
        (self.root / str(pid) / "stat").write_text(f"{pid} (java) Z 1 {pid} {pid} 0 -1\n")
        (self.root / str(pid) / "cmdline").write_bytes(b"")

    def kill(self, pid: int, signum: int) -> None:
        self.signals.append((pid, signum))
        if signum == signal.SIGKILL or pid not in self.ignore_term:
            self.zombify(pid)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProc:
    proc = FakeProc(tmp_path / "proc")
    monkeypatch.setattr(processes, "_signal", proc.kill)
    monkeypatch.setattr(processes, "_POLL_S", 0.001)
    monkeypatch.setattr(processes, "KILL_GRACE_S", 0.05)
    return proc


@pytest.fixture
def kafka(tmp_path: Path) -> ServiceDirs:
    dirs = ServiceDirs(name="kafka", root=tmp_path / "run" / "kafka")
    dirs.root.mkdir(parents=True)
    return dirs


def _ours(dirs: ServiceDirs) -> dict[str, str]:
    return {"PATH": "/usr/bin", TAG_VARIABLE: dirs.tag}


def test_pid_file_round_trip_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    assert read_pid(path) is None
    write_pid(path, 4242)
    assert read_pid(path) == 4242
    for garbage in ("", "abc", "-5", "0", "12 13"):
        path.write_text(garbage)
        assert read_pid(path) is None


def test_is_ours_needs_our_tag(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(100, ["java", "kafka.Kafka"], _ours(kafka))
    fake.add(101, ["java", "kafka.Kafka"], {TAG_VARIABLE: "kafka@/some/other/run/kafka"})
    fake.add(102, ["bash"], {"PATH": "/usr/bin"})
    assert is_ours(100, kafka, fake.root)
    assert not is_ours(101, kafka, fake.root)
    assert not is_ours(102, kafka, fake.root)
    assert not is_ours(999, kafka, fake.root)  # no such process


def test_zombies_are_neither_alive_nor_ours(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(100, ["java"], _ours(kafka))
    fake.zombify(100)
    assert not is_alive(100, fake.root)
    assert not is_ours(100, kafka, fake.root)


def test_unreadable_environment_falls_back_to_java_naming_our_dir(
    fake: FakeProc, kafka: ServiceDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add(100, ["/usr/lib/jvm/x/bin/java", "kafka.Kafka", f"{kafka.root}/server.properties"], {})
    fake.add(101, ["/usr/bin/python3", f"{kafka.root}/server.properties"], {})
    fake.add(102, ["/usr/lib/jvm/x/bin/java", f"{kafka.root}-old/server.properties"], {})
    real_read = processes._read

    def no_environ(proc: Path, pid: int, name: str) -> bytes | None:
        if name == "environ":
            raise PermissionError(name)
        return real_read(proc, pid, name)

    monkeypatch.setattr(processes, "_read", no_environ)
    assert is_ours(100, kafka, fake.root)
    assert not is_ours(101, kafka, fake.root)
    assert not is_ours(102, kafka, fake.root)


def test_running_pid_ignores_a_reused_pid(fake: FakeProc, kafka: ServiceDirs) -> None:
    write_pid(kafka.pid_path, 100)
    fake.add(100, ["/usr/sbin/sshd"], {"PATH": "/usr/bin"})  # the pid now belongs to something else
    assert running_pid(kafka, fake.root) is None
    fake.add(200, ["java"], _ours(kafka))
    write_pid(kafka.pid_path, 200)
    assert running_pid(kafka, fake.root) == 200


def test_tagged_pids_finds_children_too(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(100, ["java", "launcher"], _ours(kafka))
    fake.add(101, ["java", "server"], _ours(kafka))
    fake.add(102, ["java", "other"], {TAG_VARIABLE: "elasticsearch@/x"})
    fake.add(103, ["java", "dead"], _ours(kafka))
    fake.zombify(103)
    (fake.root / "self").mkdir()
    assert tagged_pids(kafka, fake.root) == [100, 101]


def test_stop_terminates_only_our_processes(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(100, ["java", "launcher"], _ours(kafka))
    fake.add(101, ["java", "server"], _ours(kafka))
    fake.add(300, ["/usr/sbin/sshd"], {"PATH": "/usr/bin"})
    write_pid(kafka.pid_path, 100)
    assert stop(kafka, timeout_s=1, proc=fake.root) == [100, 101]
    assert sorted(fake.signals) == [(100, signal.SIGTERM), (101, signal.SIGTERM)]
    assert not kafka.pid_path.exists()


def test_stop_never_signals_a_reused_pid(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(300, ["/usr/sbin/sshd"], {"PATH": "/usr/bin"})
    write_pid(kafka.pid_path, 300)
    assert stop(kafka, timeout_s=1, proc=fake.root) == []
    assert fake.signals == []
    assert not kafka.pid_path.exists()  # the stale pid file is cleaned up
    assert is_alive(300, fake.root)


def test_stop_kills_what_ignores_sigterm(fake: FakeProc, kafka: ServiceDirs) -> None:
    fake.add(100, ["java"], _ours(kafka))
    fake.ignore_term.add(100)
    write_pid(kafka.pid_path, 100)
    assert stop(kafka, timeout_s=0.05, proc=fake.root) == [100]
    assert fake.signals == [(100, signal.SIGTERM), (100, signal.SIGKILL)]


def test_stop_with_nothing_running_is_a_no_op(fake: FakeProc, kafka: ServiceDirs) -> None:
    assert stop(kafka, timeout_s=1, proc=fake.root) == []
    assert fake.signals == []
