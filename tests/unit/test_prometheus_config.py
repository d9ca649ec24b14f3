"""infra/prometheus/prometheus.yml scrapes what docker-compose.yml runs, where it listens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enrich_service.settings import EnrichSettings

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_prometheus_scrapes_ingest_and_the_worker_on_their_compose_ports() -> None:
    services = load(ROOT / "docker-compose.yml")["services"]
    config = load(ROOT / "infra" / "prometheus" / "prometheus.yml")
    targets = {
        job["job_name"]: (job.get("metrics_path", "/metrics"), target)
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    ingest_env = services["ingest"]["environment"]
    enrich_env = services["enrich"]["environment"]
    assert targets == {
        "newsflow-ingest": ("/metrics", f"ingest:{ingest_env['NEWSFLOW_INGEST_PORT']}"),
        "newsflow-enrich": ("/metrics", f"enrich:{enrich_env['NEWSFLOW_ENRICH_WEB_PORT']}"),
    }
    assert enrich_env["NEWSFLOW_ENRICH_WEB_HOST"] == "0.0.0.0", "the worker's web server must be reachable"
    assert "NEWSFLOW_ENRICH_WEB_ENABLED" not in enrich_env or enrich_env["NEWSFLOW_ENRICH_WEB_ENABLED"]
    assert EnrichSettings().web_enabled, "the worker serves /metrics on its web server by default"


def test_the_prometheus_service_mounts_that_config() -> None:
    prometheus = load(ROOT / "docker-compose.yml")["services"]["prometheus"]
    assert "./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    assert any(p.endswith(":9090") for p in prometheus["ports"])
