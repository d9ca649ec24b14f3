"""The limits and defaults that several parts must agree on, each defined once.

Record sizes (the broker refuses a record over its topic's ``max.message.bytes``; a producer refuses one
over its ``max_request_size``, so both sides of a topic read the same constant):

- the raw topic: ``RAW_RECORD_MAX_BYTES`` (4 MiB), the broker's ``message.max.bytes`` locally
  (``infra/local``; docker-compose sets the same) and what ingest's producer sends at most;
- the HTTP body: ``MAX_BODY_BYTES`` (3 MiB), deliberately *below* the raw limit: the raw record wraps the
  article (id, received time, JSON escaping), so an accepted body must still fit;
- what the worker writes, enriched articles and dead letters: ``OUTPUT_RECORD_MAX_BYTES`` (16 MiB), set on
  both topics when the pipeline creates them and used by every producer writing to them. An enriched
  record carries body and clean body plus entities and quotes (over twice the raw record); a dead letter
  carries a raw record's bytes and headers.

Addresses: where a service looks for Kafka, Elasticsearch and the ingest API when nothing is configured,
and the ports ``infra/local`` starts them on by default (the same, so that the defaults meet).
"""

from __future__ import annotations

MIB = 1024 * 1024

RAW_RECORD_MAX_BYTES = 4 * MIB
MAX_BODY_BYTES = 3 * MIB
OUTPUT_RECORD_MAX_BYTES = 16 * MIB

KAFKA_PORT = 9092
ES_PORT = 9200
INGEST_PORT = 8000

DEFAULT_KAFKA_BOOTSTRAP = f"localhost:{KAFKA_PORT}"
DEFAULT_ES_URL = f"http://localhost:{ES_PORT}"
#: Where the CLI finds the ingest API unless ``NEWSFLOW_API`` (or ``--api``) says otherwise.
DEFAULT_API_URL = f"http://localhost:{INGEST_PORT}"
