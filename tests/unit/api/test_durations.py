"""Durations parse as Go's time.ParseDuration and print as kubectl's HumanDuration."""

from __future__ import annotations

import pytest

from tugboat.api.durations import (
    DurationError,
    human_duration,
    parse_duration,
    parse_duration_nanos,
    short_human_duration,
)

S = 1_000_000_000  # nanoseconds per second


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("0", 0),
        ("-0", 0),
        ("+0", 0),
        ("0s", 0),
        ("10s", 10 * S),
        ("5m", 300 * S),
        ("1h", 3600 * S),
        ("1h30m", 5400 * S),
        ("1h1m1s", 3661 * S),
        ("1.5h", 5400 * S),
        ("250ms", 250_000_000),
        ("100ns", 100),
        ("1us", 1000),
        ("1µs", 1000),  # micro sign
        ("1μs", 1000),  # Greek mu
        (".5s", S // 2),
        ("5.s", 5 * S),
        ("1.5s", 3 * S // 2),
        ("-1.5h", -5400 * S),
        ("+5s", 5 * S),
        ("1m0.5s", 60 * S + S // 2),
        ("3h3m3s3ms3us3ns", ((3 * 3600 + 3 * 60 + 3) * S) + 3_003_003),
        ("1.0000000001s", S),  # Go truncates below a nanosecond
        ("0.1234567890123456789s", 123456789),
        ("0000000000000000000000001s", S),  # leading zeros do not overflow
        ("2562047h47m16.854775807s", 2**63 - 1),  # the largest Duration
        ("-2562047h47m16.854775808s", -(2**63)),  # the smallest Duration
    ],
)
def test_parse_duration(text, nanos):
    assert parse_duration_nanos(text) == nanos
    assert parse_duration(text) == nanos / S


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("1", 'time: missing unit in duration "1"'),
        ("-1", 'time: missing unit in duration "-1"'),
        ("1..5s", 'time: missing unit in duration "1..5s"'),
        ("s", 'time: invalid duration "s"'),
        (".s", 'time: invalid duration ".s"'),
        ("-.s", 'time: invalid duration "-.s"'),
        ("-", 'time: invalid duration "-"'),
        ("+", 'time: invalid duration "+"'),
        ("h1", 'time: invalid duration "h1"'),
        ("1.s.", 'time: invalid duration "1.s."'),
        ("1x", 'time: unknown unit "x" in duration "1x"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("1H", 'time: unknown unit "H" in duration "1H"'),
        ("1h 2m", 'time: unknown unit "h " in duration "1h 2m"'),
        ("3000000h", 'time: invalid duration "3000000h"'),
        ("9999999999999999999h", 'time: invalid duration "9999999999999999999h"'),
        ("2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s"'),
        ("1" * 5000 + "s", 'time: invalid duration "' + "1" * 5000 + 's"'),
    ],
)
def test_parse_duration_errors(text, message):
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


MIN, HOUR, DAY, YEAR = 60, 3600, 86400, 365 * 86400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-10, "<invalid>"),
        (-2, "<invalid>"),
        (-1.9, "0s"),  # up to a second of clock skew reads as "now"
        (-1, "0s"),
        (-0.5, "0s"),
        (0, "0s"),
        (0.9, "0s"),
        (1, "1s"),
        (59, "59s"),
        (95, "95s"),
        (119.9, "119s"),
        (2 * MIN, "2m"),
        (2 * MIN + 5, "2m5s"),
        (5 * MIN + 3, "5m3s"),
        (5 * MIN, "5m"),
        (9 * MIN + 59, "9m59s"),
        (10 * MIN, "10m"),
        (10 * MIN + 30, "10m"),
        (45 * MIN, "45m"),
        (3 * HOUR - 1, "179m"),
        (3 * HOUR, "3h"),
        (3 * HOUR + 4 * MIN, "3h4m"),
        (3 * HOUR + 4 * MIN + 59, "3h4m"),
        (8 * HOUR - 1, "7h59m"),
        (8 * HOUR, "8h"),
        (30 * HOUR, "30h"),
        (48 * HOUR - 1, "47h"),
        (48 * HOUR, "2d"),
        (3 * DAY + 5 * HOUR, "3d5h"),
        (3 * DAY, "3d"),
        (8 * DAY - 1, "7d23h"),
        (8 * DAY, "8d"),
        (100 * DAY, "100d"),
        (2 * YEAR - 1, "729d"),
        (2 * YEAR, "2y"),
        (2 * YEAR + 100 * DAY, "2y100d"),
        (8 * YEAR - 1, "7y364d"),
        (8 * YEAR, "8y"),
        (9 * YEAR + 200 * DAY, "9y"),
        (100 * YEAR, "100y"),
    ],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (119, "1m"),
        (59 * MIN + 59, "59m"),
        (HOUR, "1h"),
        (23 * HOUR + 59 * MIN, "23h"),
        (DAY, "1d"),
        (364 * DAY, "364d"),
        (YEAR, "1y"),
        (3 * YEAR + 100 * DAY, "3y"),
    ],
)
def test_short_human_duration(seconds, text):
    assert short_human_duration(seconds) == text
