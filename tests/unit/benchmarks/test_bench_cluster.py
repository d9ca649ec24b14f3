"""``make bench-cluster`` pieces that need no infrastructure: its arguments, outputs, ports and table."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import make_command, outputs, parse_args
from benchmarks.cluster import bench_cluster_infra
from benchmarks.report import cluster_markdown


def test_cluster_flag_writes_cluster_files_and_names_its_make_target(tmp_path: Path) -> None:
    args = parse_args(["--cluster", "--quick", "--out", str(tmp_path)])
    assert args.cluster and args.quick
    assert outputs(args) == (tmp_path / "cluster-latest.json", tmp_path / "cluster-latest.md")
    assert make_command(args) == "make bench-cluster BENCH_FLAGS=--quick"


def test_without_the_flag_the_single_node_bench_is_unchanged(tmp_path: Path) -> None:
    args = parse_args(["--out", str(tmp_path)])
    assert not args.cluster and not args.quick
    assert outputs(args) == (tmp_path / "latest.json", tmp_path / "latest.md")
    assert make_command(args) == "make bench"


def test_the_bench_cluster_has_its_own_ports_and_run_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSFLOW_INFRA_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSFLOW_CLUSTER_KAFKA_PORT", "9292")  # a user's cluster: the bench's ports win
    infra = bench_cluster_infra()
    assert infra.kafka_bootstrap == "localhost:59092,localhost:59093,localhost:59094"
    assert infra.es_hosts == "http://localhost:59200,http://localhost:59201"
    assert [infra.kafka_controller_port_of(i) for i in range(3)] == [59192, 59193, 59194]
    assert [infra.es_transport_port_of(i) for i in range(2)] == [59300, 59301]
    assert infra.run_dir == tmp_path.resolve() / "run" / "bench-cluster"
    assert (infra.replication_factor, infra.min_insync_replicas) == (3, 2)


def _run(workers: int, rate: float, cores: dict[str, float]) -> dict[str, object]:
    return {
        "workers": workers,
        "articles": 600,
        "articles_per_s": rate,
        "ratio_to_model": rate / 10,
        "partitions": 6,
        "cores_used": cores,
    }


def test_the_cluster_table_has_each_worker_count_its_ratios_cores_latency_and_memory() -> None:
    results = {
        "command": "make bench-cluster",
        "mode": "full",
        "started_at": "2026-11-26T00:00:00Z",
        "elapsed_s": 300,
        "machine": {"cores": 2, "cpu": "x", "ram_gib": 24, "python": "3.11"},
        "versions": {"kafka": "3.9.2"},
        "cluster": {"kafka_nodes": 3, "es_nodes": 2, "replication_factor": 3, "min_insync_replicas": 2},
        "model_limit": {"articles_per_s": 10.0, "words_per_s": 8000, "components": ["ner"], "mean_words": 800},
        "end_to_end": {
            "workers_1": _run(1, 6.0, {"kafka": 0.2, "elasticsearch": 0.3, "ingest": 0.1, "enrich0": 0.8}),
            "workers_2": _run(2, 9.0, {"kafka": 0.3, "elasticsearch": 0.4, "enrich0": 0.6, "enrich1": 0.6}),
            "workers_3": _run(3, 9.0, {"kafka": 0.3, "elasticsearch": 0.4, "enrich0": 0.4, "enrich1": 0.4}),
        },
        "latency": {
            "offered_per_s": 3.0,
            "seen": 10,
            "articles": 10,
            "refresh_interval": "1s",
            "seconds": {"p50": 0.6, "p95": 1.0, "p99": 1.2},
        },
        "peak_rss_mb": {
            "enrich_worker": 400,
            "ingest": 90,
            "jvm": {
                "kafka-1": 700.0,
                "kafka-2": 700.0,
                "kafka-3": 700.0,
                "kafka_total": 2100.0,
                "elasticsearch-1": 900.0,
                "elasticsearch-2": 900.0,
                "elasticsearch_total": 1800.0,
                "total": 3900.0,
            },
        },
    }
    table = cluster_markdown(results)
    assert "3 Kafka brokers and 2 Elasticsearch nodes" in table and "replication factor 3" in table
    assert "| 1 | 600 | 6.0 | 0.60 | 1.00 | 0.2 | 0.3 | 0.8 | 0.1 |" in table
    assert "| 2 | 600 | 9.0 | 0.90 | 1.50 | 0.3 | 0.4 | 1.2 | — |" in table
    assert "| 3 | 600 | 9.0 | 0.90 | 1.50 | 0.3 | 0.4 | 0.8 | — |" in table
    assert "one core into 7.5 art/s" in table and "1.0 cores per 10 art/s" in table
    assert "p50 0.6 s, p95 1.0 s, p99 1.2 s" in table
    assert "JVMs 3900.0 in all (Kafka 2100.0, Elasticsearch 1800.0" in table and "kafka-2 700.0" in table
    assert "already running" not in table


def test_a_cluster_run_without_pipeline_figures_still_renders() -> None:
    results = {
        "command": "make bench-cluster",
        "mode": "quick",
        "started_at": "2026-11-26T00:00:00Z",
        "machine": {"cores": 2, "cpu": "x", "ram_gib": 24, "python": "3.11"},
        "versions": {},
        "model_limit": {"articles_per_s": 10.0, "words_per_s": 8000, "components": ["ner"], "mean_words": 800},
    }
    table = cluster_markdown(results)
    assert "Model limit" in table and "per added core" not in table.lower() and "Peak RSS" not in table
