"""Is Kafka answering Metadata requests, is Elasticsearch yellow or green; wait until they are."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from aiokafka.protocol.metadata import MetadataRequest

from infra.local.errors import InfraError
from infra.local.logs import describe_log
from infra.local.settings import InfraSettings

logger = logging.getLogger(__name__)

POLL_S = 0.5
# Proxies from the environment must never see requests to localhost.
NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


CLIENT_ID = "newsflow-infra-health"
T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on an event loop of its own; in a thread of its own if this thread runs a loop
    (the benchmarks call ``up`` from async code)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-health") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def live_brokers(host: str, port: int, timeout_s: float) -> int:
    """Connect with aiokafka (API versions negotiated), send one Metadata request for no topics; the number
    of live (registered) brokers in the answer. OSError (TimeoutError after ``timeout_s``) or KafkaError."""
    async with asyncio.timeout(timeout_s):
        connection = await create_conn(host, port, client_id=CLIENT_ID, request_timeout_ms=int(timeout_s * 1000))
        try:
            metadata = await connection.send(MetadataRequest([]))
        finally:
            connection.close()
    return len(metadata.brokers)


def kafka_problem(settings: InfraSettings, timeout_s: float = 3.0, node: int = 0) -> str | None:
    """None if broker ``node`` answers a Metadata request listing every broker of the run dir, else what is wrong."""
    address = f"localhost:{settings.kafka_port_of(node)}"
    try:
        brokers = run_apart(live_brokers("localhost", settings.kafka_port_of(node), timeout_s))
    except TimeoutError:
        return f"no Metadata answer from {address} within {timeout_s:g}s"
    except (OSError, KafkaError) as exc:
        return f"no Metadata answer from {address}: {exc or type(exc).__name__}"
    if not brokers:
        return "the broker answers but has not registered yet (no live brokers in metadata)"
    if brokers < settings.kafka_nodes:
        return f"{brokers} of {settings.kafka_nodes} brokers registered"
    return None


def es_problem(settings: InfraSettings, timeout_s: float = 3.0, wait_s: int = 0, node: int = 0) -> str | None:
    """None if node ``node`` sees all the run dir's nodes and yellow or green health (waiting up to ``wait_s``
    server-side), else why not."""
    nodes = f"&wait_for_nodes={settings.es_nodes}" if settings.es_nodes > 1 else ""
    url = f"{settings.es_urls[node]}/_cluster/health?wait_for_status=yellow{nodes}&timeout={wait_s}s"
    try:
        with NO_PROXY_OPENER.open(url, timeout=timeout_s + wait_s) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 408:
            return "cluster health is not yellow yet" if not nodes else f"not yellow with {settings.es_nodes} nodes yet"
        if exc.code == 503:
            return "no elected master yet"
        return f"GET {url} answered HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # URLError is an OSError
        return f"GET {url} failed: {getattr(exc, 'reason', exc)}"
    except http.client.HTTPException as exc:
        # Not an HTTP answer, e.g. a TCP self-connect: before the node listens, a client whose ephemeral
        # port happens to equal the node's port connects to itself and reads back its own request.
        return f"GET {url}: not an HTTP answer ({type(exc).__name__})"
    status = body.get("status") if isinstance(body, dict) else None
    if status in ("yellow", "green"):
        return None
    return f"cluster health is {status}"


def wait_until_healthy(
    name: str,
    port: int,
    probe: Callable[[float], str | None],
    *,
    timeout_s: float,
    log_path: Path,
    alive: Callable[[], bool],
) -> None:
    """Call ``probe(remaining_s)`` until it returns None; fail early if the process died."""
    started = time.monotonic()
    deadline = started + timeout_s
    while True:
        problem = probe(max(0.0, deadline - time.monotonic()))
        if problem is None:
            logger.info("%s on port %s is healthy after %.1fs", name, port, time.monotonic() - started)
            return
        if not alive():
            raise InfraError(f"{name} (port {port}) exited during startup: {problem}\n{describe_log(log_path)}")
        if time.monotonic() >= deadline:
            raise InfraError(
                f"{name} (port {port}) is not healthy after {timeout_s:.0f}s: {problem}\n{describe_log(log_path)}"
            )
        time.sleep(POLL_S)


def wait_for_kafka(settings: InfraSettings, *, log_path: Path, alive: Callable[[], bool], node: int = 0) -> None:
    wait_until_healthy(
        "Kafka",
        settings.kafka_port_of(node),
        lambda _remaining: kafka_problem(settings, node=node),
        timeout_s=settings.start_timeout_s,
        log_path=log_path,
        alive=alive,
    )


def wait_for_elasticsearch(
    settings: InfraSettings, *, log_path: Path, alive: Callable[[], bool], node: int = 0
) -> None:
    def probe(remaining: float) -> str | None:
        return es_problem(settings, wait_s=int(min(5.0, remaining)), node=node)

    wait_until_healthy(
        "Elasticsearch",
        settings.es_port_of(node),
        probe,
        timeout_s=settings.start_timeout_s,
        log_path=log_path,
        alive=alive,
    )
