"""The protobuf wire primitives: varints (negative int64/int32 as Go writes them), tags,
length-delimited fields, and refusing truncated or malformed bytes."""

from __future__ import annotations

import pytest

from tugboat.api.proto.wire import (
    DecodeError,
    fields,
    length_delimited,
    read_varint,
    signed,
    tag,
    varint,
)


@pytest.mark.parametrize(("n", "encoded"), [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
    (-1, b"\xff" * 9 + b"\x01"),  # Go: ten bytes, the 64-bit two's complement
    (2**63 - 1, b"\xff" * 8 + b"\x7f"),
])
def test_varints(n: int, encoded: bytes) -> None:
    assert varint(n) == encoded
    value, end = read_varint(encoded, 0)
    assert (signed(value), end) == (n, len(encoded))


def test_tags_and_fields() -> None:
    buf = tag(1, 2) + length_delimited(b"abc") + tag(2, 0) + varint(-5) + tag(3, 1) + b"\x00" * 8 \
        + tag(4, 5) + b"\x01\x02\x03\x04"
    got = list(fields(buf))
    assert [(n, w) for n, w, _ in got] == [(1, 2), (2, 0), (3, 1), (4, 5)]
    assert got[0][2] == b"abc" and signed(got[1][2]) == -5  # type: ignore[arg-type]
    assert got[3][2] == b"\x01\x02\x03\x04"


@pytest.mark.parametrize("buf", [
    b"\x0a\x05ab",  # a length past the end
    b"\x08\xff",  # a varint cut short
    b"\x0b",  # wire type 3 (groups)
    b"\x00\x01",  # field number 0
    b"\x08" + b"\xff" * 11,  # a varint longer than 64 bits
])
def test_malformed_bytes(buf: bytes) -> None:
    with pytest.raises(DecodeError):
        list(fields(buf))
