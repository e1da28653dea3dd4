"""Pod status to the API server, written only when it changes (the kubelet's status manager).

Pod workers `set` the status they computed; a write is queued only when it differs from
what the API server holds (the informer's copy, or our own last write while the informer
catches up). Writer tasks send the latest status per pod — several quick changes coalesce
into one write — as a JSON patch on `pods/{name}/status` that first tests the pod's uid, so
a status never lands on a new pod that reused the name. Static pods' statuses go to their
mirror pods. Failed writes are retried with backoff; the pod worker never waits on them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tugboat.api.core import Pod, PodStatus
from tugboat.client import (
    ApiClient,
    ClientError,
    Conflict,
    ExponentialRateLimiter,
    Invalid,
    NotFound,
    ShutDown,
    WorkQueue,
)

log = logging.getLogger(__name__)

Target = Callable[[Pod], Pod | None]  # the API object a pod's status goes to


class StatusManager:
    def __init__(self, client: ApiClient | None, target: Target, *, writers: int = 8):
        self.client, self.target, self.writers = client, target, writers
        self._cache: dict[str, PodStatus] = {}
        self._desired: dict[str, tuple[Pod, dict[str, Any]]] = {}
        self._written: dict[str, tuple[dict[str, Any], int]] = {}  # status, resourceVersion
        self.queue: WorkQueue = WorkQueue(ExponentialRateLimiter(0.1, 10.0), name="status")
        self.writes = 0

    def current(self, pod: Pod) -> PodStatus:
        """The status the kubelet last computed, else what the API server has."""
        cached = self._cache.get(pod.metadata.uid or "")
        if cached is not None:
            return cached
        api = self.target(pod)
        return (api or pod).status

    def set(self, pod: Pod, status: PodStatus) -> None:
        uid = pod.metadata.uid or ""
        self._cache[uid] = status
        wire = status.wire()
        if self._up_to_date(pod, wire):
            self._desired.pop(uid, None)
            return
        self._desired[uid] = (pod, wire)
        self.queue.add(uid)

    def _up_to_date(self, pod: Pod, wire: dict[str, Any]) -> bool:
        api = self.target(pod)
        if api is None:
            return False
        if api.status.wire() == wire:
            return True
        written = self._written.get(pod.metadata.uid or "")
        if written is None or written[0] != wire:
            return False
        # Our own write, not yet seen by the informer: equal unless someone wrote since.
        return int(api.metadata.resourceVersion or 0) < written[1]

    def forget(self, uid: str) -> None:
        self._cache.pop(uid, None)
        self._desired.pop(uid, None)
        self._written.pop(uid, None)

    async def run(self) -> None:
        await asyncio.gather(*(self._writer() for _ in range(self.writers)))

    def stop(self) -> None:
        self.queue.shutdown()

    async def _writer(self) -> None:
        while True:
            try:
                uid = await self.queue.get()
            except ShutDown:
                return
            try:
                await self._write(str(uid))
                self.queue.forget(uid)
            except ClientError as e:
                log.info("status of pod %s not written (will retry): %s", uid, e)
                self.queue.add_rate_limited(uid)
            except Exception:
                log.exception("status of pod %s not written", uid)
                self.queue.add_rate_limited(uid)
            finally:
                self.queue.done(uid)

    async def _write(self, uid: str) -> None:
        desired = self._desired.get(uid)
        if desired is None or self.client is None:
            return
        pod, wire = desired
        api = self.target(pod)
        if api is None:
            return  # no API object yet (a mirror pod not created yet): set() comes again
        patch = [{"op": "test", "path": "/metadata/uid", "value": api.metadata.uid},
                 {"op": "replace", "path": "/status", "value": wire}]
        try:
            written = await self.client.patch("pods", api.metadata.name or "", patch,
                                              api.metadata.namespace, patch_type="json",
                                              subresource="status")
        except (NotFound, Invalid):
            self._desired.pop(uid, None)  # gone, or the name now belongs to another pod
            return
        except Conflict:
            raise
        self.writes += 1
        rv = int((written.get("metadata") or {}).get("resourceVersion") or 0)
        self._written[uid] = (wire, rv)
        if self._desired.get(uid, (None, None))[1] is wire:
            del self._desired[uid]

    async def delete_pod(self, pod: Pod) -> None:
        """Remove a terminated pod's object (gracePeriodSeconds=0, only this uid)."""
        if self.client is None:
            return
        try:
            await self.client.delete("pods", pod.metadata.name or "", pod.metadata.namespace,
                                     grace_period_seconds=0,
                                     preconditions={"uid": pod.metadata.uid or ""})
        except (NotFound, Conflict):
            pass
