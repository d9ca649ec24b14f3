"""Cluster-aware settings: several bootstrap servers and Elasticsearch hosts, topic replication and
``min.insync.replicas``, index replicas, and what a write refused during a leader election answers."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import collect_hosts
from aiokafka.errors import (
    KafkaError,
    KafkaTimeoutError,
    NotEnoughReplicasAfterAppendError,
    NotEnoughReplicasError,
    NotLeaderForPartitionError,
    RequestTimedOutError,
)
from faust.transport.drivers.aiokafka import server_list
from pydantic import ValidationError

from adapters import elastic, kafka
from adapters.settings import ElasticsearchSettings, KafkaSettings, TopicSettings
from enrich_service.duplicates import ElasticsearchRegistry
from enrich_service.faust_config import broker_url, faust_options
from enrich_service.settings import EnrichSettings
from ingest_service.app import create_app
from ingest_service.errors import PublishError
from ingest_service.publisher import KafkaPublisher
from ingest_service.settings import IngestSettings
from schemas.articles import ArticleIn
from schemas.search_document import index_definition

THREE = "h1:9292,h2:9293,h3:9294"
HOSTS = [("h1", 9292), ("h2", 9293), ("h3", 9294)]


# --- Kafka: bootstrap lists -------------------------------------------------------------------------


def test_bootstrap_servers_stay_one_comma_separated_string_without_blanks() -> None:
    settings = KafkaSettings(bootstrap_servers=" h1:9292, h2:9293 ,,h3:9294 ")
    assert settings.bootstrap_servers == THREE
    assert settings.servers == ["h1:9292", "h2:9293", "h3:9294"]
    with pytest.raises(ValidationError, match="at least one"):
        KafkaSettings(bootstrap_servers=" , ")


async def test_every_aiokafka_client_gets_all_three_brokers() -> None:
    options = kafka.client_options(KafkaSettings(bootstrap_servers=THREE))
    assert options["bootstrap_servers"] == THREE
    producer = AIOKafkaProducer(**options)
    consumer = AIOKafkaConsumer(**options)
    admin = AIOKafkaAdminClient(**options)
    try:
        for client in (producer.client, consumer._client, admin._client):
            assert sorted((host, port) for host, port, _ in client.hosts) == HOSTS
    finally:
        await consumer.stop()
        await producer.stop()
        await admin.close()
    assert sorted((host, port) for host, port, _ in collect_hosts(THREE)) == HOSTS


def test_faust_gets_all_three_brokers() -> None:
    settings = EnrichSettings(kafka=KafkaSettings(bootstrap_servers=THREE))
    url = faust_options(settings)["broker"]
    assert url == broker_url(THREE) == "kafka://h1:9292;h2:9293;h3:9294"
    from yarl import URL

    # What Faust makes of the broker setting (one URL per ';'), then hands to aiokafka.
    urls = [URL(f"kafka://{part}") for part in url.removeprefix("kafka://").split(";")]
    assert server_list(urls, 9092) == ["h1:9292", "h2:9293", "h3:9294"]


def test_the_faust_app_sees_three_brokers(tmp_path: Any) -> None:
    from enrich_service.app import create_app as create_faust_app

    settings = EnrichSettings(kafka=KafkaSettings(bootstrap_servers=THREE), data_dir=str(tmp_path), web_enabled=False)
    app = create_faust_app(settings)
    assert server_list(app.conf.broker, 9092) == ["h1:9292", "h2:9293", "h3:9294"]


def test_settings_from_the_environment_take_a_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS", THREE)
    monkeypatch.setenv("NEWSFLOW_ENRICH_TOPICS__REPLICATION_FACTOR", "3")
    monkeypatch.setenv("NEWSFLOW_ENRICH_ES__URL", "http://es1:9200,http://es2:9201")
    monkeypatch.setenv("NEWSFLOW_ENRICH_ES__REPLICAS", "1")
    settings = EnrichSettings()
    assert settings.kafka.servers == ["h1:9292", "h2:9293", "h3:9294"]
    assert settings.topics.effective_min_insync_replicas == 2
    assert settings.es.hosts == ["http://es1:9200", "http://es2:9201"]
    assert settings.es.replica_settings() == {"number_of_replicas": 1}
    assert faust_options(settings)["topic_replication_factor"] == 3
    assert faust_options(settings)["producer_acks"] == -1


# --- Kafka: replication factor and min.insync.replicas ----------------------------------------------


@pytest.mark.parametrize(("factor", "insync"), [(1, 1), (2, 1), (3, 2), (5, 4)])
def test_min_insync_replicas_defaults_to_one_less_than_the_replication_factor(factor: int, insync: int) -> None:
    assert TopicSettings(replication_factor=factor).effective_min_insync_replicas == insync


def test_an_explicit_min_insync_replicas_is_kept_and_checked() -> None:
    assert TopicSettings(replication_factor=3, min_insync_replicas=3).effective_min_insync_replicas == 3
    with pytest.raises(ValidationError, match="min_insync_replicas 2 must be between 1 and replication_factor 1"):
        TopicSettings(min_insync_replicas=2)
    with pytest.raises(ValidationError, match="between 1"):
        TopicSettings(replication_factor=3, min_insync_replicas=0)
    with pytest.raises(ValidationError, match="at least 1"):
        TopicSettings(replication_factor=0)


def test_every_topic_is_created_with_min_insync_replicas() -> None:
    topics = TopicSettings(replication_factor=3)
    for name in (topics.raw, topics.enriched, topics.dlq):
        assert kafka.topic_configs(topics, name)["min.insync.replicas"] == "2"
    assert kafka.topic_configs(topics, topics.dlq)["cleanup.policy"] == "compact"
    assert "min.insync.replicas" not in kafka.TOPIC_CONFIGS["dlq"]  # the shared dict is not changed


class FakeAdmin:
    """Topics that exist (name -> replication factor); records what it is asked to create."""

    def __init__(self, existing: dict[str, int]) -> None:
        self.existing = existing
        self.created: list[NewTopic] = []
        self.described = 0
        self.invisible_for = 0  # describes that still miss a new topic's leaders (a broker catching up)

    def __call__(self, **options: Any) -> FakeAdmin:
        return self

    async def start(self) -> None: ...
    async def close(self) -> None: ...

    async def list_topics(self) -> list[str]:
        return list(self.existing)

    async def describe_topics(self, names: list[str]) -> list[dict[str, Any]]:
        self.described += 1
        if self.invisible_for > 0:
            self.invisible_for -= 1
            return [{"topic": n, "error_code": 3, "partitions": []} for n in names]
        return [
            {"topic": n, "partitions": [{"partition": 0, "leader": 0, "replicas": list(range(self.existing[n]))}]}
            for n in names
        ]

    async def create_topics(self, new: list[NewTopic], timeout_ms: int) -> Any:
        self.created += new
        self.existing |= {t.name: t.replication_factor for t in new}
        return SimpleNamespace(topic_errors=[(t.name, 0, None) for t in new])


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> FakeAdmin:
    fake = FakeAdmin({})
    monkeypatch.setattr(kafka, "AIOKafkaAdminClient", fake)
    monkeypatch.setattr(kafka, "warned_replication", set())
    return fake


async def test_ensure_topics_creates_the_three_topics_replicated(admin: FakeAdmin) -> None:
    topics = TopicSettings(replication_factor=3)
    created = await kafka.ensure_topics(KafkaSettings(bootstrap_servers=THREE), topics)
    assert created == [topics.raw, topics.enriched, topics.dlq]
    assert [(t.replication_factor, t.topic_configs["min.insync.replicas"]) for t in admin.created] == [(3, "2")] * 3


async def test_ensure_topics_returns_once_the_broker_lists_the_new_topics(admin: FakeAdmin) -> None:
    admin.invisible_for = 2  # the broker applies the new topics a moment after the controller created them
    created = await kafka.ensure_topics(KafkaSettings(), TopicSettings())
    assert len(created) == 3 and admin.described == 3 and admin.invisible_for == 0


async def test_a_topic_with_another_replication_factor_is_warned_about_once_and_left(
    admin: FakeAdmin, caplog: pytest.LogCaptureFixture
) -> None:
    topics = TopicSettings(replication_factor=3)
    admin.existing = {topics.raw: 1, topics.enriched: 3}
    with caplog.at_level(logging.WARNING, logger="adapters.kafka"):
        assert await kafka.ensure_topics(KafkaSettings(), topics) == [topics.dlq]
        assert await kafka.ensure_topics(KafkaSettings(), topics, [topics.raw]) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"topic {topics.raw} has replication factor 1, settings say 3" in warnings[0]
    assert "kafka-reassign-partitions" in warnings[0]
    assert [t.name for t in admin.created] == [topics.dlq]  # nothing else created or altered


async def test_a_failed_replication_check_does_not_stop_topic_creation(admin: FakeAdmin) -> None:
    async def broken(names: list[str]) -> list[dict[str, Any]]:
        raise KafkaError("metadata refused")

    topics = TopicSettings()
    admin.existing = {topics.raw: 1}
    admin.describe_topics = broken  # type: ignore[method-assign]
    assert await kafka.ensure_topics(KafkaSettings(), topics) == [topics.enriched, topics.dlq]


# --- Elasticsearch: several hosts, sniffing, replicas -----------------------------------------------


def test_es_url_takes_several_hosts() -> None:
    settings = ElasticsearchSettings(url=" http://es1:9200 , http://es2:9201,")
    assert settings.hosts == ["http://es1:9200", "http://es2:9201"]
    assert ElasticsearchSettings().hosts == ["http://localhost:9200"]
    with pytest.raises(ValidationError, match="at least one Elasticsearch URL"):
        ElasticsearchSettings(url=" , ")


async def test_the_client_gets_every_host_and_does_not_sniff_by_default() -> None:
    es = elastic.make_client(ElasticsearchSettings(url="http://es1:9200,http://es2:9201"))
    try:
        assert sorted(f"{n.config.host}:{n.config.port}" for n in es.transport.node_pool.all()) == [
            "es1:9200",
            "es2:9201",
        ]
        assert not es.transport._sniff_on_start and not es.transport._sniff_on_node_failure
    finally:
        await es.close()


def test_sniffing_is_asked_for_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(elastic, "AsyncElasticsearch", lambda hosts, **options: calls.append((hosts, options)))
    elastic.make_client(ElasticsearchSettings(url="http://es1:9200,http://es2:9201", sniff=True))
    elastic.make_client(ElasticsearchSettings())
    (hosts, sniffing), (_, plain) = calls
    assert hosts == ["http://es1:9200", "http://es2:9201"]
    assert sniffing["sniff_on_start"] is True and sniffing["sniff_on_node_failure"] is True
    assert "sniff_on_start" not in plain and "sniff_on_node_failure" not in plain


@pytest.mark.parametrize(
    ("replicas", "expected"),
    [
        ("0-1", {"auto_expand_replicas": "0-1"}),
        ("0-all", {"auto_expand_replicas": "0-all"}),
        ("1-2", {"auto_expand_replicas": "1-2"}),
        ("0", {"number_of_replicas": 0}),
        (" 1 ", {"number_of_replicas": 1}),
    ],
)
def test_replicas_are_a_number_or_an_auto_expand_range(replicas: str, expected: dict[str, Any]) -> None:
    assert ElasticsearchSettings(replicas=replicas).replica_settings() == expected


@pytest.mark.parametrize("replicas", ["", "one", "-1", "1-", "2-1", "0-some", "0-1-2", "1.5"])
def test_a_malformed_replicas_setting_is_refused(replicas: str) -> None:
    with pytest.raises(ValidationError, match="a number of replicas"):
        ElasticsearchSettings(replicas=replicas)


def test_the_default_replicas_fit_one_node_and_a_cluster() -> None:
    assert ElasticsearchSettings().replica_settings() == {"auto_expand_replicas": "0-1"}


class TemplateES:
    def __init__(self) -> None:
        self.indices = self
        self.templates: list[dict[str, Any]] = []

    async def put_index_template(self, **body: Any) -> None:
        self.templates.append(body)


async def test_the_articles_template_gets_the_configured_replicas_and_keeps_its_fingerprint() -> None:
    es = TemplateES()
    await elastic.put_template(es, "articles", ElasticsearchSettings().replica_settings())  # type: ignore[arg-type]
    await elastic.put_template(es, "articles", {"number_of_replicas": 1})  # type: ignore[arg-type]
    await elastic.put_template(es, "articles")  # type: ignore[arg-type]
    expanding, fixed, unchanged = (t["template"]["settings"] for t in es.templates)
    assert expanding["auto_expand_replicas"] == "0-1" and "number_of_replicas" not in expanding
    assert fixed["number_of_replicas"] == 1 and "auto_expand_replicas" not in fixed
    assert unchanged == index_definition()["settings"]
    assert (
        expanding["number_of_shards"] == fixed["number_of_shards"] == index_definition()["settings"]["number_of_shards"]
    )
    for template in es.templates:
        assert template["template"]["mappings"]["_meta"]["definition"] == elastic.code_definition()
    assert index_definition()["settings"]["number_of_replicas"] == 0  # the file is not changed


class RegistryES:
    def __init__(self) -> None:
        self.indices = self
        self.created: list[dict[str, Any]] = []

    def options(self, **options: Any) -> RegistryES:
        return self

    async def exists(self, index: str) -> bool:
        return False

    async def create(self, **body: Any) -> None:
        self.created.append(body)

    async def mget(self, index: str, ids: list[str], realtime: bool) -> Any:
        return SimpleNamespace(body={"docs": []})


async def test_the_dedup_registry_is_created_with_the_configured_replicas() -> None:
    from adapters.retry import RetryPolicy

    es = RegistryES()
    registry = ElasticsearchRegistry(es, "articles-dedup", RetryPolicy(0.01, 0.01), {"auto_expand_replicas": "0-1"})  # type: ignore[arg-type]
    assert await registry.lookup(["h:x"]) == {}
    assert es.created[0]["settings"] == {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


# --- ingest: a write Kafka does not acknowledge during an election is a 503 -------------------------

ELECTION_ERRORS = [
    NotEnoughReplicasError,
    NotEnoughReplicasAfterAppendError,
    NotLeaderForPartitionError,
    KafkaTimeoutError,
    RequestTimedOutError,
]


class RefusingProducer:
    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> Any:
        raise self.error()

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_exception(self.error())
        return future


@pytest.mark.parametrize("error", ELECTION_ERRORS)
async def test_an_unacknowledged_write_is_a_publish_error(error: type[Exception]) -> None:
    publisher = KafkaPublisher(KafkaSettings(bootstrap_servers=THREE), "articles.raw", send_timeout_s=1.0)
    publisher._producer = RefusingProducer(error)
    article = ArticleIn(id="a1", title="Ferry timetable", body="The ferry leaves at noon.").to_raw(datetime.now(UTC))
    with pytest.raises(PublishError):
        await publisher.publish(article)
    (outcome,) = await publisher.publish_many([article])
    assert isinstance(outcome, PublishError)


@pytest.mark.parametrize("error", ELECTION_ERRORS)
async def test_ingest_answers_503_with_retry_after_when_replicas_are_missing(error: type[Exception]) -> None:
    publisher = KafkaPublisher(KafkaSettings(bootstrap_servers=THREE), "articles.raw", send_timeout_s=1.0)
    publisher._producer = RefusingProducer(error)
    app = create_app(IngestSettings(), publisher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        one = await client.post("/articles", json={"title": "Ferry timetable", "body": "The ferry leaves at noon."})
        batch = await client.post("/articles/batch", json=[{"title": "Bridge", "body": "The bridge reopens."}])
    for response in (one, batch):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
