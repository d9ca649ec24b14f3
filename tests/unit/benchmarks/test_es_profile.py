"""benchmarks/es_profile.py without Elasticsearch: stats deltas, hot-thread parsing, the derived figures and
the report's rows; and a fake client for the error path."""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.es_profile import (
    EsProfile,
    HotThread,
    counters_delta,
    index_counters,
    node_cpu_ms,
    parse_hot_threads,
    profile_result,
    summarize_hot_threads,
    thread_kind,
)
from benchmarks.report import es_per_1000_row, es_profile_lines

HOT_THREADS = """::: {newsflow-local}{aBcD}{eFgH}{newsflow-local}{127.0.0.1}{127.0.0.1:39300}{cdfhilmrstw}
   Hot threads at 2026-11-26T04:00:00.000Z, interval=500ms, busiestThreads=3, ignoreIdleThreads=true:

   12.3% [cpu=12.3%, other=0.0%] (61.5ms out of 500ms) cpu usage by thread 'elasticsearch[newsflow-local][write][T#1]'
     2/10 snapshots sharing following 27 elements
       app//org.apache.lucene.index.IndexingChain.processDocument(IndexingChain.java:612)
       app//org.apache.lucene.index.DocumentsWriterPerThread.updateDocuments(DocumentsWriterPerThread.java:241)
     8/10 snapshots sharing following 12 elements
       java.base@21.0.2/java.lang.Thread.run(Thread.java:1583)
     1/10 snapshots sharing following 4 elements
       app//org.elasticsearch.Other.small(Other.java:1)

    8.0% (40ms out of 500ms) cpu usage by thread 'elasticsearch[newsflow-local][[b-v1][0]: Lucene Merge Thread #3]'
     unique snapshot
       app//org.apache.lucene.codecs.lucene90.Lucene90PostingsWriter.startDoc(Lucene90PostingsWriter.java:230)

    2.5% (12.5ms out of 500ms) cpu usage by thread 'elasticsearch[newsflow-local][refresh][T#2]'
     10/10 snapshots sharing following 3 elements
       app//org.apache.lucene.index.DocumentsWriter.flushAllThreads(DocumentsWriter.java:689)
"""


def test_hot_threads_text_is_parsed_into_threads_with_cpu_and_top_frame() -> None:
    threads = parse_hot_threads(HOT_THREADS)
    assert [t.cpu_pct for t in threads] == [12.3, 8.0, 2.5]
    assert {t.node for t in threads} == {"newsflow-local"}
    assert threads[0].top_frame == "java.lang.Thread.run"  # the largest group: 8 of 10 snapshots
    assert threads[1].top_frame == "org.apache.lucene.codecs.lucene90.Lucene90PostingsWriter.startDoc"
    assert threads[2].top_frame == "org.apache.lucene.index.DocumentsWriter.flushAllThreads"
    assert parse_hot_threads("") == []


def test_threads_are_grouped_by_pool_or_kind() -> None:
    assert thread_kind("elasticsearch[n1][write][T#4]") == "write"
    assert thread_kind("elasticsearch[n1][[idx][0]: Lucene Merge Thread #12]") == "Lucene Merge Thread"
    assert thread_kind("elasticsearch[n1][management][T#1]") == "management"
    assert thread_kind("process reaper 7") == "process reaper"


def test_hot_threads_are_summed_over_samples_hottest_first() -> None:
    one = parse_hot_threads(HOT_THREADS)
    two = [HotThread("n2", "elasticsearch[n2][write][T#2]", 20.0, "org.example.Other.call")]
    summary = summarize_hot_threads([one, two])
    assert [s["thread"] for s in summary] == ["write", "Lucene Merge Thread", "refresh"]
    write = summary[0]
    assert write["summed_cpu_pct"] == 32.3 and write["appearances"] == 2
    assert write["mean_cpu_pct_per_sample"] == 16.1  # 32.3 / 2 samples, rounded
    assert write["top_frame"] in {"java.lang.Thread.run", "org.example.Other.call"}


def stats(docs: int, index_ms: int, refresh: int, refresh_ms: int, translog: int, store: int) -> dict[str, Any]:
    shard = {
        "indexing": {"index_total": docs, "index_time_in_millis": index_ms, "index_failed": 0},
        "refresh": {"total": refresh, "total_time_in_millis": refresh_ms},
        "merges": {"total": 1, "total_time_in_millis": 30},
        "flush": {"total": 0, "total_time_in_millis": 0},
        "translog": {"operations": translog},
        "store": {"size_in_bytes": store},
    }
    return {"_all": {"primaries": shard, "total": shard}}


def test_counters_are_deltas_and_gauges_keep_their_end_value() -> None:
    before = index_counters(stats(100, 400, 10, 200, 100, 5_000))
    after = index_counters(stats(300, 1400, 14, 500, 50, 9_000))
    delta = counters_delta(before, after)
    assert delta["docs_indexed"] == 200 and delta["index_time_ms"] == 1000
    assert delta["refresh_count"] == 4 and delta["refresh_time_ms"] == 300 and delta["merge_time_ms"] == 0
    assert delta["translog_ops"] == 50 and delta["translog_ops_delta"] == -50  # flushed meanwhile
    assert delta["store_bytes"] == 9_000 and delta["store_bytes_delta"] == 4_000
    assert counters_delta(None, after)["docs_indexed"] == 300  # index created during the run


def test_the_profile_derives_core_seconds_and_registry_docs_per_article() -> None:
    nodes = {"nodes": {"a": {"name": "es0", "process": {"cpu": {"total_in_millis": 10_000}}}}}
    later = {"nodes": {"a": {"name": "es0", "process": {"cpu": {"total_in_millis": 40_000}}}}}
    before = {
        "cpu_ms": node_cpu_ms(nodes),
        "articles": index_counters(stats(48, 0, 0, 0, 0, 0)),
        "registry": index_counters(stats(500, 0, 0, 0, 0, 0)),
    }
    after = {
        "cpu_ms": node_cpu_ms(later),
        "articles": index_counters(stats(148, 2000, 20, 500, 0, 0)),
        "registry": index_counters(stats(1500, 3000, 20, 100, 0, 0)),
    }
    indices = {"articles": "x-v1", "registry": "x-dedup"}
    out = profile_result(before, after, [parse_hot_threads(HOT_THREADS)], 100, 20.0, indices, [])
    assert out["es_cpu_ms"] == 30_000 and out["es_cpu_ms_by_node"] == {"es0": 30_000}
    assert out["es_cores"] == 1.5  # 30 CPU-seconds in 20 s
    assert out["es_cores_per_1000_articles"] == 300.0  # 30 core-seconds per 100 articles
    assert out["registry_docs_per_article"] == 10.0
    assert out["indices"]["articles"]["per_1000_articles_s"]["index"] == 20.0
    assert out["indices"]["registry"]["index"] == "x-dedup"
    assert out["hot_threads"]["samples"] == 1 and out["hot_threads"]["threads"][0]["thread"] == "write"
    assert "errors" not in out

    row = es_per_1000_row(out)
    assert row == "300.0 core-seconds (ES cores 1.5 during the run); registry docs per article 10.0"
    table = "\n".join(es_profile_lines(out))
    assert "| articles (`x-v1`) | 100 | 20.0 | 5.0 (20) | 0.0 | 0.0 | 0 | 0.0 |" in table
    assert "| write | 12.3 | 12.3 | 1 | `java.lang.Thread.run` |" in table
    assert es_per_1000_row(None) is None and es_profile_lines(None) == []


class MissingApis:
    """An Elasticsearch client whose stats and hot-threads APIs all fail."""

    class Fails:
        async def _fail(self, **_: Any) -> Any:
            raise RuntimeError("no such API")

        stats = hot_threads = _fail

    nodes = indices = Fails()


def test_missing_apis_are_recorded_never_raised() -> None:
    async def run() -> dict[str, Any]:
        profile = EsProfile(MissingApis(), "x", every_s=0.01)  # type: ignore[arg-type]
        await profile.start()
        return await profile.stop(10, 1.0)

    out = asyncio.run(run())
    assert out["indices"] == {} and "es_cores" not in out and out["hot_threads"]["samples"] == 0
    assert any("hot_threads" in e and "no such API" in e for e in out["errors"])
    assert any("x-dedup/_stats" in e for e in out["errors"])
    assert es_per_1000_row(out) is None
    assert "Not measured: " in "\n".join(es_profile_lines(out))
