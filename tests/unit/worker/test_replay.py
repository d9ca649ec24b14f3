"""``newsflow replay`` without Kafka or Elasticsearch: when it stops, what it commits, what it shows."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

import pytest
from aiokafka import TopicPartition

from adapters.versions import version_counts
from enrich_service.dead_letters import Incoming
from enrich_service.processor import BatchReport
from enrich_service.replay import ReplayResult, choose_mode
from enrich_service.replay_reader import Progress, Replay, lag
from newsflow import console
from newsflow.cli import main

P0, P1 = TopicPartition("raw", 0), TopicPartition("raw", 1)


class FakeReader:
    """Partitions as lists of records; records keep arriving while ``arrivals`` has some."""

    def __init__(self, sizes: dict[TopicPartition, int], arrivals: Sequence[dict[TopicPartition, int]] = ()) -> None:
        self.end = dict(sizes)
        self.pos = dict.fromkeys(sizes, 0)
        self.arrivals = list(arrivals)
        self.commits: list[dict[TopicPartition, int]] = []

    async def ends(self) -> dict[TopicPartition, int]:
        if self.arrivals:  # more was posted since the last look
            for tp, n in self.arrivals.pop(0).items():
                self.end[tp] += n
        return dict(self.end)

    async def positions(self) -> dict[TopicPartition, int]:
        return dict(self.pos)

    async def read(self, max_records: int) -> list[Incoming]:
        out: list[Incoming] = []
        for tp in self.pos:
            while self.pos[tp] < self.end[tp] and len(out) < max_records:
                out.append(Incoming(b"{}", None, tp.topic, tp.partition, self.pos[tp]))
                self.pos[tp] += 1
        return out

    async def commit(self) -> None:
        self.commits.append(dict(self.pos))

    async def stop(self) -> None:
        pass


class CountingProcessor:
    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    async def process(self, batch: Sequence[Incoming]) -> BatchReport:
        self.seen += [(r.partition, r.offset) for r in batch]
        return BatchReport(received=len(batch), indexed=len(batch), dead=0)


def make_replay(reader: FakeReader, progress: list[Progress]) -> tuple[Replay, CountingProcessor]:
    processor = CountingProcessor()
    replay = Replay(
        reader=reader,  # type: ignore[arg-type]
        processor=processor,  # type: ignore[arg-type]
        target="articles-v2",
        batch_size=4,
        on_progress=progress.append,
    )
    return replay, processor


def test_lag_is_what_is_left_between_positions_and_ends() -> None:
    assert lag({P0: 10, P1: 5}, {P0: 7, P1: 5}) == 3
    assert lag({P0: 10}, {}) == 10
    assert lag({P0: 3}, {P0: 5}) == 0  # never negative


def test_a_new_enrichment_version_means_a_new_index() -> None:
    assert choose_mode({"0.1.0": 10}, code_version="0.1.0") == "in-place"
    assert choose_mode({"0.1.0": 10, "0.0.9": 2}, code_version="0.1.0") == "new-index"
    assert choose_mode({}, code_version="0.1.0") == "in-place"


def test_version_counts_from_the_terms_aggregation() -> None:
    body = {
        "aggregations": {"versions": {"buckets": [{"key": "0.1.0", "doc_count": 7}, {"key": "0.2.0", "doc_count": 1}]}}
    }
    assert version_counts(body) == {"0.1.0": 7, "0.2.0": 1}
    assert version_counts({}) == {}


def test_replay_reads_every_record_once_and_commits_after_each_batch() -> None:
    reader = FakeReader({P0: 6, P1: 3})
    progress: list[Progress] = []
    replay, processor = make_replay(reader, progress)
    asyncio.run(replay.catch_up())
    assert sorted(processor.seen) == [(0, n) for n in range(6)] + [(1, n) for n in range(3)]
    assert replay.consumed == replay.indexed == 9
    assert reader.commits[-1] == {P0: 6, P1: 3}
    assert len(reader.commits) == 3  # batches of 4, 4, 1
    assert progress[-1].lag == 0 and progress[-1].done == 9


def test_catching_up_follows_articles_posted_meanwhile() -> None:
    reader = FakeReader({P0: 4, P1: 0}, arrivals=[{}, {P0: 3}])
    replay, processor = make_replay(reader, [])
    asyncio.run(replay.catch_up())
    assert len(processor.seen) == 7


def test_run_to_stops_at_the_targets_it_was_given() -> None:
    reader = FakeReader({P0: 10})
    replay, processor = make_replay(reader, [])
    asyncio.run(replay.run_to({P0: 4}, "draining"))
    assert len(processor.seen) == 4


def test_progress_shows_position_lag_and_eta() -> None:
    out = io.StringIO()
    console.ReplayProgress(out)(Progress("replaying", "articles-v2", 250, 1000, 750, 25.0))
    line = out.getvalue()
    assert "250/1000 (25%)" in line and "lag 750" in line and "ETA 0m30s" in line and "articles-v2" in line


def test_the_result_says_where_the_alias_is_and_how_to_go_back(capsys: pytest.CaptureFixture[str]) -> None:
    console.print_replay_result(
        ReplayResult("new-index", "articles-v2", "articles", 10, 10, 0, True, ["articles-v1"], 3)
    )
    out = capsys.readouterr().out
    assert "alias articles now on articles-v2 (was on articles-v1)" in out and "--rollback" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "--in-place", "--from", "yesterday"], "not an ISO date"),
        (["replay", "--in-place", "--from", "2026-11-01T00:00:00"], "time zone"),
        (["replay", "--new-index", "--from", "2026-11-01T00:00:00+00:00"], "--from goes with --in-place"),
    ],
)
def test_replay_refuses_a_bad_start_before_touching_anything(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_replay_modes_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--in-place", "--rollback"])
    assert "not allowed with" in capsys.readouterr().err


def test_an_index_made_from_another_definition_means_a_new_index() -> None:
    assert choose_mode({"0.1.0": 3}, "0.1.0", index_definition="aaa", code_definition="bbb") == "new-index"
    assert choose_mode({"0.1.0": 3}, "0.1.0", index_definition=None, code_definition="bbb") == "new-index"
    assert choose_mode({"0.1.0": 3}, "0.1.0", index_definition="bbb", code_definition="bbb") == "in-place"


def test_the_index_definition_carries_its_fingerprint() -> None:
    from schemas.search_document import index_definition

    first, second = index_definition(), index_definition()
    assert first["mappings"]["_meta"]["definition"] == second["mappings"]["_meta"]["definition"]
    assert len(first["mappings"]["_meta"]["definition"]) == 16
