"""JVM threads grouped by what they do, from /proc (the names are cut to 15 characters there)."""

from __future__ import annotations

import os

import pytest

from benchmarks.threads import group_of, thread_cpu, thread_cpu_delta


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("C2 CompilerThre", "jit"),
        ("C1 CompilerThre", "jit"),
        ("GC Thread#3", "gc"),
        ("G1 Conc#0", "gc"),
        ("G1 Refine#0", "gc"),
        ("VM Thread", "jvm"),
        ("elasticsearch[n", "elasticsearch"),
        ("java", "other"),
    ],
)
def test_thread_names_fall_into_groups(name: str, group: str) -> None:
    assert group_of(name) == group


def test_this_process_has_cpu_and_a_vanished_pid_has_none() -> None:
    assert sum(thread_cpu([os.getpid()]).values()) > 0
    assert thread_cpu([2**22 + 7]) == {}


def test_delta_is_per_group_and_counts_new_groups() -> None:
    assert thread_cpu_delta({"jit": 1.0, "gc": 2.0}, {"jit": 4.5, "gc": 2.25, "other": 0.5}) == {
        "gc": 0.25,
        "jit": 3.5,
        "other": 0.5,
    }
