"""A minimal HTTP/1.1 keep-alive load generator for the ingest endpoint.

httpx is a fine client but a poor load generator: its per-request cost, and its connection pool under
dozens of concurrent requests, take more CPU than the server being measured on a 2-core machine. This
sends pre-encoded requests over raw asyncio streams, one connection per concurrent client, and reads
each response's status line, headers and ``Content-Length`` body; nothing else.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def encode_post(host: str, path: str, payload: Any) -> bytes:
    body = json.dumps(payload).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


@dataclass
class LoadResult:
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    bodies: int = 0
    elapsed_s: float = 0.0


async def run_load(url: str, path: str, payloads: Sequence[Any], concurrency: int, duration_s: float) -> LoadResult:
    """``concurrency`` connections each POSTing the next payload as soon as the previous one answered."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [encode_post(f"{host}:{port}", path, p) for p in payloads]
    result = LoadResult()
    counter = iter(range(10**12))
    stop_at = time.perf_counter() + duration_s

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop_at:
                request = requests[next(counter) % len(requests)]
                began = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, _ = await _read_response(reader)
                result.latencies.append(time.perf_counter() - began)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - began
    return result
