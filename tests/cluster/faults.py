"""What the cluster fault tests share: a steady poster, an indexing-progress watch, SIGKILL of a node, the table.

Each fault test reports one row like the single-node fault table: accepted, indexed, lost, duplicated and
the longest stall (posting: the slowest answer; indexing: the longest time the indexed count stood still
while accepted articles were still missing).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import Elasticsearch

from infra.local.layout import ServiceDirs
from infra.local.processes import service_processes
from tests.integration.articles import bulk_article
from tests.integration.pipeline import Pipeline

TABLE_NAME = "cluster-fault-table.jsonl"
#: The rows recorded in this session, printed at its end by ``conftest.pytest_terminal_summary``.
ROWS: list[dict[str, object]] = []


@dataclass
class Poster:
    """Posts ``tag-0``, ``tag-1``.. one at a time from a thread until stopped, at most ``per_s`` a second
    (a steady stream the worker keeps up with); keeps every answer."""

    api: str
    tag: str
    timeout_s: float = 30.0
    per_s: float = 25.0
    answers: list[tuple[int, int, float]] = field(default_factory=list)  # (n, status, seconds)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Poster:
        self._thread = threading.Thread(target=self._run, name=f"poster-{self.tag}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        with httpx.Client(base_url=self.api, timeout=self.timeout_s) as client:
            n = 0
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status = client.post("/articles", json=bulk_article(self.tag, n)).status_code
                except httpx.TimeoutException:
                    status = 0  # a hang: no answer within timeout_s
                self.answers.append((n, status, time.monotonic() - started))
                n += 1
                self._stop.wait(max(0.0, 1 / self.per_s - (time.monotonic() - started)))  # pacing

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 5)
            assert not self._thread.is_alive(), "the poster did not stop: a request hangs"

    def wait_posted(self, count: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.answers) < count:
            assert time.monotonic() < deadline, f"only {len(self.answers)} of {count} posts answered in {timeout_s}s"
            time.sleep(0.1)

    @property
    def accepted(self) -> set[str]:
        return {f"{self.tag}-{n}" for n, status, _ in self.answers if status == 202}

    @property
    def statuses(self) -> Counter[int]:
        return Counter(status for _, status, _ in self.answers)

    @property
    def slowest_s(self) -> float:
        return max((seconds for _, _, seconds in self.answers), default=0.0)


def indexed_ids(es: Elasticsearch, alias: str, tag: str) -> list[str]:
    """Every hit of ``tag-*`` in ``alias`` (doubles kept, for the caller to count)."""
    if not es.indices.exists(index=alias):
        return []
    es.indices.refresh(index=alias)
    resp = es.search(index=alias, query={"prefix": {"id": f"{tag}-"}}, size=10_000, source=False)
    return [h["_id"] for h in resp["hits"]["hits"]]


@dataclass
class Progress:
    """Samples how many distinct articles of ``tag`` are indexed, twice a second, from a thread."""

    es: Elasticsearch
    alias: str
    tag: str
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Progress:
        self._thread = threading.Thread(target=self._run, name=f"progress-{self.tag}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                count = len(set(indexed_ids(self.es, self.alias, self.tag)))
            except Exception:  # noqa: BLE001 - a node being down must not end the watch
                count = self.samples[-1][1] if self.samples else 0
            self.samples.append((time.monotonic(), count))
            self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def longest_stall_s(self) -> float:
        """The longest time the count stood still before it reached its final value."""
        if not self.samples:
            return 0.0
        final = self.samples[-1][1]
        longest, since = 0.0, self.samples[0]
        for sample in self.samples[1:]:
            if sample[1] != since[1] or since[1] >= final:
                longest = max(longest, sample[0] - since[0])
                since = sample
        return round(longest, 1)


def wait_indexed(es: Elasticsearch, pipeline: Pipeline, tag: str, expected: set[str], timeout_s: float) -> list[str]:
    """Until every id in ``expected`` is indexed; returns all hits of ``tag``. Fails with what is missing."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            ids = indexed_ids(es, pipeline.alias, tag)
        except Exception:  # noqa: BLE001 - asked again until the deadline
            ids = []
        missing = expected - set(ids)
        if not missing:
            return ids
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"{len(missing)} of {len(expected)} accepted articles not indexed after {timeout_s:g}s, "
                f"e.g. {sorted(missing)[:5]}\n--- enrich log:\n{pipeline.log_tail('enrich')}"
            )
        time.sleep(1)


def sigkill(dirs: ServiceDirs) -> list[int]:
    """SIGKILL every process of one node, as a power cut would; returns their pids."""
    processes = service_processes(dirs)
    assert processes, f"no running process of {dirs.name}"
    for process in processes:
        process.kill()
    _gone, alive = psutil.wait_procs(processes, timeout=30)
    assert not alive, f"{dirs.name} survived SIGKILL: {alive}"
    return [p.pid for p in processes]


def _partitions(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    async def ask() -> list[dict[str, Any]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        return [p for t in described if t["topic"] == topic for p in t["partitions"]]

    return asyncio.run(ask())


def leaders_of(bootstrap: str, topic: str) -> Counter[int]:
    """How many of ``topic``'s partitions each broker id leads."""
    return Counter(int(p["leader"]) for p in _partitions(bootstrap, topic))


def in_sync_replicas(bootstrap: str, topic: str) -> list[int]:
    """The size of each partition's in-sync replica set."""
    return [len(p["isr"]) for p in _partitions(bootstrap, topic)]


def record_row(run_dir: Path, fault: str, **figures: object) -> None:
    """Print one fault-table row and append it to ``<run dir>/cluster-fault-table.jsonl``."""
    row = {"fault": fault, **figures}
    ROWS.append(row)
    print("fault-table: " + json.dumps(row))
    with open(run_dir / TABLE_NAME, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
