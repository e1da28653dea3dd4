"""Cron schedules: robfig/cron's fields, descriptors and messages, and next times on a
time zone's wall clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tugboat.api import cronschedule
from tugboat.api.cronschedule import ScheduleError, location, parse

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 7, 10, 58, 30, tzinfo=UTC)  # a Saturday


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("spec", "after", "want"), [
    ("* * * * *", T0, at(2026, 3, 7, 10, 59)),
    ("* * * * *", at(2026, 3, 7, 10, 59), at(2026, 3, 7, 11, 0)),  # strictly after
    ("*/15 * * * *", T0, at(2026, 3, 7, 11, 0)),
    ("5 4 * * *", T0, at(2026, 3, 8, 4, 5)),
    ("0 9 * * 1-5", T0, at(2026, 3, 9, 9, 0)),  # Monday
    ("0 9 * * MON", T0, at(2026, 3, 9, 9, 0)),
    ("0 0 1 jan,JUL ?", T0, at(2026, 7, 1, 0, 0)),
    ("0 0 13 * 5", T0, at(2026, 3, 13, 0, 0)),  # 13th OR Friday: Friday the 13th first
    ("0 0 1 * 5", T0, at(2026, 3, 13, 0, 0)),  # the next Friday before the 1st
    ("0 0 */10 * *", T0, at(2026, 3, 11, 0, 0)),
    ("@hourly", T0, at(2026, 3, 7, 11, 0)),
    ("@daily", T0, at(2026, 3, 8, 0, 0)),
    ("@weekly", T0, at(2026, 3, 8, 0, 0)),
    ("@monthly", T0, at(2026, 4, 1, 0, 0)),
    ("@yearly", T0, at(2027, 1, 1, 0, 0)),
    ("@every 90s", T0, at(2026, 3, 7, 11, 0, 0)),
])
def test_next_after(spec: str, after: dt.datetime, want: dt.datetime) -> None:
    assert parse(spec).next_after(after) == want


def test_schedule_follows_a_time_zone_wall_clock_across_dst() -> None:
    daily = parse("0 9 * * *")
    ny = location("America/New_York")
    assert daily.next_after(at(2026, 3, 7, 0, 0), ny) == at(2026, 3, 7, 14, 0)  # EST
    assert daily.next_after(at(2026, 3, 8, 15, 0), ny) == at(2026, 3, 9, 13, 0)  # EDT
    assert parse("TZ=Asia/Tokyo 0 9 * * *").next_after(T0) == at(2026, 3, 8, 0, 0)


def test_an_impossible_date_has_no_next_time() -> None:
    assert parse("0 0 30 2 *").next_after(T0) is None


@pytest.mark.parametrize(("spec", "message"), [
    ("", "empty spec string"),
    ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
    ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("* 0-24 * * *", "end of range (24) above maximum (23): 0-24"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("* * * * 7", "end of range (7) above maximum (6): 7"),
    ("a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("1/2/3 * * * *", "too many slashes: 1/2/3"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("TZ=Mars/Olympus * * * * *", "provided bad location Mars/Olympus: unknown time zone "
                                  "Mars/Olympus"),
])
def test_parse_errors_are_robfig_crons(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError) as e:
        parse(spec)
    assert str(e.value) == message


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "/etc/localtime", "Local"])
def test_unknown_time_zones(name: str) -> None:
    with pytest.raises(cronschedule.ScheduleError, match=f"unknown time zone {name}"):
        location(name)


def test_utc_and_empty_are_utc() -> None:
    assert location("") is UTC and location(None) is UTC and location("UTC") is UTC
