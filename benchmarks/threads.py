"""CPU of a JVM's threads from /proc, grouped by what they do: the JIT compiler, garbage collection, the
JVM's own housekeeping, and the application's threads (Elasticsearch's pools: ``elasticsearch[...]``).

Thread names in /proc are cut to 15 characters, so Elasticsearch's pools cannot be told apart here
(``_nodes/hot_threads`` ranks those); what this adds is the work that no Java-level profile shows.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

#: (group, name prefixes) in order; the first match wins, the rest is "other".
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jit", ("C1 CompilerThre", "C2 CompilerThre")),
    ("gc", ("GC Thread", "G1 ")),
    ("jvm", ("VM Thread", "VM Periodic", "Service Thread", "Common-Cleaner", "Finalizer", "Reference Handl")),
    ("elasticsearch", ("elasticsearch[",)),
)


def group_of(name: str) -> str:
    for group, prefixes in GROUPS:
        if name.startswith(prefixes):
            return group
    return "other"


def _thread_seconds(task: Path) -> tuple[str, float] | None:
    try:
        name = (task / "comm").read_text().strip()
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the thread ended meanwhile
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pids: Iterable[int]) -> dict[str, float]:
    """CPU seconds so far of every thread of ``pids``, summed by group (threads that ended are not counted)."""
    out: dict[str, float] = defaultdict(float)
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            found = _thread_seconds(task)
            if found is not None:
                out[group_of(found[0])] += found[1]
    return dict(out)


def thread_cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {group: round(after[group] - before.get(group, 0.0), 2) for group in sorted(after)}
