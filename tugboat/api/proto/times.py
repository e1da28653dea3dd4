"""meta.v1.Time, MicroTime and Duration between their JSON text and the protobuf messages
Kubernetes' own marshallers write for them: Time (RFC 3339 to the second) and MicroTime
(six fractional digits) as a Timestamp {seconds, nanos}, Duration as Go prints a
time.Duration ("1h2m3s") in JSON and its nanoseconds on the wire. Kept apart from the
codec because the text rules are Go's, not the tables'."""

from __future__ import annotations

import calendar
import functools
import re
from datetime import UTC, datetime, timedelta

from tugboat.api.proto.wire import VARINT, DecodeError, fields, length_delimited, signed, varint

ZERO_TIME = -62135596800  # Go's time.Time{}.Unix(): what Go writes for an unset Time
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_timestamp(buf: bytes, micro: bool) -> str | None:
    """A Timestamp's bytes → Time's (or MicroTime's) text; None for Go's zero time."""
    if not buf:  # Go writes a zero Time as an empty message
        return None
    f = {n: v for n, w, v in fields(buf) if w == VARINT}
    seconds, nanos = signed(f.get(1, 0)), signed(f.get(2, 0))
    if seconds == ZERO_TIME and not nanos:
        return None
    try:
        t = EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    except OverflowError:
        raise DecodeError(f"a time out of range ({seconds}s)") from None
    if micro:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=65536)  # an object's timestamps repeat across its versions
def timestamp_bytes(text: str) -> bytes:
    """Time's or MicroTime's text → a length-prefixed Timestamp."""
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        raise ValueError(f"not an RFC 3339 time: {text!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    seconds = calendar.timegm(t.utctimetuple())
    return length_delimited(b"\x08" + varint(seconds) + b"\x10" + varint(t.microsecond * 1000))


def read_duration(buf: bytes) -> str:
    """A Duration's bytes {1: nanoseconds} → Go's text."""
    n = {n: v for n, _w, v in fields(buf)}.get(1, 0)
    return go_duration(signed(n) if isinstance(n, int) else 0)


def duration_bytes(text: str) -> bytes:
    """Go's duration text → a length-prefixed Duration."""
    return length_delimited(b"\x08" + varint(parse_go_duration(text)))


_UNITS = [("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6),
          ("us", 10**3), ("µs", 10**3), ("ns", 1)]
_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(h|ms|m|s|us|µs|ns)")


def go_duration(ns: int) -> str:
    """Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s"."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                return sign + _frac(ns, size) + unit
    h, rest = divmod(ns, 3600 * 10**9)
    m, rest = divmod(rest, 60 * 10**9)
    out = f"{h}h" if h else ""
    out += f"{m}m" if h or m else ""
    return sign + out + _frac(rest, 10**9) + "s"


def _frac(n: int, unit: int) -> str:
    whole, part = divmod(n, unit)
    digits = str(part).rjust(len(str(unit)) - 1, "0").rstrip("0") if part else ""
    return f"{whole}.{digits}" if digits else str(whole)


def parse_go_duration(text: str) -> int:
    """Go's time.ParseDuration: the text → nanoseconds."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    pos, total = 0, 0
    for m in _DURATION.finditer(body):
        if m.start() != pos or m.group(1) in ("", "."):
            raise ValueError(f"invalid duration {text!r}")
        total += round(float(m.group(1)) * dict(_UNITS)[m.group(2)])
        pos = m.end()
    if pos != len(body) or not body:
        raise ValueError(f"invalid duration {text!r}")
    return sign * total
