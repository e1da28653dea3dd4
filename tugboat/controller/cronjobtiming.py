"""When a CronJob runs (Kubernetes' cronjob_controllerv2 utils): the most recent scheduled
time it has not yet started, how many it missed, how long until the next one, and the Job
made for a scheduled time. Pure functions of the CronJob, the schedule and `now`, so the
controller's clock is the only clock and unit tests move it freely.

The window of unmet times opens at the last scheduled time (or the CronJob's creation)
and — for deciding what to start — no earlier than `now - startingDeadlineSeconds`. More
than 100 unmet times means the controller was down or the clock jumped; it warns and
still starts only the most recent one, as Kubernetes does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tugboat.api.batch import CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION
from tugboat.api.cronschedule import Schedule
from tugboat.api.meta import parse_rfc3339
from tugboat.controller.controllerref import new_controller_ref

TOO_MANY_MISSED = 100
# Requeue a little after the scheduled instant, so the next look finds it due.
NEXT_SCHEDULE_DELTA = 0.1


class ScheduleTooFrequent(ValueError):
    """Two consecutive scheduled times less than a second apart."""


@dataclass(frozen=True)
class Unmet:
    earliest: dt.datetime  # where the window of unmet times opens
    most_recent: dt.datetime | None  # the latest scheduled time in (earliest, now]
    missed: int  # how many scheduled times fell in the window (estimated, as Kubernetes)


def _time(value: str | None) -> dt.datetime | None:
    return parse_rfc3339(value) if value else None


def most_recent_schedule_time(cj: Any, now: dt.datetime, schedule: Schedule,
                              zone: dt.tzinfo, with_deadline: bool) -> Unmet:
    earliest = _time(cj.status.lastScheduleTime) or _time(cj.metadata.creationTimestamp) or now
    deadline = cj.spec.startingDeadlineSeconds
    if with_deadline and deadline is not None:
        earliest = max(earliest, now - dt.timedelta(seconds=deadline))
    t1 = schedule.next_after(earliest, zone)
    if t1 is None or now < t1:
        return Unmet(earliest, None, 0)
    t2 = schedule.next_after(t1, zone)
    if t2 is None or now < t2:
        return Unmet(earliest, t1, 1)
    between = round((t2 - t1).total_seconds())
    if between < 1:
        raise ScheduleTooFrequent("time difference between two schedules is less than 1 second")
    missed = int((now - t1).total_seconds()) // between + 1
    # Jump close to now by whole intervals, then walk: exact for regular schedules, and a
    # walk of a few steps for irregular ones (30 6-16/4 * * 1-5).
    most_recent = t2
    t = schedule.next_after(t1 + dt.timedelta(seconds=(missed - 2) * between), zone)
    while t is not None and t <= now:
        most_recent = max(most_recent, t)
        t = schedule.next_after(t, zone)
    return Unmet(earliest, most_recent, missed)


def next_schedule_delay(cj: Any, now: dt.datetime, schedule: Schedule, zone: dt.tzinfo
                        ) -> float | None:
    """Seconds until the scheduled time after the most recent one (None: never again)."""
    try:
        unmet = most_recent_schedule_time(cj, now, schedule, zone, with_deadline=False)
    except ScheduleTooFrequent:
        return NEXT_SCHEDULE_DELTA
    after = unmet.most_recent or unmet.earliest
    nxt = schedule.next_after(after, zone)
    if nxt is None:
        return None
    return (nxt - now).total_seconds() + NEXT_SCHEDULE_DELTA


def job_name(cron_job_name: str, scheduled: dt.datetime) -> str:
    """`<cronjob>-<scheduled minutes since the epoch>`: the same scheduled time always
    names the same Job, so a restarted controller cannot start it twice."""
    return f"{cron_job_name}-{int(scheduled.timestamp()) // 60}"


def go_rfc3339(when: dt.datetime) -> str:
    """Go's time.RFC3339: `Z` for UTC, else the offset as +hh:mm."""
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    offset = when.utcoffset() or dt.timedelta(0)
    if not offset:
        return text + "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def job_from_template(cj: Any, scheduled: dt.datetime, zone: dt.tzinfo) -> dict[str, Any]:
    """getJobFromTemplate2: the template's labels, annotations and spec, the scheduled
    time (in the CronJob's own time zone, UTC when it has none) and a controller ref."""
    template = cj.spec.jobTemplate.wire()
    meta = template.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = go_rfc3339(scheduled.astimezone(zone))
    metadata: dict[str, Any] = {"name": job_name(cj.metadata.name, scheduled),
                                "namespace": cj.metadata.namespace,
                                "annotations": annotations,
                                "ownerReferences": [new_controller_ref(cj)]}
    if meta.get("labels"):
        metadata["labels"] = dict(meta["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
            "spec": template.get("spec") or {}}
