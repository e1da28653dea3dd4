"""The CronJob controller (Kubernetes' cronjob_controllerv2): for each CronJob, observe
the Jobs it owns, keep `status.active`, `lastScheduleTime` and `lastSuccessfulTime` true,
trim finished Jobs past the history limits, and — unless suspended — start the Job of
the most recent unmet scheduled time, honouring `startingDeadlineSeconds` and the
concurrency policy (Allow; Forbid skips while one runs; Replace deletes the running ones
first). Then it looks again just after the next scheduled time.

A Job's name comes from its scheduled time, so a Job created just before a crash (or
before the status write landed) is found again as AlreadyExists and adopted into the
active list rather than started twice. Schedules without `spec.timeZone` follow the
controller's own time zone, as kube-controller-manager's do.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from typing import Any

from tugboat.api import cronschedule
from tugboat.api.meta import parse_rfc3339
from tugboat.client import AlreadyExists, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import controller_ref, owned_by
from tugboat.controller.cronjobtiming import (
    TOO_MANY_MISSED,
    ScheduleTooFrequent,
    job_from_template,
    job_name,
    most_recent_schedule_time,
    next_schedule_delay,
)
from tugboat.controller.job import finished
from tugboat.controller.reconciling import Controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]


def local_zone() -> dt.tzinfo:
    """The process's own time zone (TZ, else /etc/localtime), UTC when neither names one."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return zoneinfo.ZoneInfo(name)
        with open("/etc/localtime", "rb") as f:
            return zoneinfo.ZoneInfo.from_file(f)
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return dt.timezone.utc


def job_ref(job: Obj) -> Obj:
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta.get("namespace"), "name": meta["name"],
            "uid": meta.get("uid"), "apiVersion": "batch/v1",
            "resourceVersion": meta.get("resourceVersion")}


def _start_time(job: Any) -> tuple[int, float, str]:
    """byJobStartTime: started Jobs oldest first, then unstarted ones, ties by name."""
    start = job.status.startTime
    when = parse_rfc3339(start).timestamp() if start else 0.0
    return (0 if start else 1, when, job.metadata.name or "")


class CronJobController(Controller):
    name = "cronjob"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.zone = local_zone()
        self.cronjobs = self.informer("cronjobs", on_change=self.enqueue,
                                      on_delete=lambda _c: None)
        self.jobs = self.informer("jobs", on_change=self._job_changed)

    def _job_changed(self, job: Any) -> None:
        ref = controller_ref(job)
        if ref is not None and ref.kind == "CronJob":
            self.queue.add(f"{job.metadata.namespace}/{ref.name}")

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.ctx.wall(), dt.timezone.utc)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        cj = self.cronjobs.get(name, ns)
        if cj is None:
            return None
        jobs = [j for j in self.jobs.list(ns) if owned_by(j, cj)]
        active_uids = {r.uid for r in cj.status.active or []}
        if any(j.metadata.uid not in active_uids and not finished(j) for j in jobs):
            # the cache may not yet hold our own status write; ask the server
            cj = cj.__class__.model_validate(await self.client.get("cronjobs", name, ns))
        status = cj.status.wire()
        before = cj.status.wire()
        await self._clean_up_finished(cj, jobs, status)
        delay = await self._sync(cj, jobs, status)
        status = {k: v for k, v in status.items() if v not in (None, [])}
        if status != {k: v for k, v in before.items() if v not in (None, [])}:
            body = cj.wire()
            body["status"] = status
            await self.client.update_status("cronjobs", body)
        return delay

    # -- observing --------------------------------------------------------------------

    def _observe(self, cj: Any, jobs: list[Any], status: Obj) -> None:
        active = status.setdefault("active", [])
        for job in jobs:
            in_active = any(r.get("uid") == job.metadata.uid for r in active)
            done = finished(job)
            if not in_active and not done:
                self.recorder.emit(cj, "Warning", "UnexpectedJob", "Saw a job that the "
                                   f"controller did not create or forgot: {job.metadata.name}")
            elif in_active and done:
                active[:] = [r for r in active if r.get("uid") != job.metadata.uid]
                self.recorder.emit(cj, "Normal", "SawCompletedJob",
                                   f"Saw completed job: {job.metadata.name}, condition: {done}")
            if done == "Complete" and job.status.completionTime:
                last = status.get("lastSuccessfulTime")
                if last is None or parse_rfc3339(job.status.completionTime) > \
                        parse_rfc3339(last):
                    status["lastSuccessfulTime"] = job.status.completionTime

    async def _forget_missing(self, cj: Any, jobs: list[Any], status: Obj) -> None:
        """Active Jobs that no longer exist (the informer may lag: ask the server)."""
        known = {j.metadata.uid for j in jobs}
        for ref in list(status.get("active") or []):
            if ref.get("uid") in known:
                continue
            try:
                await self.client.get("jobs", ref["name"], ref.get("namespace"))
            except NotFound:
                self.recorder.emit(cj, "Normal", "MissingJob",
                                   f"Active job went missing: {ref['name']}")
                status["active"] = [r for r in status["active"] if r.get("uid") != ref["uid"]]

    # -- history ------------------------------------------------------------------------

    async def _clean_up_finished(self, cj: Any, jobs: list[Any], status: Obj) -> None:
        spec = cj.spec
        for outcome, limit in (("Complete", spec.successfulJobsHistoryLimit),
                               ("Failed", spec.failedJobsHistoryLimit)):
            if limit is None:
                continue
            done = sorted((j for j in jobs if finished(j) == outcome), key=_start_time)
            for job in done[:max(0, len(done) - limit)]:
                await self._delete_job(cj, job.metadata.name, job.metadata.uid, status)

    async def _delete_job(self, cj: Any, name: str, uid: str | None, status: Obj) -> bool:
        try:
            await self.client.delete("jobs", name, cj.metadata.namespace,
                                     propagation_policy="Background")
        except NotFound:
            pass
        except Exception as e:
            self.recorder.emit(cj, "Warning", "FailedDelete", f"Deleted job: {e}")
            return False
        status["active"] = [r for r in status.get("active") or [] if r.get("uid") != uid]
        self.recorder.emit(cj, "Normal", "SuccessfulDelete", f"Deleted job {name}")
        return True

    # -- scheduling ---------------------------------------------------------------------

    async def _sync(self, cj: Any, jobs: list[Any], status: Obj) -> float | None:
        self._observe(cj, jobs, status)
        await self._forget_missing(cj, jobs, status)
        if cj.metadata.deletionTimestamp is not None:
            return None
        try:
            zone = cronschedule.location(cj.spec.timeZone) if cj.spec.timeZone else self.zone
        except cronschedule.ScheduleError as e:
            self.recorder.emit(cj, "Warning", "UnknownTimeZone",
                               f'invalid timeZone: "{cj.spec.timeZone}": {e}')
            return None
        if cj.spec.suspend:
            return None
        try:
            schedule = cronschedule.parse(cj.spec.schedule)
        except cronschedule.ScheduleError as e:
            self.recorder.emit(cj, "Warning", "UnparseableSchedule",
                               f'unparseable schedule: "{cj.spec.schedule}" : {e}')
            return None
        now = self._now()
        # the status we keep is what the next-time arithmetic reads
        view = cj.model_copy(update={"status": cj.status.model_validate(status)})
        try:
            unmet = most_recent_schedule_time(view, now, schedule, zone, with_deadline=True)
        except ScheduleTooFrequent as e:
            self.recorder.emit(cj, "Warning", "InvalidSchedule",
                               f"invalid schedule: {cj.spec.schedule} : {e}")
            return None
        if unmet.missed > TOO_MANY_MISSED:
            self.recorder.emit(cj, "Warning", "TooManyMissedTimes",
                               f"too many missed start times: {unmet.missed}. Set or decrease "
                               ".spec.startingDeadlineSeconds or check clock skew")
        scheduled = unmet.most_recent
        if scheduled is not None:
            await self._start(view, scheduled, now, zone, status)
            view = cj.model_copy(update={"status": cj.status.model_validate(status)})
        return next_schedule_delay(view, now, schedule, zone)

    async def _start(self, cj: Any, scheduled: dt.datetime, now: dt.datetime,
                     zone: dt.tzinfo, status: Obj) -> None:
        deadline = cj.spec.startingDeadlineSeconds
        if deadline is not None and scheduled + dt.timedelta(seconds=deadline) < now:
            self.recorder.emit(cj, "Warning", "MissSchedule",
                               "Missed scheduled time to start a job: "
                               + scheduled.strftime("%a, %d %b %Y %H:%M:%S +0000"))
            return
        name = job_name(cj.metadata.name, scheduled)
        last = status.get("lastScheduleTime")
        if any(r.get("name") == name for r in status.get("active") or []) or (
                last and parse_rfc3339(last) == scheduled):
            return  # this scheduled time is already processed
        policy = cj.spec.concurrencyPolicy
        if policy == "Forbid" and status.get("active"):
            self.recorder.emit(cj, "Normal", "JobAlreadyActive", "Not starting job because "
                               "prior execution is running and concurrency policy is Forbid")
            return
        if policy == "Replace":
            for ref in list(status.get("active") or []):
                if not await self._delete_job(cj, ref["name"], ref.get("uid"), status):
                    raise RuntimeError(f"could not replace job {ref['namespace']}/"
                                       f"{ref['name']}")
        job = await self._create_job(cj, scheduled, zone, status)
        if job is None:
            return
        status["active"] = [*(status.get("active") or []), job_ref(job)]
        status["lastScheduleTime"] = scheduled.strftime("%Y-%m-%dT%H:%M:%SZ")

    async def _create_job(self, cj: Any, scheduled: dt.datetime, zone: dt.tzinfo,
                          status: Obj) -> Obj | None:
        body = job_from_template(cj, scheduled, zone)
        ns = cj.metadata.namespace
        try:
            job = await self.client.create("jobs", body, ns)
        except AlreadyExists:
            job = await self.client.get("jobs", body["metadata"]["name"], ns)
            refs = (job.get("metadata") or {}).get("ownerReferences") or []
            if not any(r.get("controller") and r.get("uid") == cj.metadata.uid for r in refs):
                raise RuntimeError(f"job {ns}/{body['metadata']['name']} already exists but "
                                   f"is not owned by cronjob {ns}/{cj.metadata.name}") from None
            if any(r.get("uid") == job["metadata"].get("uid")
                   for r in status.get("active") or []):
                return None
            return job
        except Exception as e:
            self.recorder.emit(cj, "Warning", "FailedCreate", f"Error creating job: {e}")
            raise
        self.recorder.emit(cj, "Normal", "SuccessfulCreate", f"Created job {job['metadata']['name']}")
        return job
