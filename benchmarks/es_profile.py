"""Where Elasticsearch's CPU goes during the 1-worker end-to-end run of ``make bench`` (figure 3).

``EsProfile`` reads, before and after the run, ``_nodes/stats/process,indices`` (each node's process CPU) and
``<index>/_stats/indexing,refresh,merge,flush,translog,store`` for the articles index (``<alias>-v1``) and the
duplicate registry (``<alias>-dedup``); meanwhile it samples ``_nodes/hot_threads`` every few seconds and adds
up the hottest threads by kind (``write``, ``refresh``, ``flush``, Lucene merges...). Derived:

- ``es_cores_per_1000_articles``: CPU seconds of every Elasticsearch node per 1,000 articles end to end, so
  the unit is core-seconds per 1,000 articles (a run of 10 art/s using 0.5 ES cores: 50);
- ``es_cores``: Elasticsearch's cores during the run (CPU seconds / wall seconds), as ``cores_used`` has it;
- ``registry_docs_per_article``: registry documents indexed (claims created) per article indexed.

An API the Elasticsearch at hand lacks (or any failed call) is recorded as an error string, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from benchmarks.threads import thread_cpu, thread_cpu_delta

logger = logging.getLogger(__name__)

INDEX_METRICS = "indexing,refresh,merge,flush,translog,store"
HOT_THREADS_EVERY_S = 5.0
#: Gauges of ``index_counters`` (reported at the end, and their change); the other counters only grow.
GAUGES = ("translog_ops", "store_bytes")


def index_counters(body: dict[str, Any]) -> dict[str, int]:
    """The counters of one ``<index>/_stats`` answer: documents from the primaries (one per article, replicas
    or not), times from every shard copy (the work every node did)."""
    prim, total = body["_all"]["primaries"], body["_all"]["total"]
    return {
        "docs_indexed": prim["indexing"]["index_total"],
        "index_failed": prim["indexing"].get("index_failed", 0),
        "index_time_ms": total["indexing"]["index_time_in_millis"],
        "refresh_count": total["refresh"]["total"],
        "refresh_time_ms": total["refresh"]["total_time_in_millis"],
        "merge_count": total["merges"]["total"],
        "merge_time_ms": total["merges"]["total_time_in_millis"],
        "flush_count": total["flush"]["total"],
        "flush_time_ms": total["flush"]["total_time_in_millis"],
        "translog_ops": total["translog"]["operations"],
        "store_bytes": total["store"]["size_in_bytes"],
    }


def counters_delta(before: dict[str, int] | None, after: dict[str, int]) -> dict[str, int]:
    """The run's share of each cumulative counter (``before`` None: the index did not exist yet, all of it),
    and each gauge's value at the end and its change."""
    start = before or {}
    out = {k: v - start.get(k, 0) for k, v in after.items() if k not in GAUGES}
    for k in GAUGES:
        out[k], out[f"{k}_delta"] = after[k], after[k] - start.get(k, 0)
    return out


def node_gc_ms(body: dict[str, Any]) -> dict[str, int]:
    """Summed ``jvm.gc.collectors.*.collection_time_in_millis`` of each node (time in collections)."""
    return {
        n.get("name", nid): sum(c["collection_time_in_millis"] for c in n["jvm"]["gc"]["collectors"].values())
        for nid, n in body["nodes"].items()
    }


def node_cpu_ms(body: dict[str, Any]) -> dict[str, int]:
    """``process.cpu.total_in_millis`` of each node of a ``_nodes/stats/process`` answer, by node name."""
    return {n.get("name", nid): n["process"]["cpu"]["total_in_millis"] for nid, n in body["nodes"].items()}


# -- hot threads ------------------------------------------------------------------------------------------

_THREAD = re.compile(r"^\s*([\d.]+)%.*cpu usage by thread '(?P<name>[^']*)'")
_NODE = re.compile(r"^::: \{(?P<node>[^}]*)\}")
_SNAPSHOTS = re.compile(r"^\s*((\d+)/\d+ snapshots sharing following \d+ elements|unique snapshot)")
_FRAME_PREFIX = re.compile(r"^(app//|[\w.]+@[\w.\-]+/|[\w.]+//)")


@dataclass(frozen=True)
class HotThread:
    node: str
    name: str
    cpu_pct: float
    top_frame: str | None


def thread_kind(name: str) -> str:
    """The kind of an Elasticsearch thread: its pool (``write``, ``refresh``, ``flush``, ``management``...),
    ``Lucene Merge Thread``, or the name without its number."""
    if "Lucene Merge Thread" in name:
        return "Lucene Merge Thread"
    rest = re.sub(r"^elasticsearch\[[^\]]*\]", "", name)
    pool = re.match(r"^\[([^\]\[]+)\]", rest)
    if pool:
        return pool.group(1)
    return re.sub(r"[\s#\-_]*\d+$", "", name) or name


def frame_name(line: str) -> str:
    """``app//org.apache.lucene.X.y(X.java:12)`` -> ``org.apache.lucene.X.y``."""
    return _FRAME_PREFIX.sub("", line.strip()).split("(", 1)[0]


def parse_hot_threads(text: str) -> list[HotThread]:
    """Every thread of one ``_nodes/hot_threads`` text answer, with its CPU % of one core over the interval
    and the first frame printed for its largest group of like snapshots (the innermost frame they share)."""
    threads: list[HotThread] = []
    node, current, frame, best, want = "?", None, None, 0, 0

    def close() -> None:
        if current is not None:
            threads.append(HotThread(node, current[0], current[1], frame))

    for line in text.splitlines():
        if m := _NODE.match(line):
            close()
            node, current, frame, best, want = m.group("node"), None, None, 0, 0
        elif m := _THREAD.match(line):
            close()
            current, frame, best, want = (m.group("name"), float(m.group(1))), None, 0, 0
        elif current is not None and (m := _SNAPSHOTS.match(line)):
            count = int(m.group(2) or 1)  # "unique snapshot": 1
            want = count if count > best else 0
        elif want and line.strip():
            frame, best, want = frame_name(line), want, 0
    close()
    return threads


def summarize_hot_threads(samples: list[list[HotThread]], top: int = 8) -> list[dict[str, Any]]:
    """The hottest thread kinds over all samples: summed CPU % (of one core), mean % per sample, how many
    times a thread of that kind was among the hottest, its most common top frame; hottest first."""
    cpu: dict[str, float] = defaultdict(float)
    seen: Counter[str] = Counter()
    frames: dict[str, Counter[str]] = defaultdict(Counter)
    for sample in samples:
        for t in sample:
            kind = thread_kind(t.name)
            cpu[kind] += t.cpu_pct
            seen[kind] += 1
            if t.top_frame:
                frames[kind][t.top_frame] += 1
    ranked = sorted(cpu, key=lambda k: -cpu[k])[:top]
    return [
        {
            "thread": k,
            "summed_cpu_pct": round(cpu[k], 1),
            "mean_cpu_pct_per_sample": round(cpu[k] / len(samples), 1),
            "appearances": seen[k],
            "top_frame": frames[k].most_common(1)[0][0] if frames[k] else None,
        }
        for k in ranked
    ]


def per_1000(value: float, articles: int) -> float | None:
    return round(value / articles * 1000, 2) if articles > 0 else None


class EsProfile:
    """Elasticsearch's CPU, per-index work and hot threads between ``start()`` and ``stop()``."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        alias: str,
        every_s: float = HOT_THREADS_EVERY_S,
        pids: Callable[[], list[int]] | None = None,
    ) -> None:
        """``pids``: Elasticsearch's processes, for the CPU of its threads by group (JIT, GC, ...)."""
        self._es = es
        self._pids = pids
        self.indices = {"articles": f"{alias}-v1", "registry": f"{alias}-dedup"}
        self._every_s = every_s
        self._errors: list[str] = []
        self._before: dict[str, Any] = {}
        self._samples: list[list[HotThread]] = []
        self._stopping = asyncio.Event()
        self._sampler: asyncio.Task[None] | None = None

    async def _call(self, what: str, call: Any, parse: Callable[[Any], Any]) -> Any:
        """``parse`` of the answer's body, or None (and the error recorded) if the call or the parsing failed."""
        try:
            return parse((await call).body)
        except Exception as exc:  # noqa: BLE001 - any missing API or failure is recorded, the bench goes on
            self._errors.append(f"{what}: {type(exc).__name__}: {exc}"[:300])
            logger.warning("es profile: %s failed: %s", what, exc)
            return None

    async def _snapshot(self) -> dict[str, Any]:
        nodes = await self._call("_nodes/stats", self._es.nodes.stats(metric=["process", "jvm"]), lambda body: body)
        out = {
            "cpu_ms": node_cpu_ms(nodes) if nodes else None,
            "gc_ms": node_gc_ms(nodes) if nodes else None,
            "threads_s": thread_cpu(self._pids()) if self._pids is not None else None,
        }
        for key, index in self.indices.items():
            stats = self._es.indices.stats(index=index, metric=INDEX_METRICS)
            out[key] = await self._call(f"{index}/_stats", stats, index_counters)
        return out

    async def _sample(self) -> None:
        while not self._stopping.is_set():
            hot = self._es.nodes.hot_threads(threads=3, interval="500ms", ignore_idle_threads=True)
            sample = await self._call("_nodes/hot_threads", hot, lambda body: parse_hot_threads(str(body)))
            if sample is None:
                return  # not there: one error is enough
            self._samples.append(sample)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._every_s)

    async def start(self) -> None:
        self._before = await self._snapshot()
        self._sampler = asyncio.create_task(self._sample())
        await asyncio.sleep(0)  # the first sample now, at the start of the run

    async def close(self) -> None:
        """Stop sampling hot threads (also after a failed run)."""
        self._stopping.set()
        if self._sampler is not None:
            await self._sampler
            self._sampler = None

    async def stop(self, articles: int, wall_s: float) -> dict[str, Any]:
        """The profile of the ``articles`` made searchable since ``start()``, in ``wall_s`` seconds."""
        after = await self._snapshot()
        await self.close()
        return profile_result(self._before, after, self._samples, articles, wall_s, self.indices, self._errors)


def profile_result(
    before: dict[str, Any],
    after: dict[str, Any],
    samples: list[list[HotThread]],
    articles: int,
    wall_s: float,
    indices: dict[str, str],
    errors: list[str],
) -> dict[str, Any]:
    """The profile's dict (into latest.json) from the two snapshots and the hot-thread samples."""
    out: dict[str, Any] = {"articles": articles, "seconds": round(wall_s, 2), "indices": {}}
    cpu_before, cpu_after = before.get("cpu_ms"), after.get("cpu_ms")
    if cpu_after is not None:
        per_node = {n: ms - (cpu_before or {}).get(n, 0) for n, ms in cpu_after.items()}
        cpu_ms = sum(per_node.values())
        out["es_cpu_ms"], out["es_cpu_ms_by_node"] = cpu_ms, per_node
        out["es_cores"] = round(cpu_ms / 1000 / wall_s, 2) if wall_s > 0 else None
        out["es_cores_per_1000_articles"] = per_1000(cpu_ms / 1000, articles)
    threads_before, threads_after = before.get("threads_s"), after.get("threads_s")
    if threads_after:
        by_group = thread_cpu_delta(threads_before or {}, threads_after)
        out["es_threads_s_per_1000_articles"] = {group: per_1000(s, articles) for group, s in by_group.items()}
    gc_before, gc_after = before.get("gc_ms"), after.get("gc_ms")
    if gc_after is not None:
        gc_ms = sum(ms - (gc_before or {}).get(n, 0) for n, ms in gc_after.items())
        out["es_gc_s_per_1000_articles"] = per_1000(gc_ms / 1000, articles)
    for key, index in indices.items():
        if after.get(key) is None:
            continue
        delta = counters_delta(before.get(key), after[key])
        times = ("index_time_ms", "refresh_time_ms", "merge_time_ms", "flush_time_ms")
        per_1000_s = {k.removesuffix("_time_ms"): per_1000(delta[k] / 1000, articles) for k in times}
        out["indices"][key] = {"index": index, **delta, "per_1000_articles_s": per_1000_s}
    arts, reg = out["indices"].get("articles"), out["indices"].get("registry")
    if arts and reg and arts["docs_indexed"] > 0:
        out["registry_docs_per_article"] = round(reg["docs_indexed"] / arts["docs_indexed"], 2)
    out["hot_threads"] = {"samples": len(samples), "threads": summarize_hot_threads(samples) if samples else []}
    if errors:
        out["errors"] = list(errors)
    return out
