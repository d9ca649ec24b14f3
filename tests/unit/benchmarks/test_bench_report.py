"""``make bench`` pieces that need no infrastructure: the article pool and the results table."""

from __future__ import annotations

from benchmarks.corpus import article, pool
from benchmarks.measure import percentiles
from benchmarks.report import markdown
from schemas.articles import ArticleIn


def test_the_pool_is_deterministic_varied_and_valid() -> None:
    first, again = pool(40), pool(40)
    assert first == again
    words = [a.words for a in first]
    assert min(words) < 500 < max(words)
    assert len({a.id for a in first}) == 40
    for a in first:
        ArticleIn.model_validate(a.as_json())
    assert article(3, words=300).words < 450


def test_percentiles_of_latencies() -> None:
    values = [i / 100 for i in range(1, 101)]
    p = percentiles(values)
    assert p["p50"] == 0.51 and p["p99"] == 1.0 and p["max"] == 1.0
    assert percentiles([])["p99"] is None


def test_the_table_has_every_figure_its_ratio_and_whether_the_target_was_met() -> None:
    results = {
        "command": "make bench",
        "mode": "full",
        "started_at": "2026-11-22T00:00:00Z",
        "elapsed_s": 100,
        "machine": {"cores": 2, "cpu": "x", "ram_gib": 24, "python": "3.11"},
        "versions": {"kafka": "3.9.2"},
        "model_limit": {"articles_per_s": 10.0, "words_per_s": 8000, "components": ["ner"], "mean_words": 800},
        "enrichment_only": {"articles_per_s": 9.5, "ratio_to_model": 0.95},
        "end_to_end": {
            "workers_1": {"articles": 600, "articles_per_s": 7.0, "ratio_to_model": 0.7, "partitions": 6},
            "workers_2": {"articles": 600, "articles_per_s": 9.0, "ratio_to_model": 0.9, "partitions": 6},
        },
        "latency": {
            "offered_per_s": 3.5,
            "seen": 10,
            "articles": 10,
            "refresh_interval": "500ms",
            "seconds": {"p50": 0.6, "p95": 1.0, "p99": 1.2},
        },
        "ingest": {
            "single_post": [{"concurrency": 8, "per_s": 600, "latency_s": {"p50": 0.01, "p99": 0.05}}],
            "batch_post": [
                {"batch": 100, "concurrency": 4, "articles_per_s": 2500, "latency_s": {"p50": 0.1, "p99": 0.2}}
            ],
            "bare_producer": {"mean_record_bytes": 5000, "pipelined_per_s": 4000, "sequential_per_s": 150},
            "best_single_per_s": 600,
            "best_batch_articles_per_s": 2500,
            "batch_ratio_to_producer": 0.625,
            "warc_post": {"records": 800, "pages": 400, "accepted": 400, "records_per_s": 900.0, "pages_per_s": 450.0},
        },
        "peak_rss_mb": {"enrich_worker": 400, "ingest": 90},
    }
    table = markdown(results)
    assert "| 2. enrichment only" in table and "0.95 | ≥ 0.90 | met" in table
    assert "0.70 | ≥ 0.80 | **missed**" in table  # end to end, 1 worker
    assert "p99 1.2 s" in table and "0.62 | ≥ 0.70 | **missed**" in table
    assert "400 MiB / 90 MiB" in table
    assert "CRAWL.warc.gz` (800 records, 400 HTML pages) | 900.0 records/s (450.0 pages/s, 400 accepted)" in table
