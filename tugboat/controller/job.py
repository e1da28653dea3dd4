"""The Job controller: runs pods to completion — `parallelism` at a time until
`completions` have succeeded (or, with no completions, until one has succeeded and the
rest have finished); failed pods are replaced after an exponential delay (10s, doubling,
capped at 6 min) until `backoffLimit` is passed (with restartPolicy OnFailure, container
restarts count too); `activeDeadlineSeconds` bounds the whole run. A finished job gets a
Complete or Failed condition and keeps its finished pods; ttl-after-finished removes it."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.controller.conditions import stamp
from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import RefManager
from tugboat.controller.podconditions import deletion_rank, is_active, is_ready, restart_count
from tugboat.controller.replicaset import ReplicaSetController

log = logging.getLogger(__name__)

BACKOFF_BASE, BACKOFF_CAP = 10.0, 360.0


def finished(job: Any) -> str | None:
    """"Complete" or "Failed" once the job has that condition, else None."""
    for c in job.status.conditions or []:
        if c.type in ("Complete", "Failed") and c.status == "True":
            return c.type
    return None


def past_backoff_limit(job: Any, failed: int, active: list[Any]) -> bool:
    limit = job.spec.backoffLimit if job.spec.backoffLimit is not None else 6
    if failed > limit:
        return True
    if job.spec.template.spec.restartPolicy != "OnFailure":
        return False
    restarts = sum(restart_count(p) for p in active if p.status.phase in (None, "Pending",
                                                                          "Running"))
    return restarts > 0 if limit == 0 else restarts >= limit


def wanted_active(job: Any, succeeded: int, active: int) -> int:
    if job.spec.suspend:
        return 0
    parallelism = job.spec.parallelism if job.spec.parallelism is not None else 1
    if job.spec.completions is None:
        return active if succeeded > 0 else parallelism
    return max(0, min(job.spec.completions - succeeded, parallelism))


def is_complete(job: Any, succeeded: int, active: int) -> bool:
    if job.spec.completions is None:
        return succeeded > 0 and active == 0
    return succeeded >= job.spec.completions


class JobController(ReplicaSetController):
    """Shares the ReplicaSet controller's pod bookkeeping (events, expectations,
    creation in batches); only the reconcile differs."""

    name = "job"
    resource = "jobs"
    kind = "Job"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (failed count, when seen)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        job = self.owners.get(name, ns)
        if job is None:
            self.expectations.forget(key)
            self._failures.pop(key, None)
            return None
        if finished(job):
            return None
        refs = RefManager(self.client, job, self.selector(job), "pods", self.resource)
        pods = await refs.claim(list(self.pods.list(ns)))
        active = [p for p in pods if is_active(p)]
        succeeded = sum(1 for p in pods if p.status.phase == "Succeeded")
        failed = sum(1 for p in pods if p.status.phase == "Failed")
        now = self.ctx.wall()
        start = job.status.startTime or stamp(now)
        failure, requeue = self._failure(job, failed, active, start, now)
        if failure is not None or is_complete(job, succeeded, len(active)):
            await self._delete(key, job, active)
            active = []
        elif self.expectations.satisfied(key) and job.metadata.deletionTimestamp is None:
            requeue = _earliest(requeue, await self._manage_job(key, job, active, succeeded,
                                                                failed))
        await self._write_status(job, active, succeeded, failed, start, failure, now)
        return requeue

    def _failure(self, job: Any, failed: int, active: list[Any], start: str, now: float
                 ) -> tuple[tuple[str, str] | None, float | None]:
        if past_backoff_limit(job, failed, active):
            return ("BackoffLimitExceeded", "Job has reached the specified backoff limit"), None
        deadline = job.spec.activeDeadlineSeconds
        if deadline is not None:
            left = parse_rfc3339(start).timestamp() + deadline - now
            if left <= 0:
                return ("DeadlineExceeded", "Job was active longer than specified deadline"), \
                    None
            return None, left + 0.1
        return None, None

    async def _manage_job(self, key: str, job: Any, active: list[Any], succeeded: int,
                          failed: int) -> float | None:
        want = wanted_active(job, succeeded, len(active))
        if len(active) > want:
            await self._delete(key, job, sorted(active, key=deletion_rank)[:len(active) - want])
        elif len(active) < want:
            wait = self._backoff_left(key, failed)
            if wait > 0:
                return wait
            await self._create(key, job, want - len(active))
        return None

    def _backoff_left(self, key: str, failed: int) -> float:
        """Delay before replacing failed pods: 10s × 2^(failures-1), from the moment the
        latest failure was seen."""
        if failed == 0:
            return 0.0
        seen = self._failures.get(key)
        now = self.ctx.clock()
        if seen is None or seen[0] != failed:
            seen = self._failures[key] = (failed, now)
        delay = min(BACKOFF_BASE * 2 ** (failed - 1), BACKOFF_CAP)
        return seen[1] + delay - now

    async def _write_status(self, job: Any, active: list[Any], succeeded: int, failed: int,
                            start: str, failure: tuple[str, str] | None, now: float) -> None:
        status = job.status.wire()
        status.update(active=len(active), succeeded=succeeded, failed=failed,
                      ready=sum(1 for p in active if is_ready(p)), startTime=start)
        conds = list(status.get("conditions") or [])
        when = stamp(now)
        if failure is not None:
            conds.append({"type": "Failed", "status": "True", "reason": failure[0],
                          "message": failure[1], "lastProbeTime": when,
                          "lastTransitionTime": when})
            self.recorder.emit(job, "Warning", failure[0], failure[1])
        elif is_complete(job, succeeded, len(active)):
            conds.append({"type": "Complete", "status": "True", "lastProbeTime": when,
                          "lastTransitionTime": when})
            status["completionTime"] = when
            self.recorder.emit(job, "Normal", "Completed", "Job completed")
        status["conditions"] = conds or None
        status = {k: v for k, v in status.items() if v is not None}
        if status != job.status.wire():
            body = job.wire()
            body["status"] = status
            await self.client.update_status(self.resource, body)


def _earliest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)
