"""Just enough of the Kafka wire protocol for a health check: one Metadata (v4) round trip.

Metadata v4 is understood by every broker from Kafka 1.0 through 4.x, needs no flexible-version
encoding and its response names the live (registered, unfenced) brokers.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

METADATA_API_KEY = 3
METADATA_VERSION = 4
CLIENT_ID = b"newsflow-infra-health"


@dataclass(frozen=True)
class KafkaMetadata:
    brokers: tuple[tuple[int, str, int], ...]  # (node id, host, port)
    cluster_id: str | None
    controller_id: int


def encode_metadata_request(correlation_id: int) -> bytes:
    """A size-prefixed Metadata v4 request for all topics, without auto-creating any."""
    header = struct.pack(">hhih", METADATA_API_KEY, METADATA_VERSION, correlation_id, len(CLIENT_ID))
    body = struct.pack(">i?", -1, False)  # topics: null (= all); allow_auto_topic_creation: false
    payload = header + CLIENT_ID + body
    return struct.pack(">i", len(payload)) + payload


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def unpack(self, fmt: str) -> tuple[int, ...]:
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return tuple(values)

    def string(self) -> str | None:
        (length,) = self.unpack(">h")
        if length < 0:
            return None
        raw = self.data[self.offset : self.offset + length]
        if len(raw) != length:
            raise ValueError("truncated string")
        self.offset += length
        return raw.decode("utf-8", errors="replace")


def decode_metadata_response(payload: bytes, correlation_id: int) -> KafkaMetadata:
    """Parse a Metadata v4 response (without its size prefix) up to the controller id."""
    try:
        reader = _Reader(payload)
        (received,) = reader.unpack(">i")
        if received != correlation_id:
            raise ValueError(f"correlation id {received}, expected {correlation_id}")
        reader.unpack(">i")  # throttle_time_ms
        (count,) = reader.unpack(">i")
        brokers = []
        for _ in range(max(count, 0)):
            (node_id,) = reader.unpack(">i")
            host = reader.string() or ""
            (port,) = reader.unpack(">i")
            reader.string()  # rack
            brokers.append((node_id, host, port))
        cluster_id = reader.string()
        (controller_id,) = reader.unpack(">i")
    except struct.error as exc:
        raise ValueError(f"truncated Metadata response: {exc}") from exc
    return KafkaMetadata(brokers=tuple(brokers), cluster_id=cluster_id, controller_id=controller_id)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def fetch_metadata(host: str, port: int, timeout_s: float) -> KafkaMetadata:
    """Connect, send one Metadata request, parse the answer. Raises OSError / ValueError on failure."""
    correlation_id = 7
    with socket.create_connection((host, port), timeout=timeout_s) as sock:
        sock.settimeout(timeout_s)
        sock.sendall(encode_metadata_request(correlation_id))
        (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
        if not 0 < size < 64 * 1024 * 1024:
            raise ValueError(f"implausible response size {size}: is this a Kafka broker?")
        return decode_metadata_response(_recv_exactly(sock, size), correlation_id)
