"""Kafka adapter helpers shared by both services: connection options and idempotent topic creation."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context

from adapters.limits import OUTPUT_RECORD_MAX_BYTES
from adapters.settings import KafkaSettings, TopicSettings

logger = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36

#: The consumer group of ``newsflow dlq replay``: it remembers which dead letters were already sent back.
DLQ_REPLAY_GROUP = "newsflow-dlq-replay"


def client_options(settings: KafkaSettings) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client: bootstrap servers, TLS and SASL."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.ssl_cafile)
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return options


#: Per-topic configs: the enriched record carries body and clean body, so it may be twice the raw one;
#: dead letters are keyed by their source record and compacted, so a record failing again replaces its
#: letter instead of adding one (a topic created before this keeps its policy; see the README).
TOPIC_CONFIGS = {
    "enriched": {"max.message.bytes": str(OUTPUT_RECORD_MAX_BYTES)},
    "dlq": {"cleanup.policy": "compact", "max.message.bytes": str(OUTPUT_RECORD_MAX_BYTES)},
}


def topic_configs(topics: TopicSettings, name: str) -> dict[str, str]:
    """The configs topic ``name`` is created with: its role's (``TOPIC_CONFIGS``) and, for every topic,
    ``min.insync.replicas`` (with ``acks=all`` a write is refused while fewer replicas are in sync)."""
    role = {topics.enriched: "enriched", topics.dlq: "dlq"}.get(name)
    configs = dict(TOPIC_CONFIGS.get(role, {})) if role else {}
    configs["min.insync.replicas"] = str(topics.effective_min_insync_replicas)
    return configs


#: Topics already warned about (a replication factor other than configured): one warning per process.
warned_replication: set[str] = set()


def replication_mismatches(described: list[dict[str, Any]], wanted: int) -> dict[str, int]:
    """Topic -> its replication factor (replicas of its first partition), for those not at ``wanted``."""
    found: dict[str, int] = {}
    for topic in described:
        partitions = topic.get("partitions") or []
        if partitions and len(partitions[0]["replicas"]) != wanted:
            found[str(topic["topic"])] = len(partitions[0]["replicas"])
    return found


async def _warn_replication(admin: AIOKafkaAdminClient, topics: TopicSettings, names: list[str]) -> None:
    unchecked = [n for n in names if n not in warned_replication]
    if not unchecked:
        return
    mismatches = replication_mismatches(await admin.describe_topics(unchecked), topics.replication_factor)
    for name, factor in mismatches.items():
        warned_replication.add(name)
        logger.warning(
            "topic %s has replication factor %s, settings say %s: it is left as it is"
            " (changing it takes kafka-reassign-partitions; see the README, Cluster settings)",
            name,
            factor,
            topics.replication_factor,
        )


async def ensure_topics(settings: KafkaSettings, topics: TopicSettings, names: list[str] | None = None) -> list[str]:
    """Create the pipeline's topics if they do not exist yet; returns the names it created.

    Safe to call from every service at every start: a topic that exists is left as it is (once per
    process a warning if its replication factor is not the configured one).
    """
    wanted = names if names is not None else [topics.raw, topics.enriched, topics.dlq]
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in wanted if n not in existing]
        present = [n for n in wanted if n in existing]
        if present:
            try:
                await _warn_replication(admin, topics, present)
            except KafkaError as exc:  # only a warning: never a reason not to start
                logger.debug("could not compare the replication factor of %s: %s", present, exc)
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(
                    n,
                    topics.partitions,
                    topics.replication_factor,
                    topic_configs=topic_configs(topics, n),
                )
                for n in missing
            ],
            timeout_ms=15_000,
        )
        created = []
        for name, code, *rest in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != _TOPIC_ALREADY_EXISTS:
                message = rest[0] if rest else ""
                raise RuntimeError(f"could not create topic {name}: error {code} {message}")
        if created:
            logger.info(
                "created topics %s with %s partitions, replication factor %s, min.insync.replicas %s",
                created,
                topics.partitions,
                topics.replication_factor,
                topics.effective_min_insync_replicas,
            )
            await wait_visible(admin, created)
        return created
    finally:
        await admin.close()


#: How long a created topic may take to appear in a broker's metadata with a leader for every partition.
VISIBLE_TIMEOUT_S = 30.0


async def wait_visible(admin: AIOKafkaAdminClient, names: list[str], timeout_s: float = VISIBLE_TIMEOUT_S) -> None:
    """Until the broker's metadata lists every partition of ``names`` with a leader.

    A broker applies a new topic to its metadata a moment after the controller created it. A consumer
    that subscribes in that moment is assigned nothing and only looks again at its next metadata refresh
    (minutes later): seen once as a worker "ready" with 0 partitions on a freshly started Kafka.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            described = await admin.describe_topics(names)
        except KafkaError as exc:  # best effort: the consumer copes (late) with what this cannot see
            logger.debug("could not describe the new topics %s: %s", names, exc)
            return
        missing = [
            t["topic"]
            for t in described
            if t.get("error_code", 0) != 0
            or not t.get("partitions")
            or any(p.get("leader", -1) < 0 for p in t["partitions"])
        ]
        if not missing:
            return
        if time.monotonic() >= deadline:
            logger.warning("topics %s not in the broker's metadata %.0fs after their creation", missing, timeout_s)
            return
        await asyncio.sleep(0.2)


async def topic_partitions(settings: KafkaSettings, topic: str) -> list[int]:
    """The partition numbers of ``topic``, or [] when it does not exist (it is never created here)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        if topic not in set(await admin.list_topics()):
            return []
        described = await admin.describe_topics([topic])
        return sorted(int(p["partition"]) for t in described if t["topic"] == topic for p in t["partitions"])
    finally:
        await admin.close()
