"""Dead letters on real Kafka: one letter per poisoned record, through redeliveries and replays.

Three poison records, two ``newsflow replay --new-index`` runs and one ``newsflow dlq replay``: the
dead-letter topic lists exactly three letters, each with its attempts, and the replay sends each once.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from adapters.settings import KafkaSettings, TopicSettings
from enrich_service.dead_letters import Letter
from enrich_service.dlq import list_dead_letters, replay_dead_letters
from tests.integration.articles import bulk_article
from tests.integration.conftest import wait_for_document
from tests.integration.offsets import end_offsets
from tests.integration.pipeline import Pipeline

POISON = {
    b"poison-json": b"\x00 not json",
    b"poison-title": b'{"id": "poison-title", "body": "a body but no title"}',
    b"poison-shape": b"[1, 2, 3]",
}


def settings_of(pipeline: Pipeline) -> tuple[KafkaSettings, TopicSettings]:
    topics = TopicSettings(raw=pipeline.raw_topic, enriched=pipeline.enriched_topic, dlq=pipeline.dlq_topic)
    return KafkaSettings(bootstrap_servers=pipeline.kafka_bootstrap), topics


def attempts(letters: list[Letter]) -> dict[bytes | None, int]:
    return {x.key: x.attempts for x in letters}


async def letters_until(pipeline: Pipeline, expected: int, what: str, timeout_s: float = 90.0) -> list[Letter]:
    """Poll ``dlq list`` until it shows the poisoned records, each with ``expected`` attempts; fail with what
    was last seen."""
    kafka, topics = settings_of(pipeline)
    deadline = time.monotonic() + timeout_s
    letters: list[Letter] = []
    while time.monotonic() < deadline:
        letters = await list_dead_letters(kafka, topics, limit=None)
        if attempts(letters) == dict.fromkeys(POISON, expected):
            return letters
        await asyncio.sleep(0.5)
    seen = [(x.letter_id, x.key, x.stage, x.attempts) for x in letters]
    raise AssertionError(f"{what}: not after {timeout_s}s; letters {seen}\n{pipeline.log_tail('enrich')}")


def new_index_replay(pipeline: Pipeline) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "newsflow", "replay", "--new-index", "--yes"],
        env=pipeline.env("enrich"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


async def dlq_records(pipeline: Pipeline) -> int:
    ends = await end_offsets(pipeline, pipeline.dlq_topic)
    return sum(ends.values())


async def test_replays_and_redeliveries_never_double_a_dead_letter(api: httpx.Client, pipeline: Pipeline) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=pipeline.kafka_bootstrap)
    await producer.start()
    try:
        for key, value in POISON.items():
            await producer.send_and_wait(pipeline.raw_topic, value, key=key)
    finally:
        await producer.stop()
    good = api.post("/articles", json=bulk_article(f"dl{uuid.uuid4().hex[:6]}", 0)).json()
    wait_for_document(api, good["id"], pipeline)

    letters = await letters_until(pipeline, 1, "three letters from the worker")
    assert {x.stage for x in letters} == {"decode", "validate"}

    for run in (1, 2):
        out = new_index_replay(pipeline)
        assert "3 of them already had a dead letter" in out, out
        letters = await letters_until(pipeline, 1 + run, f"attempts after replay {run}")
        assert len(letters) == 3
    assert await dlq_records(pipeline) == 9  # three versions of each letter until compaction drops the old ones

    kafka, topics = settings_of(pipeline)
    assert await replay_dead_letters(kafka, topics) == 3  # each letter once, not each of the 9 records
    letters = await letters_until(pipeline, 4, "attempts after the dlq replay")
    assert len(letters) == 3, [x.letter_id for x in letters]
    assert {x.letter_id.rsplit("/", 2)[0] for x in letters} == {pipeline.raw_topic}  # ids of the original records

    admin = AIOKafkaAdminClient(bootstrap_servers=pipeline.kafka_bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, pipeline.dlq_topic)])
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for entry in described.resources[0][4]}
    assert configs["cleanup.policy"] == "compact"
