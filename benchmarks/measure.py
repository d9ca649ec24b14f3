"""One function per figure of ``make bench``. Each returns a plain dict that goes into latest.json."""

from __future__ import annotations

import asyncio
import html
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from elasticsearch import AsyncElasticsearch

from adapters.limits import RAW_RECORD_MAX_BYTES
from adapters.settings import ElasticsearchSettings
from benchmarks.corpus import Article, pool
from benchmarks.es_profile import EsProfile
from benchmarks.loadgen import run_load
from benchmarks.services import BenchStack, cpu_by_component, cpu_share, es_node_pids
from benchmarks.warmup import settle_jit
from enrich_service.dead_letters import DeadLetter
from enrich_service.domain.cleaning import clean_body
from enrich_service.duplicates import MemoryRegistry
from enrich_service.nlp import ENTITIES_COMPONENT, QUOTES_COMPONENT, load_nlp
from enrich_service.offline import records
from enrich_service.pipeline import Sinks, build_enricher, build_pipeline, index_nothing, send_nothing
from enrich_service.settings import EnrichSettings
from infra.local import InfraSettings
from schemas.articles import ArticleIn


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 4)}


# -- 1 and 2: the model's limit and enrichment alone, in this process ---------------------------------


def model_limit(articles: Sequence[Article], *, model: str, batch_size: int, rounds: int) -> dict[str, Any]:
    """Bare ``nlp.pipe`` with the components enrichment runs (NER + sentencizer), over the cleaned texts."""
    nlp = load_nlp(model)
    texts = [clean_body(a.title, a.body) for a in articles]
    words = sum(a.words for a in articles)
    with nlp.select_pipes(disable=[ENTITIES_COMPONENT, QUOTES_COMPONENT]):
        components = list(nlp.pipe_names)
        for _ in nlp.pipe(texts[:batch_size], batch_size=batch_size):
            pass  # warm-up
        best = float("inf")
        for _ in range(rounds):
            began = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=batch_size):
                pass
            best = min(best, time.perf_counter() - began)
    return {
        "articles_per_s": round(len(texts) / best, 2),
        "words_per_s": round(words / best),
        "articles": len(texts),
        "mean_words": round(words / len(texts)),
        "components": components,
        "batch_size": batch_size,
    }


def enrichment_only(articles: Sequence[Article], *, model: str, batch_size: int, rounds: int) -> dict[str, Any]:
    """The ``newsflow enrich`` path: raw records -> decode -> clean, NLP, quotes, dedup keys -> resolve."""
    # The pipeline every enrichment process runs, in one go per batch (no NLP/I-O overlap: nothing to overlap).
    settings = EnrichSettings(model=model, batch_size=batch_size, nlp_chunk_size=0)
    enricher = build_enricher(settings)

    failed: list[DeadLetter] = []

    async def dead(letters: list[DeadLetter]) -> None:
        failed.extend(letters)

    async def run() -> float:
        sinks = Sinks(registry=MemoryRegistry(), index=index_nothing, send_enriched=send_nothing, send_dead=dead)
        processor = build_pipeline(settings, sinks, enricher)
        batch, problems = records([(a.id, a.as_json()) for a in articles], datetime.now(UTC))
        assert not problems, problems
        began = time.perf_counter()
        for start in range(0, len(batch), batch_size):
            await processor.process(batch[start : start + batch_size])
        return time.perf_counter() - began

    enricher.enrich_batch(
        [ArticleIn.model_validate(articles[0].as_json()).to_raw(datetime.now(UTC))], datetime.now(UTC)
    )
    best = min(asyncio.run(run()) for _ in range(rounds))
    return {"articles_per_s": round(len(articles) / best, 2), "articles": len(articles), "failed": len(failed)}


# -- 3, 4: end to end through Kafka and Elasticsearch ----------------------------------------------------


async def _count(es: AsyncElasticsearch, alias: str) -> int:
    resp = await es.count(index=alias)
    return int(resp.body["count"])


async def post_batches(api: str, articles: Sequence[Article], batch: int = 100) -> int:
    accepted = 0
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        for start in range(0, len(articles), batch):
            response = await client.post("/articles/batch", json=[a.as_json() for a in articles[start : start + batch]])
            response.raise_for_status()
            accepted += int(response.json()["accepted"])
    return accepted


async def end_to_end(
    stack: BenchStack,
    es: AsyncElasticsearch,
    articles: Sequence[Article],
    warm: Sequence[Article],
    profile: EsProfile | None = None,
    base: int = 0,
) -> dict[str, Any]:
    """Post ``articles`` through the batch endpoint; seconds until search counts all of them (no forced refresh).
    With ``profile``: also where Elasticsearch's CPU went meanwhile (``es_profile``)."""
    await post_batches(stack.api, warm)
    await _wait_count(es, stack.alias, base + len(warm), timeout_s=300)
    if profile is not None:
        await profile.start()
    cpu_before = cpu_by_component(stack.infra, stack)
    began = time.perf_counter()
    try:
        accepted = await post_batches(stack.api, articles)
        posted = time.perf_counter() - began
        expected = base + len(warm) + accepted
        await _wait_count(es, stack.alias, expected, timeout_s=900)
        elapsed = time.perf_counter() - began
        cpu_after = cpu_by_component(stack.infra, stack)
        es_profile = await profile.stop(accepted, elapsed) if profile is not None else None
    finally:
        if profile is not None:
            await profile.close()
    run = {
        "articles": accepted,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(accepted / elapsed, 2),
        "posting_seconds": round(posted, 2),
        "cores_used": cpu_share(cpu_before, cpu_after, elapsed),
    }
    if es_profile is not None:
        run["es_profile"] = es_profile
    return run


async def _wait_count(es: AsyncElasticsearch, alias: str, expected: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while await _count(es, alias) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {await _count(es, alias)} of {expected} articles searchable in {alias}")
        await asyncio.sleep(0.2)  # a figure at most 0.2 s late on runs of tens of seconds; cheap for ES


async def latency(
    stack: BenchStack, es: AsyncElasticsearch, articles: Sequence[Article], rate: float, duration_s: float
) -> dict[str, Any]:
    """Single POSTs at ``rate``/s for ``duration_s``; per article, seconds from POST to found by a search.

    A poller searches for the ids not seen yet every 50 ms, so a figure is at most ~50 ms late.
    """
    count = max(1, int(rate * duration_s))
    todo = list(articles[:count])
    posted_at: dict[str, float] = {}
    seen_at: dict[str, float] = {}
    done_posting = asyncio.Event()

    async def poster() -> None:
        async with httpx.AsyncClient(base_url=stack.api, timeout=30) as client:
            start = time.perf_counter()
            for n, article in enumerate(todo):
                delay = start + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                posted_at[article.id] = time.perf_counter()
                response = await client.post("/articles", json=article.as_json())
                response.raise_for_status()
        done_posting.set()

    async def poller() -> None:
        deadline = None
        while len(seen_at) < len(todo):
            pending = [i for i in posted_at if i not in seen_at]
            if pending:
                resp = await es.search(
                    index=stack.alias, query={"ids": {"values": pending}}, size=len(pending), source=False
                )
                now = time.perf_counter()
                for hit in resp.body["hits"]["hits"]:
                    seen_at.setdefault(hit["_id"], now)
            if done_posting.is_set():
                deadline = deadline or time.monotonic() + 120
                if time.monotonic() > deadline:
                    break
            await asyncio.sleep(0.05)

    await asyncio.gather(poster(), poller())
    delays = [seen_at[i] - posted_at[i] for i in seen_at]
    return {
        "offered_per_s": round(rate, 2),
        "articles": len(todo),
        "seen": len(seen_at),
        "seconds": percentiles(delays),
        "mean_s": round(statistics.fmean(delays), 4) if delays else None,
    }


async def worker_runs(
    infra: InfraSettings,
    es: AsyncElasticsearch,
    results: dict[str, Any],
    *,
    counts: Sequence[int],
    e2e_articles: int,
    latency_s: float,
    partitions: int,
    step: Callable[[str], None],
) -> None:
    """Figure 3 with each number of workers in ``counts`` (each on fresh topics and alias), and figure 4, the
    worker's peak RSS and Elasticsearch's profile (benchmarks/es_profile.py) during the 1-worker run; into
    ``results``."""

    model_rate = results["model_limit"]["articles_per_s"]
    e2e: dict[str, Any] = {}
    for workers in counts:
        step(f"3/6 end to end, {workers} worker(s)")
        stack = BenchStack(infra, partitions=partitions)
        try:
            stack.start_ingest()
            stack.start_workers(workers)
            # Elasticsearch's JIT is cold after a fresh start: warm the stack until it is quiet (benchmarks.warmup).
            es_pids = partial(es_node_pids, stack.infra)
            warmed: dict[str, Any] = {"articles": 0}
            if workers == 1:
                rounds = 15 if e2e_articles >= 600 else 4
                warmed = await settle_jit(
                    stack.api, es, stack.alias, es_pids, post_batches, _wait_count, max_rounds=rounds
                )
            warm = pool(16, seed=1000 + workers)
            profile = EsProfile(es, stack.alias, pids=es_pids) if workers == 1 else None
            articles = pool(e2e_articles, seed=10 + workers)
            run = await end_to_end(stack, es, articles, warm, profile, base=warmed["articles"])
            if workers == 1:
                run["warm_up"] = warmed
            run["ratio_to_model"] = round(run["articles_per_s"] / model_rate, 3)
            run["workers"], run["partitions"] = workers, partitions
            e2e[f"workers_{workers}"] = run
            if workers == 1:
                step("4/6 latency at 50 % of the 1-worker end-to-end rate")
                rate = run["articles_per_s"] * 0.5
                results["latency"] = await latency(stack, es, pool(int(rate * latency_s) + 1, seed=99), rate, latency_s)
                results["latency"]["refresh_interval"] = ElasticsearchSettings().refresh_interval
                rss = results.setdefault("peak_rss_mb", {})
                rss["enrich_worker"], rss["ingest"] = stack.peak_rss("enrich0"), stack.peak_rss("ingest")
        finally:
            stack.stop_all()
            await delete_indices(es, stack.alias)
    results["end_to_end"] = e2e


async def delete_indices(es: AsyncElasticsearch, alias: str) -> None:
    found = await es.indices.get(index=f"{alias}-*", allow_no_indices=True, ignore_unavailable=True)
    for index in found.body:
        await es.indices.delete(index=index)


# -- 5: the ingest endpoint alone, and a bare producer ----------------------------------------------------


async def ingest_single(api: str, articles: Sequence[Article], concurrency: int, duration_s: float) -> dict[str, Any]:
    """Single-article POSTs from ``concurrency`` keep-alive connections (benchmarks.loadgen) for ``duration_s``."""
    run = await run_load(api, "/articles", [a.as_json() for a in articles], concurrency, duration_s)
    done = len(run.latencies)
    return {
        "concurrency": concurrency,
        "requests": done,
        "per_s": round(done / run.elapsed_s, 1),
        "failures": done - run.statuses.get(202, 0),
        "latency_s": percentiles(run.latencies),
    }


async def ingest_batch(
    api: str, articles: Sequence[Article], batch: int, concurrency: int, duration_s: float
) -> dict[str, Any]:
    """Batch POSTs of ``batch`` articles from ``concurrency`` keep-alive connections for ``duration_s``."""
    payloads = [[a.as_json() for a in articles[i : i + batch]] for i in range(0, len(articles) - batch + 1, batch)]
    run = await run_load(api, "/articles/batch", payloads, concurrency, duration_s)
    ok = run.statuses.get(200, 0)
    return {
        "batch": batch,
        "concurrency": concurrency,
        "articles_per_s": round(ok * batch / run.elapsed_s, 1),
        "failures": len(run.latencies) - ok,
        "latency_s": percentiles(run.latencies),
    }


async def bare_producer(bootstrap: str, topic: str, articles: Sequence[Article], count: int) -> dict[str, Any]:
    """The ceiling of ingest: the same records (RawArticle JSON, keyed by id) from an aiokafka producer
    configured like ingest's (idempotent, acks=all, linger 5 ms), all in flight at once."""
    now = datetime.now(UTC)
    raws = [ArticleIn.model_validate(a.as_json()).to_raw(now) for a in articles]
    records = [(r.id.encode(), r.model_dump_json().encode()) for r in raws]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5, max_request_size=RAW_RECORD_MAX_BYTES
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=records[0][1], key=records[0][0])
        began = time.perf_counter()
        futures = [
            await producer.send(topic, value=records[n % len(records)][1], key=records[n % len(records)][0])
            for n in range(count)
        ]
        await asyncio.gather(*futures)
        elapsed = time.perf_counter() - began
        # One at a time, each awaited: what a single sequential client could reach at best.
        began1 = time.perf_counter()
        n1 = 0
        while time.perf_counter() - began1 < 2.0:
            key, value = records[n1 % len(records)]
            await producer.send_and_wait(topic, value=value, key=key)
            n1 += 1
        elapsed1 = time.perf_counter() - began1
    finally:
        await producer.stop()
    return {
        "records": count,
        "pipelined_per_s": round(count / elapsed, 1),
        "sequential_per_s": round(n1 / elapsed1, 1),
        "mean_record_bytes": round(sum(len(v) for _, v in records) / len(records)),
    }


# -- 5: a WARC crawl through ``newsflow post`` -----------------------------------------------------------


def write_crawl(articles: Sequence[Article], path: Path) -> Path:
    """A gzip WARC of ``articles`` as web pages, each response after its request record (as a crawler
    writes them), so half the records are skipped as the CLI skips them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for a in articles:
            url = f"https://bench.example/news/{a.id}"
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "bench.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request))
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in a.body.split("\n") if p.strip())
            title = html.escape(a.title)
            page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article>"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            payload = BytesIO((page + "</body></html>").encode())
            writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=http))
    return path


def warc_posting(api: str, articles: Sequence[Article], directory: Path) -> dict[str, Any]:
    """``newsflow post CRAWL.warc.gz``'s own reading, batching and posting (newsflow.warc) of ``articles`` as
    a crawl: records read per second until the last batch is acknowledged."""
    from newsflow.client import NewsflowClient
    from newsflow.warc import WarcStats, post_warc

    crawl = write_crawl(articles, directory / "bench.warc.gz")
    stats = WarcStats()
    with NewsflowClient(api) as client:
        began = time.perf_counter()
        post_warc(crawl, client, stats)
        elapsed = time.perf_counter() - began
    return {
        "records": stats.records,
        "pages": stats.posted,
        "accepted": stats.accepted,
        "megabytes": round(crawl.stat().st_size / 2**20, 2),
        "records_per_s": round(stats.records / elapsed, 1),
        "pages_per_s": round(stats.posted / elapsed, 1),
    }
