"""Pod workers: one serialized sync per pod, many pods in parallel (pod_workers.go).

Everything that may change what a pod needs — the informer, the manifest folder, Docker's
event stream, probe results, a backoff ending, the periodic resync — only calls
`enqueue(uid)`. The work queue hands a uid to one worker at a time and folds repeated
wake-ups into one more sync, so a pod is never synced by two workers at once and a burst
of events costs one sync. A sync that fails is retried with a per-pod backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from tugboat.client import ExponentialRateLimiter, ShutDown, WorkQueue
from tugboat.kubelet.runtime import RuntimeUnavailable

log = logging.getLogger(__name__)

Sync = Callable[[str], Awaitable[float | None]]
Observe = Callable[[float, bool], None]  # duration, succeeded


class PodWorkers:
    def __init__(self, sync: Sync, *, concurrency: int = 32, observe: Observe | None = None):
        self.sync, self.concurrency = sync, concurrency
        self.observe = observe or (lambda _s, _ok: None)
        self.queue = WorkQueue(ExponentialRateLimiter(0.2, 30.0), name="pods")

    def enqueue(self, uid: str) -> None:
        if uid:
            self.queue.add(uid)

    def enqueue_all(self, uids: Iterable[str]) -> None:
        for uid in uids:
            self.enqueue(uid)

    def enqueue_after(self, uid: str, delay: float) -> None:
        self.queue.add_after(uid, delay)

    async def run(self) -> None:
        await asyncio.gather(*(self._worker() for _ in range(self.concurrency)))

    def stop(self) -> None:
        self.queue.shutdown()

    async def _worker(self) -> None:
        while True:
            try:
                uid = await self.queue.get()
            except ShutDown:
                return
            started = time.perf_counter()
            ok = False
            try:
                again = await self.sync(str(uid))
                ok = True
                self.queue.forget(uid)
                if again is not None:
                    self.queue.add_after(uid, again)
            except RuntimeUnavailable as e:
                log.warning("sync of pod %s: %s", uid, e)
                self.queue.add_rate_limited(uid)
            except Exception:
                log.exception("sync of pod %s failed", uid)
                self.queue.add_rate_limited(uid)
            finally:
                self.queue.done(uid)
                took = time.perf_counter() - started
                log.debug("synced pod %s in %.3fs", uid, took)
                self.observe(took, ok)


async def resync_periodically(workers: PodWorkers, uids: Callable[[], Iterable[str]],
                              period: float) -> None:
    """The safety net of a level-triggered loop: every pod is synced every `period`."""
    while True:
        await asyncio.sleep(period)
        workers.enqueue_all(uids())
