"""up/down/status orchestration with the services, processes and ports replaced by fakes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from infra.local import __main__ as cli
from infra.local import manager
from infra.local.errors import InfraError
from infra.local.layout import ServiceDirs
from infra.local.settings import InfraSettings


class World:
    """What is running (by service name), which ports are busy, and what happened."""

    def __init__(self) -> None:
        self.running: dict[str, int] = {}
        self.busy_ports: set[int] = set()
        self.healthy = True
        self.cached = True
        self.launched: list[str] = []
        self.stopped: list[str] = []
        self.fail_wait: str | None = None


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    state = World()

    def launch(service: manager._Service) -> Callable[[InfraSettings, Path, int], int]:
        def run(settings: InfraSettings, java_home: Path, node: int) -> int:
            name = service.dirs(settings, node).name
            state.launched.append(name)
            state.running[name] = 1000 + len(state.launched)
            return state.running[name]

        return run

    def wait(name: str) -> Callable[..., None]:
        def run(settings: InfraSettings, **kwargs: object) -> None:
            if state.fail_wait == name:
                raise InfraError(f"{name} is not healthy")

        return run

    def stop(dirs: ServiceDirs, timeout_s: float = 0) -> list[int]:
        pid = state.running.pop(dirs.name, None)
        if pid is not None:
            state.stopped.append(dirs.name)
        return [pid] if pid else []

    services = tuple(
        replace(
            service,
            launch=launch(service),
            wait=wait(service.name),
            cached=lambda settings: state.cached,
            probe=lambda settings, node: None if state.healthy else "no answer",
        )
        for service in manager._SERVICES
    )
    monkeypatch.setattr(manager, "_SERVICES", services)
    monkeypatch.setattr(manager, "find_java_home", lambda settings: tmp_path / "jdk")
    monkeypatch.setattr(manager.es_node, "preflight", lambda settings: None)
    monkeypatch.setattr(manager, "running_pid", lambda dirs: state.running.get(dirs.name))
    monkeypatch.setattr(manager, "stop", stop)
    monkeypatch.setattr(manager, "port_in_use", lambda port: port in state.busy_ports)
    monkeypatch.setattr(manager, "describe_busy_port", lambda port: f"port {port} is already in use by pid 7")
    return state


@pytest.fixture
def settings(tmp_path: Path) -> InfraSettings:
    return InfraSettings(cache_dir=tmp_path / "cache", run_dir=tmp_path / "run")


def test_up_starts_both_and_reports_them(world: World, settings: InfraSettings) -> None:
    world.cached = False
    state = manager.up(settings)
    assert world.launched == ["kafka", "elasticsearch"]
    assert state.healthy and state.running
    assert state.kafka.address == "localhost:9092" and state.elasticsearch.address == "http://localhost:9200"
    assert state.kafka.downloaded and not state.kafka.reused
    assert state.kafka.log_path == settings.run_dir / "kafka" / "console.log"
    assert state.elasticsearch.version == "8.19.21"


def test_up_is_idempotent(world: World, settings: InfraSettings) -> None:
    manager.up(settings)
    state = manager.up(settings)
    assert world.launched == ["kafka", "elasticsearch"]  # nothing started twice
    assert state.kafka.reused and state.elasticsearch.reused
    assert not state.kafka.downloaded


def test_busy_port_is_reported_before_anything_starts(world: World, settings: InfraSettings) -> None:
    world.busy_ports.add(9092)
    with pytest.raises(InfraError) as caught:
        manager.up(settings)
    assert "port 9092 is already in use by pid 7" in str(caught.value)
    assert "NEWSFLOW_INFRA_KAFKA_PORT" in str(caught.value)
    assert world.launched == []


def test_failed_start_stops_what_this_call_started(world: World, settings: InfraSettings) -> None:
    world.running["kafka"] = 555  # already running: reused, so left alone
    world.fail_wait = "elasticsearch"
    with pytest.raises(InfraError, match="elasticsearch is not healthy"):
        manager.up(settings)
    assert world.stopped == ["elasticsearch"]
    assert world.running == {"kafka": 555}


def test_status_and_down(world: World, settings: InfraSettings) -> None:
    manager.up(settings)
    world.healthy = False
    state = manager.status(settings)
    assert state.running and not state.healthy
    assert state.kafka.problem == "no answer"
    manager.down(settings)
    assert sorted(world.stopped) == ["elasticsearch", "kafka"]
    state = manager.status(settings)
    assert not state.running and state.kafka.problem == "not running"


def test_status_names_a_foreign_port_holder(world: World, settings: InfraSettings) -> None:
    world.busy_ports.add(9200)
    state = manager.status(settings)
    assert state.elasticsearch.pid is None
    assert "already in use by pid 7" in (state.elasticsearch.problem or "")


def test_command_line(
    world: World, settings: InfraSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_INFRA_RUN_DIR", str(settings.run_dir))
    monkeypatch.setenv("NEWSFLOW_INFRA_CACHE_DIR", str(settings.cache_dir))
    assert cli.main(["status", "-q"]) == cli.EXIT_NOT_HEALTHY
    assert cli.main(["up", "-q"]) == 0
    assert "kafka 3.9.2 at localhost:9092: healthy" in capsys.readouterr().out
    assert cli.main(["status", "-q"]) == 0
    assert cli.main(["down", "-q"]) == 0
    world.busy_ports.add(9093)
    assert cli.main(["up", "-q"]) == cli.EXIT_FAILED
    assert "error: Kafka cannot start: port 9093" in capsys.readouterr().err


def test_cluster_starts_every_node_and_reports_each(world: World, tmp_path: Path) -> None:
    from infra.local.settings import ClusterInfraSettings

    cluster = ClusterInfraSettings(cache_dir=tmp_path / "cache", run_dir=tmp_path / "cluster")
    state = manager.up(cluster)
    names = ["kafka-1", "kafka-2", "kafka-3", "elasticsearch-1", "elasticsearch-2"]
    assert world.launched == names
    assert [s.name for s in state.services] == names
    assert [s.address for s in state.services][2:] == [
        "localhost:9294",
        "http://localhost:9210",
        "http://localhost:9211",
    ]
    assert state.healthy
    manager.down(cluster)
    # Elasticsearch first, then Kafka; the nodes of one kind together (in any order).
    assert set(world.stopped[:2]) == set(names[3:]) and set(world.stopped[2:]) == set(names[:3])


def test_wipe_data_deletes_every_nodes_data_of_a_stopped_run_dir(world: World, tmp_path: Path) -> None:
    from infra.local.settings import ClusterInfraSettings

    cluster = ClusterInfraSettings(cache_dir=tmp_path / "cache", run_dir=tmp_path / "cluster")
    data = [cluster.run_dir / name / "data" for name in ("kafka-1", "kafka-3", "elasticsearch-2")]
    for path in data:
        (path / "old-topic-0").mkdir(parents=True)
    (cluster.run_dir / "kafka-cluster.id").write_text("OldId\n", encoding="utf-8")
    (cluster.run_dir / "kafka-1" / "server.properties").write_text("kept", encoding="utf-8")
    manager.up(cluster)
    with pytest.raises(InfraError, match="running"):
        manager.wipe_data(cluster)  # never under a running node
    assert all(path.is_dir() for path in data)
    manager.down(cluster)
    assert sorted(manager.wipe_data(cluster)) == sorted(data)
    assert not any(path.exists() for path in data) and not (cluster.run_dir / "kafka-cluster.id").exists()
    assert (cluster.run_dir / "kafka-1" / "server.properties").is_file()  # only data goes
