"""A real Prometheus scrapes both services' ``/metrics`` on the real stack (skipped without the binary).

The same scrape configuration shape as infra/prometheus/prometheus.yml, pointed at this pipeline's ports.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import wait_for_document
from tests.integration.pipeline import Pipeline, free_port
from tests.integration.test_pipeline import fictional_article
from tests.integration.waiting import wait_until

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def prometheus(pipeline: Pipeline, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("no prometheus binary on PATH (Debian: apt-get install prometheus)")
    config: dict[str, Any] = yaml.safe_load((ROOT / "infra" / "prometheus" / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    ports = {"newsflow-ingest": pipeline.ingest_port, "newsflow-enrich": pipeline.web_port}
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{ports[job['job_name']]}"]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def query(base: str, promql: str) -> list[dict[str, Any]]:
    try:
        response = httpx.get(f"{base}/api/v1/query", params={"query": promql}, timeout=5)
    except httpx.TransportError:
        return []
    if response.status_code != 200:
        return []
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def test_prometheus_scrapes_both_services(api: httpx.Client, pipeline: Pipeline, prometheus: str) -> None:
    response = api.post("/articles", json=fictional_article(uuid.uuid4().hex[:8]))
    assert response.status_code == 202, response.text
    wait_for_document(api, response.json()["id"], pipeline)

    up = wait_until(
        "Prometheus to scrape both targets successfully (up == 1)",
        lambda: query(prometheus, "up"),
        lambda r: {s["metric"]["job"]: s["value"][1] for s in r} == {"newsflow-ingest": "1", "newsflow-enrich": "1"},
        timeout_s=60,
        interval_s=0.5,
    )
    assert len(up) == 2
    wait_until(
        "Prometheus to hold the enriched count and the accepted count",
        lambda: query(prometheus, "newsflow_enrich_articles_enriched_total or newsflow_ingest_articles_accepted_total"),
        lambda r: (
            {s["metric"]["__name__"] for s in r if float(s["value"][1]) >= 1}
            == {"newsflow_enrich_articles_enriched_total", "newsflow_ingest_articles_accepted_total"}
        ),
        timeout_s=30,
        interval_s=0.5,
    )
