from __future__ import annotations

import struct

import pytest

from infra.local.kafka_wire import decode_metadata_response, encode_metadata_request


def _string(text: str | None) -> bytes:
    if text is None:
        return struct.pack(">h", -1)
    return struct.pack(">h", len(text)) + text.encode()


def _response(correlation_id: int, brokers: list[tuple[int, str, int]]) -> bytes:
    body = struct.pack(">ii", correlation_id, 0) + struct.pack(">i", len(brokers))
    for node_id, host, port in brokers:
        body += struct.pack(">i", node_id) + _string(host) + struct.pack(">i", port) + _string(None)
    body += _string("clusterid") + struct.pack(">i", 1) + struct.pack(">i", 0)  # controller, no topics
    return body


def test_metadata_request_encoding() -> None:
    frame = encode_metadata_request(7)
    (size,) = struct.unpack(">i", frame[:4])
    assert size == len(frame) - 4
    api_key, version, correlation, client_len = struct.unpack(">hhih", frame[4:14])
    assert (api_key, version, correlation) == (3, 4, 7)
    client = frame[14 : 14 + client_len]
    assert client == b"newsflow-infra-health"
    assert struct.unpack(">i?", frame[14 + client_len :]) == (-1, False)


def test_metadata_response_decoding() -> None:
    metadata = decode_metadata_response(_response(7, [(1, "localhost", 29092)]), 7)
    assert metadata.brokers == ((1, "localhost", 29092),)
    assert metadata.cluster_id == "clusterid"
    assert metadata.controller_id == 1


def test_no_brokers_yet() -> None:
    assert decode_metadata_response(_response(7, []), 7).brokers == ()


def test_wrong_correlation_or_truncation_is_rejected() -> None:
    with pytest.raises(ValueError, match="correlation"):
        decode_metadata_response(_response(8, []), 7)
    with pytest.raises(ValueError, match="truncated"):
        decode_metadata_response(_response(7, [(1, "localhost", 1)])[:15], 7)
