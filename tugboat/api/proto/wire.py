"""The protobuf wire format's primitives (varints, tags, length-delimited fields), apart from
any message: the codec reads Kubernetes' messages with them, and anything that ever needs to
read or write protobuf bytes (the API server, a client) can use them as well."""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5
MASK64 = (1 << 64) - 1


class DecodeError(ValueError):
    """Bytes that are not a well-formed protobuf message (or not the one expected)."""


def varint(n: int) -> bytes:
    """n as a base-128 varint; a negative int64/int32 as its 64-bit two's complement (ten
    bytes), as Go's encoder writes it."""
    n &= MASK64
    if n < 0x80:
        return _SMALL[n]
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL = [bytes([i]) for i in range(0x80)]


def tag(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def length_delimited(payload: bytes) -> bytes:
    return varint(len(payload)) + payload


def read_varint(buf: bytes | memoryview, i: int) -> tuple[int, int]:
    shift = value = 0
    n = len(buf)
    while True:
        if i >= n or shift > 63:
            raise DecodeError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def signed(value: int) -> int:
    """A varint read back as Go's int64 (int32 values are sign-extended on the wire)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def fields(buf: bytes | memoryview) -> Iterator[tuple[int, int, int | bytes]]:
    """(number, wire type, value) for each field: an int for varints, the bytes for the
    rest. Groups (wire types 3 and 4, unused by Kubernetes) are an error."""
    i, n = 0, len(buf)
    while i < n:
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire == VARINT:
            value, i = read_varint(buf, i)
            yield number, wire, value
            continue
        if wire == LEN:
            size, i = read_varint(buf, i)
        elif wire == FIXED64:
            size = 8
        elif wire == FIXED32:
            size = 4
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        if i + size > n:
            raise DecodeError("truncated field")
        yield number, wire, bytes(buf[i:i + size])
        i += size
