"""``python -m benchmarks --cluster`` (``make bench-cluster``): the end-to-end figures on a local cluster of
three KRaft brokers and two Elasticsearch nodes, with 1, 2 and 3 workers, written to
benchmarks/results/cluster-latest.json and cluster-latest.md.

The cluster is started by ``infra/local`` on the benchmark's own ports and run dir (beside a demo, test or
user cluster) and stopped again unless it was already running.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from infra.local import ClusterInfraSettings

#: Ports of the first node; node i listens on each plus i (59092-59094, 59192-59194, 59200-59201, 59300-59301):
#: beside the single-node bench (39092..), the tests (19092.., 28092..) and a user's cluster (9292..).
KAFKA_PORT, KAFKA_CONTROLLER_PORT, ES_PORT, ES_TRANSPORT_PORT = 59092, 59192, 59200, 59300
WORKER_COUNTS = (1, 2, 3)
JSON_NAME, MARKDOWN_NAME = "cluster-latest.json", "cluster-latest.md"


def bench_cluster_infra() -> ClusterInfraSettings:
    """The benchmark's cluster: ``NEWSFLOW_CLUSTER_*`` settings except the ports and the run dir."""
    base = ClusterInfraSettings()
    return ClusterInfraSettings(
        kafka_port=KAFKA_PORT,
        kafka_controller_port=KAFKA_CONTROLLER_PORT,
        es_port=ES_PORT,
        es_transport_port=ES_TRANSPORT_PORT,
        run_dir=Path(base.cache_dir) / "run" / "bench-cluster",
    )


async def cluster_figures(
    results: dict[str, Any],
    *,
    e2e_articles: int,
    latency_s: float,
    partitions: int,
    step: Callable[[str], None],
    counts: Sequence[int] = WORKER_COUNTS,
) -> None:
    """Figures 3 and 4 on the bench cluster, each worker count on fresh topics (replicated to every broker
    the cluster has, up to 3) and alias; then the peak RSS of every broker and Elasticsearch node."""
    from elasticsearch import AsyncElasticsearch

    from benchmarks import measure
    from benchmarks.services import jvm_peak_rss
    from infra.local import down, status, up, wipe_data

    infra = bench_cluster_infra()
    results["cluster"] = {
        "kafka_nodes": infra.kafka_nodes,
        "es_nodes": infra.es_nodes,
        "replication_factor": infra.replication_factor,
        "min_insync_replicas": infra.min_insync_replicas,
        "kafka_bootstrap": infra.kafka_bootstrap,
        "es_hosts": infra.es_hosts,
    }
    already = all(s.healthy for s in status(infra).services)
    results["cluster"]["reused"] = already
    step(f"starting {infra.kafka_nodes} Kafka brokers and {infra.es_nodes} Elasticsearch nodes (infra/local)")
    if not already:
        down(infra)  # whatever is left of an interrupted run
        wipe_data(infra)  # earlier runs' topics and indices: every run starts from empty brokers
    up(infra)
    es = AsyncElasticsearch(infra.es_urls, request_timeout=60)
    try:
        await measure.worker_runs(
            infra,
            es,
            results,
            counts=counts,
            e2e_articles=e2e_articles,
            latency_s=latency_s,
            partitions=partitions,
            step=step,
        )
        step("6/6 peak RSS of every broker and Elasticsearch node")
        results.setdefault("peak_rss_mb", {})["jvm"] = jvm_peak_rss(infra)
    finally:
        await es.close()
        if not already:
            step("stopping the bench cluster")
            down(infra)
