"""Go durations in, kubectl ages out.

Flags that kubectl users write as Go durations (`--timeout=30s`, `--since=1h30m`,
`--request-timeout=1m`) are parsed exactly as Go's time.ParseDuration does, and every
AGE column is printed as k8s.io/apimachinery/pkg/util/duration.HumanDuration prints it, so
`tug get` output lines up with kubectl's character for character.
"""

from __future__ import annotations

import json
from collections.abc import Callable


class DurationError(ValueError):
    """Text that Go's time.ParseDuration would reject (same messages)."""


_NANOS_PER_UNIT = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 micro sign
    "μs": 1_000,  # U+03BC Greek small letter mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_MAX_NANOS = 2**63 - 1  # time.Duration is an int64 count of nanoseconds
_DIGITS = "0123456789"


def _quote(text: str) -> str:
    # Go's strconv.Quote; JSON string syntax agrees with it for printable text.
    return json.dumps(text, ensure_ascii=False)


def parse_duration_nanos(text: str) -> int:
    """Go's time.ParseDuration, as an integer count of nanoseconds."""
    rest, negative = text, False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise DurationError(f"time: invalid duration {_quote(text)}")
    total = 0
    while rest:
        nanos, rest = _parse_component(rest, text)
        total += nanos
        if total > 2**63:
            raise DurationError(f"time: invalid duration {_quote(text)}")
    if total > _MAX_NANOS and not negative:
        raise DurationError(f"time: invalid duration {_quote(text)}")
    return -total if negative else total


def _parse_component(rest: str, text: str) -> tuple[int, str]:
    """One `<digits>[.<digits>]<unit>` piece: its nanoseconds and the text after it."""
    invalid = DurationError(f"time: invalid duration {_quote(text)}")
    if rest[0] != "." and rest[0] not in _DIGITS:
        raise invalid
    whole, rest = _split_while(rest, lambda c: c in _DIGITS)
    fraction = ""
    if rest.startswith("."):
        fraction, rest = _split_while(rest[1:], lambda c: c in _DIGITS)
    if not whole and not fraction:
        raise invalid  # no digits at all, e.g. ".s"
    unit, rest = _split_while(rest, lambda c: c != "." and c not in _DIGITS)
    if not unit:
        raise DurationError(f"time: missing unit in duration {_quote(text)}")
    if unit not in _NANOS_PER_UNIT:
        raise DurationError(f"time: unknown unit {_quote(unit)} in duration {_quote(text)}")
    nanos = _whole_nanos(whole, _NANOS_PER_UNIT[unit], invalid)
    nanos += _fraction_nanos(fraction, _NANOS_PER_UNIT[unit])
    if nanos > 2**63:
        raise invalid
    return nanos, rest


def _split_while(text: str, keep: Callable[[str], bool]) -> tuple[str, str]:
    i = 0
    while i < len(text) and keep(text[i]):
        i += 1
    return text[:i], text[i:]


def _whole_nanos(whole: str, unit: int, invalid: DurationError) -> int:
    if len(whole.lstrip("0")) > 19:  # more than int64 holds (and too long for int())
        raise invalid
    value = int(whole or "0")
    if value > 2**63 // unit:
        raise invalid
    return value * unit


def _fraction_nanos(fraction: str, unit: int) -> int:
    # Go's leadingFraction keeps digits while they fit in 63 bits, then scales with float64;
    # doing the same keeps the rounding of long fractions identical to Go's.
    value, scale = 0, 1.0
    for ch in fraction:
        candidate = value * 10 + int(ch)
        if value > (2**63 - 1) // 10 or candidate > 2**63:
            break
        value, scale = candidate, scale * 10
    return int(value * (unit / scale)) if value else 0


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration in seconds: "10s" -> 10.0, "1h30m" -> 5400.0, "250ms" -> 0.25."""
    if not isinstance(text, str):
        raise DurationError(f"time: invalid duration {_quote(str(text))}")
    return parse_duration_nanos(text) / 1_000_000_000


# ---------------------------------------------------------------------------------------------
# Printing ages


def _whole_seconds(seconds: float) -> int:
    # Go's int(d.Seconds()) truncates toward zero.
    return int(seconds)


def human_duration(seconds: float) -> str:
    """kubectl's AGE text (duration.HumanDuration): about two significant units.

    < -1s "<invalid>" (clock skew up to a second reads as "0s"), < 2m "95s", < 10m "5m3s",
    < 3h "45m", < 8h "3h4m", < 48h "30h", < 8d "3d5h", < 2y "100d", < 8y "2y100d", else "9y".
    """
    whole = _whole_seconds(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    return _minutes_and_up(whole)


def _minutes_and_up(whole: int) -> str:
    minutes, hours = whole // 60, whole // 3600
    if minutes < 10:
        return _pair(minutes, "m", whole % 60, "s")
    if minutes < 3 * 60:
        return f"{minutes}m"
    if hours < 8:
        return _pair(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 8 * 24:
        return _pair(days, "d", hours % 24, "h")
    if hours < 2 * 365 * 24:
        return f"{days}d"
    if hours < 8 * 365 * 24:
        return _pair(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _pair(major: int, major_unit: str, minor: int, minor_unit: str) -> str:
    return f"{major}{major_unit}{minor}{minor_unit}" if minor else f"{major}{major_unit}"


def short_human_duration(seconds: float) -> str:
    """duration.ShortHumanDuration: one unit only ("45s", "3m", "5h", "12d", "2y")."""
    whole = _whole_seconds(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    hours = whole // 3600
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{hours // 24 // 365}y"
