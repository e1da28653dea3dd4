"""The TTL-after-finished controller: deletes a Job `ttlSecondsAfterFinished` seconds
after it completed or failed, with background propagation so the garbage collector takes
its pods. A job not yet due is looked at again when it will be."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.client import NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.job import finished
from tugboat.controller.reconciling import Controller


def finish_time(job: Any) -> float | None:
    for c in job.status.conditions or []:
        if c.type in ("Complete", "Failed") and c.status == "True":
            stamp = c.lastTransitionTime or job.status.completionTime
            return parse_rfc3339(stamp).timestamp() if stamp else None
    return None


class TTLAfterFinishedController(Controller):
    name = "ttl-after-finished"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.jobs = self.informer("jobs", on_change=self._changed, on_delete=lambda _j: None)

    def _changed(self, job: Any) -> None:
        if job.spec.ttlSecondsAfterFinished is not None and finished(job):
            self.enqueue(job)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        job = self.jobs.get(name, ns)
        if job is None or job.metadata.deletionTimestamp is not None:
            return None
        ttl = job.spec.ttlSecondsAfterFinished
        done = finish_time(job)
        if ttl is None or done is None:
            return None
        left = done + ttl - self.ctx.wall()
        if left > 0:
            return left
        try:
            await self.client.delete("jobs", name, ns, propagation_policy="Background",
                                     preconditions={"uid": job.metadata.uid})
        except NotFound:
            pass
        return None
