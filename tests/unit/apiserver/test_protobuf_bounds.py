"""A protobuf body whose field carries the wrong wire type is a 400: a varint where bytes
belong once made the decoder allocate that many bytes (a 10-byte body, gigabytes)."""

from __future__ import annotations

import pytest

from tugboat.api.proto import codec
from tugboat.api.proto.wire import length_delimited, tag
from tugboat.apiserver import errors, protobuf


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


@pytest.mark.parametrize("body", [
    protobuf.MAGIC + varint(2 << 3 | 0) + varint(1 << 40),  # raw: a varint, not bytes
    protobuf.MAGIC + varint(1 << 3 | 0) + varint(7),  # typeMeta: a varint, not a message
    protobuf.MAGIC + varint(2 << 3 | 5) + b"\x00\x00\x00\x40",  # raw: fixed32
])
def test_wrong_wire_types_are_a_bad_request(body: bytes) -> None:
    with pytest.raises(errors.ApiError) as e:
        protobuf.decode(body)
    assert e.value.code == 400


def test_objects_nested_in_raw_extensions_are_bounded() -> None:
    """A RawExtension may hold a `k8s\\0` object, which may hold another: nesting them
    thousands deep is a 400, not a crash of the decoder's stack."""
    body = codec.encode({"apiVersion": "apps/v1", "kind": "ControllerRevision"})
    for _ in range(5000):
        body = codec.envelope("apps/v1", "ControllerRevision",
                              tag(2, 2) + length_delimited(tag(1, 2) + length_delimited(body)))
    assert len(body) < 3 * 1024 * 1024
    with pytest.raises(errors.ApiError) as e:
        protobuf.decode(body)
    assert e.value.code == 400
