"""``GET /metrics`` of the ingest service and the worker, on the real stack, after real traffic."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import wait_for_document
from tests.integration.pipeline import Pipeline
from tests.integration.test_pipeline import fictional_article
from tests.integration.waiting import wait_until

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

N = 3


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, f"{url} answered {response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("text/plain"), response.headers["content-type"]
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of ``name`` over the samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def test_both_services_report_what_they_did(api: httpx.Client, pipeline: Pipeline) -> None:
    ids = []
    for _ in range(N):
        response = api.post("/articles", json=fictional_article(uuid.uuid4().hex[:8]))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    for article_id in ids:
        wait_for_document(api, article_id, pipeline)

    ingest = scrape(f"{pipeline.api}/metrics")
    assert total(ingest, "newsflow_ingest_requests_total", route="/articles", status="202") >= N
    assert total(ingest, "newsflow_ingest_articles_accepted_total") >= N
    assert total(ingest, "newsflow_ingest_publish_seconds_count") >= N
    routes = {dict(labels).get("route") for name, labels in ingest if name == "newsflow_ingest_requests_total"}
    assert "/articles/{article_id}" in routes, routes  # wait_for_document asked for each id
    assert not any(article_id in str(routes) for article_id in ids), f"a raw path became a route label: {routes}"

    worker_url = f"http://127.0.0.1:{pipeline.web_port}/metrics"
    # Indexed articles are counted once the index call returns, a moment before the batch is timed.
    worker = wait_until(
        f"the worker's {worker_url} to count {N} enriched articles and their batches",
        lambda: scrape(worker_url),
        lambda s: (
            total(s, "newsflow_enrich_articles_enriched_total") >= N
            and total(s, "newsflow_enrich_batch_seconds_count") >= 1
        ),
        timeout_s=30,
        show=lambda s: repr({k: v for k, v in s.items() if "enrich" in k[0] and "bucket" not in k[0]}),
        context=lambda: pipeline.log_tail("enrich"),
    )
    for stage in ("clean", "nlp", "quotes", "dedup", "index"):
        assert total(worker, "newsflow_enrich_stage_seconds_count", stage=stage) >= 1, stage
    info = [dict(labels) for name, labels in worker if name == "newsflow_enrichment_info"]
    assert len(info) == 1 and info[0]["version"] and info[0]["model"], info
    assert total(worker, "newsflow_enrich_dead_letters_total") == 0

    lag = wait_until(
        "a consumer lag sample for every partition of the raw topic",
        lambda: scrape(worker_url),
        lambda s: any(n == "newsflow_enrich_consumer_lag" and ("topic", pipeline.raw_topic) in ls for n, ls in s),
        timeout_s=30,
        show=lambda s: repr({k: v for k, v in s.items() if "lag" in k[0]}),
    )
    assert all(v >= 0 for (n, _), v in lag.items() if n == "newsflow_enrich_consumer_lag")
