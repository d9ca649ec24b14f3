"""The machine, the versions, and the markdown table of a benchmark run."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    mem_kb = 0
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions(model: str) -> dict[str, str]:
    from infra.local import InfraSettings

    infra = InfraSettings()
    out = {"kafka": infra.kafka_version, "elasticsearch": infra.es_version}
    for dist in ("spacy", "faust-streaming", "aiokafka", "elasticsearch", "fastapi", "uvicorn", "datasketch"):
        try:
            out[dist + (" (client)" if dist == "elasticsearch" else "")] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "?"
    try:
        out["model"] = f"{model} {metadata.version(model.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        out["model"] = model
    return out


def _ok(value: float | None, target: float, higher_is_better: bool = True) -> str:
    if value is None:
        return "—"
    met = value >= target if higher_is_better else value <= target
    return "met" if met else "**missed**"


def markdown(r: dict[str, Any]) -> str:
    model = r["model_limit"]
    enrich = r["enrichment_only"]
    e2e = r.get("end_to_end", {})
    one, two = e2e.get("workers_1", {}), e2e.get("workers_2", {})
    lat = r.get("latency", {})
    ingest = r.get("ingest", {})
    rss = r.get("peak_rss_mb", {})
    m = r["machine"]
    p99 = lat.get("seconds", {}).get("p99")
    rows = [
        (
            "1. model limit: bare `nlp.pipe` (" + ", ".join(model["components"]) + ")",
            f"{model['articles_per_s']} art/s ({model['words_per_s']} words/s)",
            "1.00",
            "ceiling",
            "",
        ),
        (
            "2. enrichment only (`newsflow enrich` path)",
            f"{enrich['articles_per_s']} art/s",
            f"{enrich['ratio_to_model']:.2f}",
            "≥ 0.90",
            _ok(enrich["ratio_to_model"], 0.9),
        ),
    ]
    if one:
        rows.append(
            (
                f"3. end to end, 1 worker ({one['articles']} articles, batch POSTs → searchable)",
                f"{one['articles_per_s']} art/s",
                f"{one['ratio_to_model']:.2f}",
                "≥ 0.80",
                _ok(one["ratio_to_model"], 0.8),
            )
        )
    if two:
        rows.append(
            (
                f"3. end to end, 2 workers, {two['partitions']} partitions",
                f"{two['articles_per_s']} art/s",
                f"{two['ratio_to_model']:.2f}",
                "> 1 worker",
                _ok(two["articles_per_s"], one.get("articles_per_s", 0) + 1e-9),
            )
        )
    for key, run in (("1 worker", one), ("2 workers", two)):
        if run.get("cores_used"):
            used = ", ".join(f"{k} {v}" for k, v in run["cores_used"].items())
            rows.append((f"3. cores used during end to end, {key}", used, "", "", ""))
    es_row = es_per_1000_row(one.get("es_profile"))
    if es_row:
        rows.append(("3. Elasticsearch per 1,000 articles (1 worker)", es_row, "", "", ""))
    warm = one.get("warm_up")
    if warm:
        jit = ", ".join(str(c) for c in warm["jit_cores_by_round"])
        state = "quiet" if warm["quiet"] else f"not below {warm['quiet_cores']} core yet"
        text = f"{warm['articles']} articles in {warm['seconds']} s; ES JIT cores by round {jit} ({state})"
        rows.append(("3. warm-up before the 1-worker run (until ES's JIT is quiet)", text, "", "", ""))
    if lat:
        s = lat["seconds"]
        rows.append(
            (
                f"4. POST → searchable at {lat['offered_per_s']} art/s (50 %), {lat['seen']}/{lat['articles']} seen,"
                f" refresh {lat['refresh_interval']}",
                f"p50 {s['p50']} s, p95 {s['p95']} s, p99 {s['p99']} s",
                "",
                "p99 ≤ 1.5 s",
                _ok(p99, 1.5, higher_is_better=False),
            )
        )
    if ingest:
        for single in ingest["single_post"]:
            rows.append(
                (
                    f"5. single POSTs, {single['concurrency']} concurrent",
                    f"{single['per_s']}/s, p50 {single['latency_s']['p50']} s, p99 {single['latency_s']['p99']} s",
                    "",
                    "≥ 500/s (best)",
                    "",
                )
            )
        rows[-1] = (*rows[-1][:4], _ok(ingest["best_single_per_s"], 500))
        for batch in ingest["batch_post"]:
            rows.append(
                (
                    f"5. batch POSTs of {batch['batch']}, {batch['concurrency']} concurrent",
                    f"{batch['articles_per_s']} art/s,"
                    f" p50 {batch['latency_s']['p50']} s, p99 {batch['latency_s']['p99']} s",
                    "",
                    "≥ 2,000 art/s (best)",
                    "",
                )
            )
        rows[-1] = (*rows[-1][:4], _ok(ingest["best_batch_articles_per_s"], 2000))
        prod = ingest["bare_producer"]
        rows.append(
            (
                f"5. bare aiokafka producer, same {prod['mean_record_bytes']}-byte records",
                f"{prod['pipelined_per_s']}/s pipelined, {prod['sequential_per_s']}/s one at a time",
                "",
                "ceiling of ingest",
                "",
            )
        )
        rows.append(
            (
                "5. best batch endpoint / bare producer",
                "",
                f"{ingest['batch_ratio_to_producer']:.2f}",
                "≥ 0.70",
                _ok(ingest["batch_ratio_to_producer"], 0.7),
            )
        )
    warc = ingest.get("warc_post")
    if warc:
        rows.append(
            (
                f"5. `newsflow post CRAWL.warc.gz` ({warc['records']} records, {warc['pages']} HTML pages)",
                f"{warc['records_per_s']} records/s ({warc['pages_per_s']} pages/s, {warc['accepted']} accepted)",
                "",
                "",
                "",
            )
        )
    if rss:
        worker = rss.get("enrich_worker")
        rows.append(
            (
                "6. peak RSS, enrich worker / ingest",
                f"{worker} MiB / {rss.get('ingest')} MiB",
                "",
                "worker ≤ 1 GB",
                _ok(worker, 1000, higher_is_better=False),
            )
        )
    lines = [
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Python {m['python']};"
        " Kafka and Elasticsearch on the same machine.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + ".",
        f"Command: `{r['command']}` ({r['mode']} run, {r['started_at']}, {r.get('elapsed_s', '?')} s).",
        f"Articles: generated by benchmarks/corpus.py, {model['mean_words']} words on average.",
        "",
        "| figure | result | ratio to model limit | target | |",
        "|---|---|---:|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    lines += es_profile_lines(one.get("es_profile"))
    return "\n".join(lines) + "\n"


def es_per_1000_row(profile: dict[str, Any] | None) -> str | None:
    """``N core-seconds (ES cores C during the run); registry docs per article M``, or None without a profile."""
    if not profile or profile.get("es_cores_per_1000_articles") is None:
        return None
    gc = profile.get("es_gc_s_per_1000_articles")
    threads = profile.get("es_threads_s_per_1000_articles") or {}
    by_thread = ", ".join(
        f"{group} {seconds}" for group, seconds in sorted(threads.items(), key=lambda kv: -(kv[1] or 0))
    )
    return (
        f"{profile['es_cores_per_1000_articles']} core-seconds (ES cores {profile['es_cores']} during the run"
        + (f"; {gc} s in JVM garbage collections" if gc is not None else "")
        + f"); registry docs per article {profile.get('registry_docs_per_article', '—')}"
        + (f"; by JVM thread group (core-seconds): {by_thread}" if by_thread else "")
    )


def es_profile_lines(profile: dict[str, Any] | None) -> list[str]:
    """Where Elasticsearch's time went in the 1-worker end-to-end run: per index, seconds per 1,000 articles
    of indexing, refresh, merge and flush (Lucene's own timers: thread time, not CPU); the hottest threads."""
    if not profile:
        return []
    lines = [
        "",
        f"Elasticsearch during end to end, 1 worker ({profile['articles']} articles, {profile['seconds']} s):"
        " Lucene's time (s) per 1,000 articles of indexing, refresh, merge and flush.",
        "",
        "| index | docs indexed | indexing s | refresh s (count) | merge s | flush s | translog ops at end"
        " | store MiB at end |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, ix in profile.get("indices", {}).items():
        t = ix["per_1000_articles_s"]
        lines.append(
            f"| {key} (`{ix['index']}`) | {ix['docs_indexed']} | {t['index']} | {t['refresh']}"
            f" ({ix['refresh_count']}) | {t['merge']} | {t['flush']} | {ix['translog_ops']}"
            f" | {ix['store_bytes'] / 2**20:.1f} |"
        )
    hot = profile.get("hot_threads", {})
    if hot.get("threads"):
        lines += [
            "",
            f"Hottest threads ({hot['samples']} samples of `_nodes/hot_threads`, 3 threads, 500 ms each):",
            "",
            "| thread | summed CPU % | mean % per sample | appearances | most common top frame |",
            "|---|---:|---:|---:|---|",
        ]
        lines += [
            f"| {t['thread']} | {t['summed_cpu_pct']} | {t['mean_cpu_pct_per_sample']} | {t['appearances']}"
            f" | `{t['top_frame'] or '—'}` |"
            for t in hot["threads"]
        ]
    if profile.get("errors"):
        lines += ["", "Not measured: " + "; ".join(profile["errors"])]
    return lines


def _worker_cores(cores: dict[str, float]) -> float:
    return round(sum(v for k, v in cores.items() if k.startswith("enrich")), 2)


def _per_core(run: dict[str, Any]) -> tuple[float | None, float | None]:
    """Articles/s per core the workers used, and cores everything else (Kafka, Elasticsearch, ingest) used
    per 10 articles/s, in one end-to-end run; None where nothing was measured."""
    cores = run.get("cores_used") or {}
    workers, rate = _worker_cores(cores), run.get("articles_per_s") or 0.0
    rest = sum(v for k, v in cores.items() if not k.startswith("enrich"))
    per_worker_core = round(rate / workers, 2) if workers > 0 else None
    rest_per_10 = round(rest / rate * 10, 2) if rate > 0 and cores else None
    return per_worker_core, rest_per_10


def cluster_markdown(r: dict[str, Any]) -> str:
    """The table of ``make bench-cluster``: end to end by number of workers, latency, memory."""
    model = r["model_limit"]
    m, c = r["machine"], r.get("cluster", {})
    runs = sorted(r.get("end_to_end", {}).values(), key=lambda run: run["workers"])
    one = next((run for run in runs if run["workers"] == 1), None)
    lines = [
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Python {m['python']};"
        f" {c.get('kafka_nodes', '?')} Kafka brokers and {c.get('es_nodes', '?')} Elasticsearch nodes on the same"
        f" machine (replication factor {c.get('replication_factor', '?')},"
        f" min.insync.replicas {c.get('min_insync_replicas', '?')}).",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + ".",
        f"Command: `{r['command']}` ({r['mode']} run, {r['started_at']}, {r.get('elapsed_s', '?')} s).",
        f"Model limit (bare `nlp.pipe`, {', '.join(model['components'])}): {model['articles_per_s']} art/s"
        f" ({model['words_per_s']} words/s, {model['mean_words']} words per article on average).",
        "",
        "| workers | articles | art/s | ratio to model limit | ratio to 1 worker | Kafka cores | ES cores"
        " | worker cores | ingest cores |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        cores = run.get("cores_used") or {}
        to_one = f"{run['articles_per_s'] / one['articles_per_s']:.2f}" if one and one["articles_per_s"] else "—"
        lines.append(
            f"| {run['workers']} | {run['articles']} | {run['articles_per_s']} | {run['ratio_to_model']:.2f}"
            f" | {to_one} | {cores.get('kafka', '—')} | {cores.get('elasticsearch', '—')}"
            f" | {_worker_cores(cores)} | {cores.get('ingest', '—')} |"
        )
    per_core, rest = _per_core(one) if one else (None, None)
    if per_core is not None:
        lines += [
            "",
            f"Per added core (from the 1-worker run): a worker turns one core into {per_core} art/s;"
            f" Kafka, Elasticsearch and ingest together use {rest} cores per 10 art/s. With {m['cores']} cores"
            " shared by everything, workers beyond the core count only divide the same CPU.",
        ]
    es_row = es_per_1000_row(one.get("es_profile")) if one else None
    if es_row:
        lines += ["", f"Elasticsearch per 1,000 articles (1 worker, summed over every node): {es_row}."]
    lat = r.get("latency")
    if lat:
        s = lat["seconds"]
        lines += [
            "",
            f"Latency, single POSTs at {lat['offered_per_s']} art/s (50 % of the 1-worker rate), refresh"
            f" {lat['refresh_interval']}, {lat['seen']}/{lat['articles']} seen: POST → searchable"
            f" p50 {s['p50']} s, p95 {s['p95']} s, p99 {s['p99']} s.",
        ]
    rss = r.get("peak_rss_mb", {})
    jvm = rss.get("jvm", {})
    if rss:
        nodes = ", ".join(f"{k} {v}" for k, v in jvm.items() if not k.endswith("total"))
        lines += [
            "",
            f"Peak RSS (MiB): enrich worker {rss.get('enrich_worker')}, ingest {rss.get('ingest')};"
            f" the cluster's JVMs {jvm.get('total')} in all (Kafka {jvm.get('kafka_total')},"
            f" Elasticsearch {jvm.get('elasticsearch_total')}; per node: {nodes}).",
        ]
    if c.get("reused"):
        lines += ["", "The bench cluster was already running: its peak RSS includes work before this run."]
    return "\n".join(lines) + "\n"
