"""Cron schedules as Kubernetes reads a CronJob's `spec.schedule`: the standard five
fields (minute hour day-of-month month day-of-week) with lists, ranges, steps, month and
weekday names, `?`, the @yearly/@monthly/@weekly/@daily/@hourly descriptors and
`@every <duration>` — robfig/cron's ParseStandard, whose error messages Kubernetes returns
in a 422, so they are kept word for word. `next_after` finds the first matching minute
after an instant, on the wall clock of a time zone (an IANA name, as `spec.timeZone`).

It lives in api/ because both validation (is the schedule parseable?) and the cronjob
controller (when is the next run?) need it, and api/ is what they share.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo

from tugboat.api.durations import parse_duration

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (min, max, names) of each standard field, in order
_BOUNDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 6, _DAYS))
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# A schedule that matches nothing (30 February) is searched this many years ahead.
_YEARS_AHEAD = 5
# Go's time.LoadLocation refuses names with other characters, or `.`/`..` path parts.
_ZONE_PART = re.compile(r"^[A-Za-z0-9.\-_+]+$")


class ScheduleError(ValueError):
    """A schedule robfig/cron cannot parse; str() is its message."""


def location(name: str | None) -> dt.tzinfo:
    """Go's time.LoadLocation: None, "" and "UTC" are UTC; otherwise an IANA name.
    Raises ScheduleError("unknown time zone NAME")."""
    if not name or name == "UTC":
        return dt.timezone.utc
    parts = name.split("/")
    if name.startswith("/") or any(p in (".", "..") or not _ZONE_PART.match(p) for p in parts):
        raise ScheduleError(f"unknown time zone {name}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f"unknown time zone {name}") from None


@dataclasses.dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()  # of the month
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Sunday
    # A `*` or `?` day field: then both day fields must match; else either may.
    any_day: bool = False
    any_weekday: bool = False
    every: float | None = None  # @every: a constant delay in whole seconds
    zone: dt.tzinfo | None = None  # from a TZ=/CRON_TZ= prefix

    def next_after(self, after: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime | None:
        """The first scheduled instant strictly after `after` (aware), on the wall clock
        of `zone` (or the schedule's own TZ= zone, or UTC); None when there is none
        within five years."""
        if self.every is not None:
            return after.replace(microsecond=0) + dt.timedelta(seconds=self.every)
        tz = self.zone or zone or dt.timezone.utc
        wall = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
        wall += dt.timedelta(minutes=1)
        while True:
            found = self._next_wall(wall)
            if found is None:
                return None
            instant = found.replace(tzinfo=tz)
            if instant > after:  # a repeated wall hour (DST ending) can land before
                return instant.astimezone(dt.timezone.utc)
            wall = found + dt.timedelta(minutes=1)

    def _day_matches(self, t: dt.datetime) -> bool:
        dom = t.day in self.days
        dow = (t.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow

    def _next_wall(self, t: dt.datetime) -> dt.datetime | None:
        """robfig/cron's SpecSchedule.Next on naive wall times: move the largest field
        that does not match forward, resetting the smaller ones, and start over when a
        field wraps."""
        limit = t.year + _YEARS_AHEAD
        moved = False
        while t.year <= limit:
            if t.month not in self.months:
                if not moved:
                    moved, t = True, t.replace(day=1, hour=0, minute=0)
                t = (t.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                continue
            if not self._day_matches(t):
                if not moved:
                    moved, t = True, t.replace(hour=0, minute=0)
                t += dt.timedelta(days=1)
                continue
            if t.hour not in self.hours:
                if not moved:
                    moved, t = True, t.replace(minute=0)
                t += dt.timedelta(hours=1)
                continue
            if t.minute not in self.minutes:
                moved = True
                t += dt.timedelta(minutes=1)
                continue
            return t
        return None


def parse(spec: str) -> Schedule:
    """robfig/cron's ParseStandard (with its error messages)."""
    if not spec:
        raise ScheduleError("empty spec string")
    zone = None
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        name = spec[spec.index("=") + 1:space if space >= 0 else len(spec)]
        try:
            zone = location(name)
        except ScheduleError as e:
            raise ScheduleError(f"provided bad location {name}: {e}") from None
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        return _descriptor(spec, zone)
    fields = spec.split()
    if len(fields) != 5:
        raise ScheduleError(f"expected exactly 5 fields, found {len(fields)}: "
                            f"[{' '.join(fields)}]")
    sets = []
    stars = []
    for text, bounds in zip(fields, _BOUNDS, strict=True):
        values, star = _field(text, bounds)
        sets.append(values)
        stars.append(star)
    return Schedule(frozenset(sets[0]), frozenset(sets[1]), frozenset(sets[2]),
                    frozenset(sets[3]), frozenset(sets[4]), stars[2], stars[4], zone=zone)


def _descriptor(spec: str, zone: dt.tzinfo | None) -> Schedule:
    if spec in _DESCRIPTORS:
        return dataclasses.replace(parse(_DESCRIPTORS[spec]), zone=zone)
    if spec.startswith("@every "):
        text = spec[len("@every "):]
        try:
            seconds = parse_duration(text)
        except ValueError as e:
            raise ScheduleError(f"failed to parse duration {spec}: {e}") from None
        # robfig: under a second is a second; otherwise whole seconds
        return Schedule(every=max(1.0, float(int(seconds))), zone=zone)
    raise ScheduleError(f"unrecognized descriptor: {spec}")


def _field(text: str, bounds: tuple[int, int, dict[str, int]]) -> tuple[set[int], bool]:
    values: set[int] = set()
    star = False
    for expr in (p for p in text.split(",") if p):
        got, is_star = _range(expr, bounds)
        values |= got
        star = star or is_star
    return values, star


def _range(expr: str, bounds: tuple[int, int, dict[str, int]]) -> tuple[set[int], bool]:
    low, high, names = bounds
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = low, high, True
    else:
        start = _int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], names)
        else:
            raise ScheduleError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _int(range_and_step[1])
        if len(low_and_high) == 1:  # "N/step" means "N-max/step"
            end = high
        if step > 1:
            star = False
    else:
        raise ScheduleError(f"too many slashes: {expr}")
    if start < low:
        raise ScheduleError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise ScheduleError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise ScheduleError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ScheduleError(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


def _int_or_name(text: str, names: dict[str, int]) -> int:
    value = names.get(text.lower())
    return value if value is not None else _int(text)


def _int(text: str) -> int:
    # Go's strconv.Atoi: an optional sign and ASCII digits, nothing else
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ScheduleError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": '
                            "invalid syntax")
    num = int(text)
    if num < 0:
        raise ScheduleError(f"negative number ({num}) not allowed: {text}")
    return num
