"""End offsets of a pipeline's topics, read from the broker (to count what was really published)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.integration.pipeline import Pipeline


async def raw_end_offsets(pipeline: Pipeline) -> dict[int, int]:
    """End offset per partition of the raw topic ({} while it does not exist yet)."""
    return await end_offsets(pipeline, pipeline.raw_topic)


async def end_offsets(pipeline: Pipeline, topic: str) -> dict[int, int]:
    """End offset per partition of ``topic`` ({} while it does not exist yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=pipeline.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    numbers = [p["partition"] for t in described if t.get("error_code") == 0 for p in t["partitions"]]
    if not numbers:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=pipeline.kafka_bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, n) for n in numbers])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()
