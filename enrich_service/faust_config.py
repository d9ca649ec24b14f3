"""Faust app options from ``EnrichSettings``: broker, credentials, data dir, commit behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
from aiokafka.helpers import create_ssl_context

from adapters.limits import OUTPUT_RECORD_MAX_BYTES
from enrich_service.settings import EnrichSettings


def broker_url(bootstrap_servers: str) -> str:
    hosts = [h.strip() for h in bootstrap_servers.split(",") if h.strip()]
    return "kafka://" + ";".join(hosts)


def faust_options(settings: EnrichSettings) -> dict[str, Any]:
    kafka = settings.kafka
    options: dict[str, Any] = {
        "broker": broker_url(kafka.bootstrap_servers),
        "autodiscover": False,
        "store": "memory://",
        "datadir": str(Path(settings.data_dir) / settings.app_id),
        "key_serializer": "raw",
        "value_serializer": "raw",
        "consumer_auto_offset_reset": "earliest",
        "topic_partitions": settings.topics.partitions,
        "topic_replication_factor": settings.topics.replication_factor,
        "producer_acks": -1,
        "producer_max_request_size": OUTPUT_RECORD_MAX_BYTES,
        "broker_commit_interval": 1.0,
        "broker_session_timeout": settings.session_timeout_s,
        "broker_heartbeat_interval": settings.heartbeat_interval_s,
        "web_enabled": settings.web_enabled,
        "web_port": settings.web_port,
        "web_bind": settings.web_host,
        "table_standby_replicas": 0,
    }
    context = create_ssl_context(cafile=kafka.ssl_cafile) if kafka.security_protocol.endswith("SSL") else None
    if kafka.security_protocol.startswith("SASL"):
        options["broker_credentials"] = faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value() if kafka.sasl_password else None,
            mechanism=kafka.sasl_mechanism or "PLAIN",
            ssl_context=context,
        )
    elif context is not None:
        options["broker_credentials"] = faust.SSLCredentials(context)
    return options
