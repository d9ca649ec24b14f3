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
    return "\n".join(lines) + "\n"
