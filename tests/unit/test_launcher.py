"""The one launcher (``newsflow.launcher``): a service's environment from typed values, readiness of several
workers at once, and a process killed outright, on stand-in processes."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from adapters.settings import TopicSettings
from enrich_service.readiness import read_readiness
from infra.local.layout import ServiceDirs
from infra.local.processes import running_pid, start_detached, stop
from newsflow.launcher import (
    Launch,
    LaunchError,
    ServiceValues,
    Started,
    service_env,
    wait_ready,
    without_newsflow,
)

ROOT = Path(__file__).resolve().parents[2]
# Stands in for a worker: writes its readiness file (the path its launch names) as the real one does.
FAKE_WORKER = """
import os, time
from pathlib import Path
from enrich_service.readiness import write_readiness
time.sleep(0.2)
write_readiness(Path(os.environ["NEWSFLOW_ENRICH_READY_FILE"]), "fake-enrich", ["raw:0"])
time.sleep(120)
"""


def run(launch: Launch, code: str) -> Started:
    env = {**launch.env, "PYTHONPATH": str(ROOT)}
    return Started(launch, start_detached([sys.executable, "-c", code], dirs=launch.dirs, env=env, cwd=ROOT))


def test_typed_values_become_the_service_s_variables() -> None:
    topics = TopicSettings(raw="r", enriched="e", dlq="d", partitions=3)
    values = ServiceValues(
        kafka_bootstrap="k:1", es_url="http://e:2", topics=topics, index_alias="a", port=7001, web_enabled=False
    )
    env = service_env("enrich", values, {"PATH": "/bin"})
    assert env == {
        "PATH": "/bin",
        "NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS": "k:1",
        "NEWSFLOW_ENRICH_ES__URL": "http://e:2",
        "NEWSFLOW_ENRICH_TOPICS__RAW": "r",
        "NEWSFLOW_ENRICH_TOPICS__ENRICHED": "e",
        "NEWSFLOW_ENRICH_TOPICS__DLQ": "d",
        "NEWSFLOW_ENRICH_TOPICS__PARTITIONS": "3",
        "NEWSFLOW_ENRICH_TOPICS__REPLICATION_FACTOR": "1",
        "NEWSFLOW_ENRICH_INDEX_ALIAS": "a",
        "NEWSFLOW_ENRICH_WEB_PORT": "7001",  # the worker's port is its web server's
        "NEWSFLOW_ENRICH_WEB_ENABLED": "false",
    }
    ingest = service_env("ingest", ServiceValues(host="0.0.0.0", port=8100, extra={"send_timeout_s": "3"}), {})
    assert ingest == {
        "NEWSFLOW_INGEST_HOST": "0.0.0.0",
        "NEWSFLOW_INGEST_PORT": "8100",
        "NEWSFLOW_INGEST_SEND_TIMEOUT_S": "3",
    }


def test_the_user_s_variables_win_and_a_private_pipeline_drops_them() -> None:
    user = {"newsflow_ingest_port": "9999", "NEWSFLOW_API": "http://x", "HOME": "/root"}
    env = service_env("ingest", ServiceValues(port=8100, kafka_bootstrap="k:1"), user)
    assert env["newsflow_ingest_port"] == "9999" and "NEWSFLOW_INGEST_PORT" not in env  # any case, as pydantic
    assert env["NEWSFLOW_INGEST_KAFKA__BOOTSTRAP_SERVERS"] == "k:1"
    assert without_newsflow(user) == {"HOME": "/root"}


def test_a_setting_the_service_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="the ingest service has no setting 'app_id'"):
        service_env("ingest", ServiceValues(app_id="group"), {})
    with pytest.raises(ValueError, match="no setting 'index_alias__name'"):
        service_env("enrich", ServiceValues(extra={"index_alias__name": "a"}), {})
    with pytest.raises(ValueError, match="no setting 'kafka__bootstrap'"):
        service_env("enrich", ServiceValues(extra={"kafka__bootstrap": "k:1"}), {})


def test_a_launch_reads_its_own_environment_then_the_defaults_never_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_INGEST_PORT", "1234")  # this process's: not the launched service's
    ingest = Launch.of("ingest", ServiceDirs("ingest", tmp_path / "ingest"), ServiceValues(), base={})
    assert ingest.ingest_url == "http://127.0.0.1:8000" and ingest.listen_port == (8000, "NEWSFLOW_INGEST_PORT")
    worker = Launch.of("enrich", ServiceDirs("w", tmp_path / "w"), ServiceValues(web_enabled=False), base={})
    assert worker.ready_file == tmp_path / "w" / "ready.json" and worker.listen_port is None
    assert worker.setting("es__url") == "http://localhost:9200" and worker.setting("index_alias") == "articles"


def test_several_workers_are_ready_each_by_its_own_readiness_file(tmp_path: Path) -> None:
    launches = [
        Launch.of("enrich", ServiceDirs(f"enrich{n}", tmp_path / f"enrich{n}"), ServiceValues()) for n in (0, 1)
    ]
    started = [run(launch, FAKE_WORKER) for launch in launches]
    try:
        assert wait_ready(launches, timeout_s=30) == {"enrich0": started[0].pid, "enrich1": started[1].pid}
        readiness = [read_readiness(launch.ready_file) for launch in launches]
        assert [r.pid if r else None for r in readiness] == [s.pid for s in started]
    finally:
        for launch in launches:
            stop(launch.dirs, timeout_s=10)


def test_a_killed_process_reports_its_signal_and_is_gone(tmp_path: Path) -> None:
    launch = Launch.of("enrich", ServiceDirs("enrich", tmp_path / "enrich"), ServiceValues())
    started = run(launch, "import time; time.sleep(120)")
    assert started.poll() is None
    started.stop(signal.SIGKILL, timeout_s=10)
    assert started.poll() == -signal.SIGKILL
    assert running_pid(launch.dirs) is None and not launch.dirs.pid_path.exists()
    with pytest.raises(LaunchError, match=r"enrich \(pid \?\) exited during startup"):  # no pid file left
        wait_ready([launch], timeout_s=5)


def test_a_process_stopped_by_sigterm_ends_with_its_exit_code(tmp_path: Path) -> None:
    launch = Launch.of("ingest", ServiceDirs("ingest", tmp_path / "ingest"), ServiceValues(), base=dict(os.environ))
    armed = tmp_path / "armed"
    code = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(4)); "
        f"open({str(armed)!r}, 'w').close(); time.sleep(120)"
    )
    started = run(launch, code)
    deadline = time.monotonic() + 30
    while not armed.exists():
        assert started.poll() is None and time.monotonic() < deadline, "the stand-in never set its SIGTERM handler"
        time.sleep(0.05)
    started.stop(timeout_s=10)
    assert started.poll() == 4 and running_pid(launch.dirs) is None
