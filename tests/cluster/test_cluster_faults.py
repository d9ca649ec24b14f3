"""Faults on a real three-broker Kafka cluster and a real two-node Elasticsearch cluster.

Each test SIGKILLs one node (or one of three workers) while articles are posted and enriched, restarts
it, and checks that every 202 is indexed exactly once. Each prints a row of the fault table (also kept in
``<cluster run dir>/cluster-fault-table.jsonl``): accepted, indexed, lost, duplicated, longest stall.
"""

from __future__ import annotations

import signal
import time
import uuid
from typing import Any

import httpx
from elasticsearch import Elasticsearch

from tests.cluster.faults import Poster, Progress, in_sync_replicas, leaders_of, record_row, sigkill, wait_indexed
from tests.integration.articles import bulk_article
from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until


def _row(
    fault: str, cluster: Any, poster: Poster | None, accepted: set[str], ids: list[str], progress: Progress
) -> None:
    lost = accepted - set(ids)
    duplicated = len(ids) - len(set(ids))
    record_row(
        cluster.run_dir,
        fault,
        accepted=len(accepted),
        indexed=len(set(ids) & accepted),
        lost=len(lost),
        duplicated=duplicated,
        statuses=dict(poster.statuses) if poster else {"202": len(accepted)},
        slowest_post_s=round(poster.slowest_s, 1) if poster else None,
        longest_indexing_stall_s=progress.longest_stall_s(),
    )
    assert not lost, f"{len(lost)} accepted articles never indexed, e.g. {sorted(lost)[:5]}"
    assert duplicated == 0, f"{duplicated} articles indexed twice"


def _isr_complete(cluster: Any, topic: str) -> bool:
    sizes = in_sync_replicas(cluster.kafka_bootstrap, topic)
    return bool(sizes) and all(size == cluster.replication_factor for size in sizes)


def test_the_broker_leading_most_raw_partitions_killed_mid_stream(
    pipeline: Pipeline, es: Elasticsearch, cluster: Any
) -> None:
    from infra.local import up
    from infra.local.kafka_node import dirs as kafka_dirs

    tag = "kleader" + uuid.uuid4().hex[:6]
    poster = Poster(pipeline.api, tag).start()
    progress = Progress(es, pipeline.alias, tag).start()
    try:
        poster.wait_posted(60, timeout_s=120)
        wait_until(
            f"articles of {tag} being indexed",
            lambda: progress.samples[-1][1] if progress.samples else 0,
            lambda count: count >= 20,
            timeout_s=120,
        )
        broker, led = leaders_of(cluster.kafka_bootstrap, pipeline.raw_topic).most_common(1)[0]
        print(f"killing broker {broker}, leader of {led} of {pipeline.raw_topic}'s partitions")
        before = len(poster.answers)
        sigkill(kafka_dirs(cluster, broker - 1))
        # Posting goes on through the election: at least 15 s and until posts are accepted again.
        down_at = time.monotonic()
        wait_until(
            "posts accepted again after the leader broker died",
            lambda: poster.answers[before:],
            lambda answers: time.monotonic() - down_at > 15 and any(a[1] == 202 for a in answers[-5:]),
            timeout_s=120,
            show=lambda answers: str([a[1] for a in answers[-10:]]),
        )
        up(cluster)  # restarts the killed broker and waits until every broker sees all three
        wait_until(
            f"every partition of {pipeline.raw_topic} back to {cluster.replication_factor} in-sync replicas",
            lambda: _isr_complete(cluster, pipeline.raw_topic),
            bool,
            timeout_s=120,
            interval_s=1,
        )
        poster.wait_posted(len(poster.answers) + 40, timeout_s=60)
    finally:
        poster.stop()
    statuses = poster.statuses
    assert set(statuses) <= {202, 503}, f"posts during the election answered {dict(statuses)} (only 202/503 allowed)"
    assert poster.slowest_s < poster.timeout_s
    ids = wait_indexed(es, pipeline, tag, poster.accepted, timeout_s=300)
    progress.stop()
    _row(
        "Kafka: SIGKILL the broker leading most raw partitions, restart",
        cluster,
        poster,
        poster.accepted,
        ids,
        progress,
    )


def _es_non_voter(es: Elasticsearch) -> str:
    """The name of a node outside the voting configuration: the one whose loss the cluster survives."""
    state = es.cluster.state(metric="metadata", filter_path="metadata.cluster_coordination.last_committed_config")
    voters = set(state["metadata"]["cluster_coordination"]["last_committed_config"])
    nodes = es.nodes.info(filter_path="nodes.*.name")["nodes"]
    outside = sorted(info["name"] for node_id, info in nodes.items() if node_id not in voters)
    assert outside, f"every node votes ({voters}): none can be lost"
    return outside[0]


def test_one_elasticsearch_node_killed_mid_stream(pipeline: Pipeline, es: Elasticsearch, cluster: Any) -> None:
    from infra.local import up
    from infra.local.configs import es_node_name
    from infra.local.es_node import dirs as es_dirs

    tag = "esnode" + uuid.uuid4().hex[:6]
    poster = Poster(pipeline.api, tag).start()
    progress = Progress(es, pipeline.alias, tag).start()
    try:
        poster.wait_posted(60, timeout_s=120)
        wait_until(
            f"articles of {tag} being indexed",
            lambda: progress.samples[-1][1] if progress.samples else 0,
            lambda count: count >= 20,
            timeout_s=120,
        )
        victim = _es_non_voter(es)
        node = next(n for n in range(cluster.es_nodes) if es_node_name(cluster, n) == victim)
        print(f"killing Elasticsearch node {victim}")
        at_kill = progress.samples[-1][1]
        sigkill(es_dirs(cluster, node))
        # Indexing goes on with one node: more articles are indexed while it is down.
        wait_until(
            f"indexing of {tag} going on with {victim} down",
            lambda: progress.samples[-1][1],
            lambda count: count >= at_kill + 40,
            timeout_s=120,
        )
        up(cluster)
        health = es.cluster.health(wait_for_status="green", timeout="120s")
        assert health["status"] == "green", f"the cluster did not return to green: {health}"
        poster.wait_posted(len(poster.answers) + 40, timeout_s=60)
    finally:
        poster.stop()
    assert set(poster.statuses) == {202}, f"ingest does not need Elasticsearch: {dict(poster.statuses)}"
    ids = wait_indexed(es, pipeline, tag, poster.accepted, timeout_s=300)
    progress.stop()
    _row(
        f"Elasticsearch: SIGKILL node {victim} (not the voter), restart",
        cluster,
        poster,
        poster.accepted,
        ids,
        progress,
    )


def test_three_workers_one_killed_its_partitions_move(pipeline: Pipeline, es: Elasticsearch, cluster: Any) -> None:
    tag = "trio" + uuid.uuid4().hex[:6]
    pipeline.start("enrich", instance="enrich-2")
    pipeline.start("enrich", instance="enrich-3")
    pipeline.wait_ready("enrich-2", "enrich-3")
    progress = Progress(es, pipeline.alias, tag).start()
    accepted: set[str] = set()
    with httpx.Client(base_url=pipeline.api, timeout=60) as client:
        for start in range(0, 900, 150):
            batch = [bulk_article(tag, n) for n in range(start, start + 150)]
            result = client.post("/articles/batch", json=batch).json()
            accepted |= {r["id"] for r in result["results"] if r["status"] == 202}
    assert len(accepted) == 900
    wait_until(
        f"articles of {tag} being indexed",
        lambda: progress.samples[-1][1] if progress.samples else 0,
        lambda count: count >= 100,
        timeout_s=120,
    )
    pipeline.stop("enrich-2", sig=signal.SIGKILL)
    at_kill = progress.samples[-1][1]
    assert at_kill < len(accepted), "enrich-2 was killed after everything was indexed: not mid-stream"
    ids = wait_indexed(es, pipeline, tag, accepted, timeout_s=300)
    progress.stop()
    for survivor in ("enrich", "enrich-3"):
        assert pipeline.processes[survivor].poll() is None, f"{survivor} died"
    _row("3 workers in one group: SIGKILL one", cluster, None, accepted, ids, progress)
