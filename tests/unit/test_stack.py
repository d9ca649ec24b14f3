"""``newsflow up``'s judgement of its services, on stand-in processes: ready, exited, stale readiness files."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from enrich_service.readiness import read_readiness, remove_readiness, write_readiness
from enrich_service.settings import EnrichSettings
from infra.local import InfraSettings
from infra.local.processes import start_detached, stop
from newsflow.stack import Services, StackError, services_for, wait_ready

# Stands in for ingest: answers GET /readyz with 200 on the port it is given.
FAKE_INGEST = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/readyz" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""
# Stands in for the worker: writes its readiness file as the real one does, after a moment.
FAKE_WORKER = """
import sys, time
from pathlib import Path
from enrich_service.readiness import write_readiness
time.sleep(0.3)
write_readiness(Path(sys.argv[1]), "fake-enrich", ["raw:0"])
time.sleep(120)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    env = {"NEWSFLOW_INGEST_PORT": str(free_port()), "PATH": os.environ.get("PATH", "")}
    found = services_for(InfraSettings(run_dir=tmp_path / "infra"), run_dir=tmp_path / "run", env=env)
    yield found
    for name in ("ingest", "enrich"):
        stop(found.dirs(name), timeout_s=10)


def run(services: Services, name: str, code: str, *args: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    dirs = services.dirs(name)
    return start_detached([sys.executable, "-c", code, *args], dirs=dirs, env=env, cwd=dirs.root.parent)


def test_services_for_points_at_the_infra_unless_the_environment_says_otherwise(tmp_path: Path) -> None:
    infra = InfraSettings(run_dir=tmp_path / "infra", kafka_port=19500, es_port=19600)
    found = services_for(infra, env={"newsflow_enrich_es__url": "http://es.example:9200"})
    assert found.run_dir == infra.run_dir
    assert found.env["NEWSFLOW_INGEST_KAFKA__BOOTSTRAP_SERVERS"] == "localhost:19500"
    assert found.env["NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS"] == "localhost:19500"
    assert found.env["NEWSFLOW_INGEST_ES__URL"] == "http://localhost:19600"
    assert "NEWSFLOW_ENRICH_ES__URL" not in found.env  # the user's (lower-case) setting stands
    assert found.env["NEWSFLOW_ENRICH_DATA_DIR"] == str(infra.run_dir / "enrich" / "data")
    assert found.ready_file == infra.run_dir / "enrich" / "ready.json"
    assert found.ingest_url == "http://127.0.0.1:8000"  # the ingest service's own defaults


def test_the_ingest_url_follows_its_host_and_port(tmp_path: Path) -> None:
    infra = InfraSettings(run_dir=tmp_path)
    assert services_for(infra, env={"NEWSFLOW_INGEST_PORT": "18123"}).ingest_url == "http://127.0.0.1:18123"
    wildcard = {"NEWSFLOW_INGEST_HOST": "0.0.0.0", "NEWSFLOW_INGEST_PORT": "8100"}
    assert services_for(infra, env=wildcard).ingest_url == "http://127.0.0.1:8100"
    assert services_for(infra, env={"NEWSFLOW_INGEST_HOST": "::1"}).ingest_url == "http://[::1]:8000"


def test_ready_when_readyz_answers_and_the_worker_wrote_its_readiness_file(services: Services) -> None:
    ingest = run(services, "ingest", FAKE_INGEST, str(services.ingest_port))
    enrich = run(services, "enrich", FAKE_WORKER, str(services.ready_file))
    assert wait_ready(services, timeout_s=30) == {"ingest": ingest, "enrich": enrich}
    readiness = read_readiness(services.ready_file)
    assert readiness is not None and readiness.pid == enrich
    assert readiness.create_time == psutil.Process(enrich).create_time()


def test_a_service_that_exits_is_named_with_its_exit_code_and_log(services: Services) -> None:
    run(services, "ingest", FAKE_INGEST, str(services.ingest_port))
    enrich = run(services, "enrich", "import sys; print('cannot load the model'); sys.exit(3)")
    with pytest.raises(StackError) as failure:
        wait_ready(services, timeout_s=30)
    message = str(failure.value)
    assert f"enrich (pid {enrich}) exited with code 3 during startup" in message
    assert "cannot load the model" in message and str(services.dirs("enrich").log_path) in message


def test_a_readiness_file_left_by_an_earlier_worker_is_not_believed(services: Services) -> None:
    run(services, "ingest", FAKE_INGEST, str(services.ingest_port))
    enrich = run(services, "enrich", "import time; time.sleep(120)")
    write_readiness(services.ready_file, "fake-enrich", [])  # names this (test) process, not the worker
    started = time.monotonic()
    with pytest.raises(StackError) as failure:
        wait_ready(services, timeout_s=3)
    assert time.monotonic() - started >= 3
    assert f"enrich (pid {enrich}) not ready after 3s (no readiness file {services.ready_file})" in str(failure.value)


def test_readiness_files_are_removed_only_by_their_writer(tmp_path: Path) -> None:
    path = tmp_path / "ready.json"
    assert read_readiness(path) is None
    path.write_text('{"pid": "x"}')
    assert read_readiness(path) is None
    written = write_readiness(path, "app", ["raw:1", "raw:0"])
    assert read_readiness(path) == written and written.pid == os.getpid() and written.partitions == ["raw:0", "raw:1"]
    path.write_text(path.read_text().replace(f'"pid": {os.getpid()}', '"pid": 1'))
    remove_readiness(path)  # another process's file
    assert path.exists()
    write_readiness(path, "app", [])
    remove_readiness(path)
    assert not path.exists()


def test_the_worker_writes_its_readiness_file_in_its_data_dir_unless_told_otherwise(tmp_path: Path) -> None:
    assert EnrichSettings(data_dir=str(tmp_path)).readiness_path == tmp_path / "ready.json"
    assert EnrichSettings(ready_file=tmp_path / "r.json").readiness_path == tmp_path / "r.json"
