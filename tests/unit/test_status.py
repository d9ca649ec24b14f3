"""``newsflow status``: the pure shaping (lag, versions, index states, errors), the printing, and parts that fail."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as EsConnectionError
from elastic_transport import ConnectionTimeout as EsConnectionTimeout
from elasticsearch import ApiError

from adapters.kafka import DLQ_REPLAY_GROUP
from adapters.settings import ElasticsearchSettings, KafkaSettings, TopicSettings
from adapters.versions import OTHER_VERSIONS, version_counts, versions_aggregation
from newsflow.cli import main
from newsflow.console import print_status
from newsflow.status import gather_status
from newsflow.status_model import (
    ElasticsearchStatus,
    GroupStatus,
    IndexStatus,
    KafkaStatus,
    PartitionLag,
    Status,
    es_error_message,
    group_descriptions,
    group_role,
    index_states,
    kafka_error_message,
    partition_lags,
    sort_groups,
    status_to_dict,
    topic_status,
    total_hits,
)
from schemas.search_document import index_definition

RAW = topic_status("raw", "articles.raw", {0: 0, 1: 0, 2: 5}, {0: 4, 1: 0, 2: 9})
ENRICHED = topic_status("enriched", "articles.enriched", {0: 0, 1: 0, 2: 0}, {0: 4, 1: 0, 2: 4})
DLQ = topic_status("dlq", "articles.dlq", {0: 0, 1: 0, 2: 0}, {0: 2, 1: 0, 2: 0})


def healthy_status() -> Status:
    worker = GroupStatus(
        "newsflow-enrich",
        "worker",
        "Stable",
        1,
        partition_lags({("articles.raw", 0): 4, ("articles.raw", 1): 0, ("articles.raw", 2): 7}, [RAW, ENRICHED, DLQ]),
    )
    replay = GroupStatus(DLQ_REPLAY_GROUP, "dlq replay", "Empty", 0, partition_lags({("articles.dlq", 0): 2}, [DLQ]))
    kafka = KafkaStatus("localhost:9092", (RAW, ENRICHED, DLQ), (worker, replay))
    es = ElasticsearchStatus(
        "http://localhost:9200",
        "articles",
        "articles-dedup",
        alias_indices=("articles-v2",),
        docs=8,
        versions={"0.1.0": 6, "0.2.0": 2},
        indices=(IndexStatus("articles-v1", 8, False, None), IndexStatus("articles-v2", 8, True, "swapped")),
        dedup_docs=270,
    )
    return Status(kafka, es)


def api_error(status: int, body: Any) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))
    return ApiError("error", meta, body)


# --- topics and lag ---------------------------------------------------------------------------


def test_topic_records_are_end_minus_begin_and_a_missing_topic_is_marked() -> None:
    assert [(p.partition, p.records) for p in RAW.partitions] == [(0, 4), (1, 0), (2, 4)]
    assert RAW.records == 8 and RAW.end_offsets == 13
    missing = topic_status("raw", "nope", None, None)
    assert not missing.exists and missing.records == 0 and missing.partitions == ()


def test_lag_is_end_minus_committed_on_every_partition_of_a_topic_the_group_committed_on() -> None:
    lags = partition_lags({("articles.raw", 0): 3, ("articles.raw", 2): 9, ("elsewhere", 0): 1}, [RAW, ENRICHED])
    assert lags == (
        PartitionLag("articles.raw", 0, 3, 4, 1),
        PartitionLag("articles.raw", 1, None, 0, 0),
        PartitionLag("articles.raw", 2, 9, 9, 0),
    )


def test_a_partition_without_commit_or_below_the_log_start_counts_from_the_log_start() -> None:
    lags = partition_lags({("articles.raw", 0): -1, ("articles.raw", 2): 2}, [RAW])
    assert [(p.committed, p.lag) for p in lags] == [(-1, 4), (None, 0), (2, 4)]


def test_a_consumed_topic_without_any_commit_shows_all_of_it_as_lag() -> None:
    lags = partition_lags({}, [RAW, ENRICHED], consumed=["articles.raw"])
    assert {p.topic for p in lags} == {"articles.raw"}
    assert sum(p.lag for p in lags) == RAW.records
    assert partition_lags({}, [RAW]) == ()


def test_group_roles_and_order() -> None:
    assert group_role("newsflow-enrich", "newsflow-enrich") == "worker"
    assert group_role(DLQ_REPLAY_GROUP, "newsflow-enrich") == "dlq replay"
    assert group_role("newsflow-enrich-replay-articles-v2", "newsflow-enrich") == "replay"
    assert group_role("newsflow-enrich-rollback-articles-v1-17", "newsflow-enrich") == "replay"
    assert group_role("analytics", "newsflow-enrich") == "other"
    groups = [GroupStatus(n, group_role(n, "w"), None, None) for n in ["z", "w-replay-x", "w", DLQ_REPLAY_GROUP, "a"]]
    assert [g.group for g in sort_groups(groups)] == ["w", DLQ_REPLAY_GROUP, "w-replay-x", "a", "z"]


def test_group_descriptions_give_state_and_members_and_skip_errors() -> None:
    responses = [
        {"groups": [{"error_code": 0, "group": "a", "state": "Stable", "members": [{"member_id": "m1"}, {}]}]},
        {"groups": [{"error_code": 16, "group": "b", "state": "", "members": []}]},
        {"groups": [{"error_code": 0, "group": "c", "state": "Dead", "members": []}]},
    ]
    assert group_descriptions(responses) == {"a": ("Stable", 2), "c": ("Dead", 0)}


# --- Elasticsearch shaping --------------------------------------------------------------------


def test_version_counts_from_the_terms_aggregation() -> None:
    response = {
        "hits": {"total": {"value": 12, "relation": "eq"}},
        "aggregations": {
            "versions": {
                "sum_other_doc_count": 1,
                "buckets": [{"key": "0.2.0", "doc_count": 9}, {"key": "0.1.0", "doc_count": 2}],
            }
        },
    }
    assert version_counts(response) == {"0.2.0": 9, "0.1.0": 2, OTHER_VERSIONS: 1}
    assert total_hits(response) == 12
    assert version_counts({"hits": {"total": 0}}) == {} and total_hits({"hits": {"total": 0}}) == 0


def test_versions_aggregation_uses_the_mapped_keyword_field() -> None:
    mapping = index_definition()
    field = versions_aggregation()["versions"]["terms"]["field"]
    parent, child = field.split(".")
    assert mapping["mappings"]["properties"][parent]["properties"][child]["type"] == "keyword"


def test_index_states_keep_versions_of_the_alias_in_version_order_with_their_replay_state() -> None:
    body = {
        "articles-v10": {"mappings": {"_meta": {"replay": "building"}}},
        "articles-v2": {"mappings": {"_meta": {"replay": "swapped"}}},
        "articles-v1": {"mappings": {}},
        "articles-dedup": {"mappings": {}},
        "articles-vx": {},
    }
    assert index_states("articles", body) == {"articles-v1": None, "articles-v2": "swapped", "articles-v10": "building"}


# --- errors -----------------------------------------------------------------------------------


def test_error_messages_say_what_is_wrong_without_a_traceback() -> None:
    assert kafka_error_message(KafkaConnectionError("Unable to bootstrap"), "k:9092", 3) == (
        "cannot reach Kafka at k:9092 (no connection, or no answer within 3 s)"
    )
    assert "did not answer within 3 s" in kafka_error_message(KafkaTimeoutError(), "k:9092", 3)
    assert "did not answer within 3 s" in kafka_error_message(TimeoutError(), "k:9092", 3)
    assert es_error_message(EsConnectionError("refused"), "http://e:9200", 3) == (
        "cannot connect to Elasticsearch at http://e:9200"
    )
    assert "did not answer within 2.5 s" in es_error_message(EsConnectionTimeout("slow"), "http://e:9200", 2.5)
    unauthorized = api_error(401, {"error": {"type": "security_exception", "reason": "missing authentication"}})
    assert (
        es_error_message(unauthorized, "http://e", 3)
        == "Elasticsearch at http://e answered 401: missing authentication"
    )
    assert es_error_message(api_error(404, ""), "http://e", 3) == "Elasticsearch at http://e answered 404: error"


# --- the whole status -------------------------------------------------------------------------


def test_status_dict_has_the_derived_figures() -> None:
    data = status_to_dict(healthy_status())
    assert data["ok"] is True and data["dlq_size"] == 2
    raw = data["kafka"]["topics"][0]
    assert (raw["name"], raw["records"], raw["end_offsets"]) == ("articles.raw", 8, 13)
    worker = data["kafka"]["groups"][0]
    assert (worker["group"], worker["lag"]) == ("newsflow-enrich", 2)
    assert [p["lag"] for p in worker["partitions"]] == [0, 0, 2]
    es = data["elasticsearch"]
    assert es["alias_indices"] == ["articles-v2"] and es["versions"] == {"0.1.0": 6, "0.2.0": 2}
    assert [i["name"] for i in es["indices"] if i["aliased"]] == ["articles-v2"]
    json.dumps(data)


def test_a_failed_part_makes_status_not_ok_and_the_dlq_size_unknown() -> None:
    status = Status(KafkaStatus("k:9092", error="cannot reach Kafka"), healthy_status().elasticsearch)
    assert not status.ok and status.dlq_size is None
    assert status_to_dict(status)["dlq_size"] is None
    missing_dlq = Status(KafkaStatus("k:9092", (RAW,)), healthy_status().elasticsearch)
    assert missing_dlq.ok and missing_dlq.dlq_size == 0


def test_print_status_shows_topics_lag_alias_indices_versions_and_dead_letters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_status(healthy_status())
    out = capsys.readouterr().out
    assert "Kafka localhost:9092" in out
    assert "raw      articles.raw       3 partitions, 8 records; end offsets 4 0 9, begin 0 0 5" in out
    assert "newsflow-enrich (worker, Stable, 1 member): lag 2" in out
    assert "articles.raw: committed 4 0 7; lag 0 0 2" in out
    assert f"{DLQ_REPLAY_GROUP} (dlq replay, Empty, 0 members): lag 0" in out
    assert "alias articles -> articles-v2: 8 documents" in out
    assert "enrichment versions: 0.1.0: 6, 0.2.0: 2" in out
    assert "index articles-v1: 8 documents\n" in out
    assert "index articles-v2: 8 documents (alias; replay swapped)" in out
    assert "dedup registry articles-dedup: 270 keys" in out
    assert "dead letters: 2 records in articles.dlq — `newsflow dlq list` shows each poisoned record once" in out


def test_print_status_with_both_parts_down(capsys: pytest.CaptureFixture[str]) -> None:
    status = Status(
        KafkaStatus("k:9092", error="cannot reach Kafka at k:9092"),
        ElasticsearchStatus("http://e:9200", "articles", "articles-dedup", error="cannot connect to Elasticsearch"),
    )
    print_status(status)
    assert capsys.readouterr().out.splitlines() == [
        "Kafka k:9092",
        "  error: cannot reach Kafka at k:9092",
        "Elasticsearch http://e:9200",
        "  error: cannot connect to Elasticsearch",
        "dead letters: unknown (Kafka not reachable)",
    ]


def test_print_status_of_an_empty_installation(capsys: pytest.CaptureFixture[str]) -> None:
    status = Status(
        KafkaStatus(
            "k:9092",
            (topic_status("raw", "articles.raw", None, None),),
            (GroupStatus("newsflow-enrich", "worker", "Dead", 0),),
        ),
        ElasticsearchStatus("http://e:9200", "articles", "articles-dedup"),
    )
    print_status(status)
    out = capsys.readouterr().out
    assert "raw      articles.raw  does not exist" in out
    assert "newsflow-enrich (worker, no such group): lag 0" in out
    assert "alias articles does not exist" in out and "dedup registry articles-dedup: does not exist" in out
    assert "dead letters: unknown" in out


# --- parts that are down: real sockets on this machine ---------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    for writer in held:
        writer.close()
    server.close()


#: A guard against a hang only: each status part gives up on its own timeouts, which the error messages
#: below name (a part that ran into its own deadline would say "did not answer within <2 x timeout> s").
HANG_GUARD_S = 30.0


async def gather_within_guard(port: int, **options: Any) -> Status:
    try:
        async with asyncio.timeout(HANG_GUARD_S):
            return await gather_status(
                KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}"),
                ElasticsearchSettings(url=f"http://127.0.0.1:{port}"),
                TopicSettings(),
                "articles",
                **options,
            )
    except TimeoutError:
        raise AssertionError(
            f"gather_status on port {port} ({options}) still running after {HANG_GUARD_S:g}s"
        ) from None


async def test_gather_status_reports_each_unreachable_part_without_raising() -> None:
    port = closed_port()
    status = await gather_within_guard(port)
    assert not status.ok
    # Refused connections, not a part's deadline (that would read "did not answer within 6 s").
    assert status.kafka.error == f"cannot reach Kafka at 127.0.0.1:{port} (no connection, or no answer within 3 s)"
    assert status.elasticsearch.error == f"cannot connect to Elasticsearch at http://127.0.0.1:{port}"


async def test_gather_status_gives_up_on_a_silent_server_within_its_timeouts(silent_port: int) -> None:
    status = await gather_within_guard(silent_port, timeout_s=0.5)
    kafka, es = status.kafka.error, status.elasticsearch.error
    # Each message names the timer that ended the wait: a 0.5 s request timeout, or the part's 1 s deadline.
    # A library default (Elasticsearch 10 s, aiokafka 40 s) would have run into the part's deadline first.
    assert kafka in (
        f"cannot reach Kafka at 127.0.0.1:{silent_port} (no connection, or no answer within 0.5 s)",
        f"Kafka at 127.0.0.1:{silent_port} did not answer within 1 s",
    ), kafka
    assert es == f"Elasticsearch at http://127.0.0.1:{silent_port} did not answer within 0.5 s", es


def test_cli_status_exits_1_and_says_why_when_nothing_is_reachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    monkeypatch.setenv("NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")
    monkeypatch.setenv("NEWSFLOW_ENRICH_ES__URL", f"http://127.0.0.1:{port}")
    assert main(["status", "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["ok"] is False and data["dlq_size"] is None
    assert data["kafka"]["error"] and data["elasticsearch"]["error"]
    assert "Traceback" not in captured.err
    assert main(["status"]) == 1
    assert "error: cannot connect to Elasticsearch" in capsys.readouterr().out
