"""Reporting scheduling outcomes to the API, off the scheduling path: the `Scheduled` and
`FailedScheduling` events and the pod's PodScheduled=False condition.

Writes go through a bounded queue served by a few workers (client-go's event broadcaster
does the same): a burst of a thousand failures becomes a steady trickle of requests
instead of a thousand requests fighting over the HTTP connection pool, and when the
queue is full the oldest concern — an event — is dropped and counted, never the
scheduling. Bindings do not come here; they are the scheduler's own cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tugboat.api.core import Pod
from tugboat.api.meta import now_rfc3339
from tugboat.client import ClientError
from tugboat.scheduler.framework import PodInfo

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[Any]]


def pod_reference(pod: PodInfo) -> dict[str, Any]:
    """The Event's involvedObject, built without dumping the whole pod."""
    ref = {"apiVersion": "v1", "kind": "Pod", "namespace": pod.namespace, "name": pod.name,
           "uid": pod.uid, "resourceVersion": pod.pod.metadata.resourceVersion}
    return {k: v for k, v in ref.items() if v}


def pod_scheduled_patch(pod: Pod, reason: str, message: str) -> dict[str, Any] | None:
    """A strategic-merge patch setting PodScheduled=False, or None if already so."""
    old = next((c for c in pod.status.conditions or () if c.type == "PodScheduled"), None)
    if old is not None and (old.status, old.reason, old.message) == ("False", reason, message):
        return None
    since = old.lastTransitionTime if old is not None and old.status == "False" else None
    condition = {"type": "PodScheduled", "status": "False", "reason": reason,
                 "message": message, "lastProbeTime": None,
                 "lastTransitionTime": since or now_rfc3339()}
    return {"status": {"conditions": [condition]}}


class Reporter:
    def __init__(self, client: Any, recorder: Any, *, workers: int = 4,
                 capacity: int = 1000):
        self.client, self.recorder = client, recorder
        self.dropped = 0
        self._queue: asyncio.Queue[Write] = asyncio.Queue(capacity)
        self._workers = workers
        self._tasks: list[asyncio.Task[None]] = []

    def scheduled(self, pod: PodInfo, node: str) -> None:
        ref = pod_reference(pod)
        message = f"Successfully assigned {pod.key} to {node}"
        self._submit(lambda: self.recorder.event(ref, "Normal", "Scheduled", message))

    def failed(self, pod: PodInfo, current: Pod, reason: str, message: str) -> None:
        """FailedScheduling, and PodScheduled=False unless the pod already says so."""
        ref = pod_reference(pod)
        self._submit(lambda: self.recorder.event(ref, "Warning", "FailedScheduling", message))
        patch = pod_scheduled_patch(current, reason, message)
        if patch is not None:
            self._submit(lambda: self._patch_status(pod, patch))

    async def _patch_status(self, pod: PodInfo, patch: dict[str, Any]) -> None:
        try:
            await self.client.patch("pods", pod.name, patch, pod.namespace,
                                    patch_type="strategic", subresource="status")
        except ClientError as e:
            log.warning("cannot set PodScheduled on %s: %s", pod.key, e)

    def _submit(self, write: Write) -> None:
        if not self._tasks:
            self.start()
        try:
            self._queue.put_nowait(write)
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("report queue full: dropped a write (%d so far)", self.dropped)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._work(), name=f"report-{i}")
                       for i in range(self._workers)]

    async def _work(self) -> None:
        while True:
            write = await self._queue.get()
            try:
                await write()
            except Exception:  # recording never takes the scheduler down
                log.exception("report failed")
            finally:
                self._queue.task_done()

    async def flush(self) -> None:
        """Wait until every queued write has been sent."""
        if self._tasks:
            await self._queue.join()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
