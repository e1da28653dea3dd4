"""Events about objects, as client-go's tools/record writes them: one Event per new
occurrence, and a patch of count and lastTimestamp for a repeat, so a crash-looping
container yields one Event with a growing count rather than thousands of objects."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

from tugboat.api.meta import K8sModel, now_rfc3339
from tugboat.client.errors import ClientError, NotFound
from tugboat.client.rest import ApiClient, Body

log = logging.getLogger(__name__)


class EventRecorder:
    """Posts core/v1 Events about objects (client-go's EventRecorder): `Scheduled`,
    `FailedScheduling`, `Killing`... A repeat of the same event on the same object is
    aggregated: its count and lastTimestamp are patched instead of posting a new one.
    Recording never raises: an event that cannot be written is logged and dropped."""

    def __init__(self, client: ApiClient, component: str, host: str | None = None,
                 *, remember: int = 4096):
        self.client, self.component, self.host = client, component, host
        self._remember = remember
        self._seen: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()

    def emit(self, obj: Body, event_type: str, reason: str, message: str) -> None:
        """Record in the background (for sync handlers); needs a running loop."""
        task = asyncio.get_running_loop().create_task(
            self.event(obj, event_type, reason, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def event(self, obj: Body, event_type: str, reason: str, message: str
                    ) -> dict[str, Any] | None:
        """Record now; returns the Event written, or None if it could not be."""
        ref = involved_object(obj)
        key = (ref.get("uid"), ref.get("kind"), ref.get("namespace"), ref.get("name"),
               event_type, reason, message)
        try:
            return await self._bump(key) or await self._create(key, ref, event_type,
                                                               reason, message)
        except ClientError as e:
            log.warning("event %s %s on %s/%s dropped: %s", event_type, reason,
                        ref.get("kind"), ref.get("name"), e)
            return None

    async def _bump(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        seen = self._seen.get(key)
        if seen is None:
            return None
        patch = {"count": seen["count"] + 1, "lastTimestamp": now_rfc3339()}
        try:
            written = await self.client.patch("events", seen["name"], patch, seen["namespace"])
        except NotFound:
            del self._seen[key]
            return None
        seen["count"] += 1
        self._seen.move_to_end(key)
        return written

    async def _create(self, key: tuple[Any, ...], ref: dict[str, Any], event_type: str,
                      reason: str, message: str) -> dict[str, Any]:
        now = now_rfc3339()
        namespace = ref.get("namespace") or "default"
        name = f"{ref.get('name', 'unknown')}.{time.time_ns():x}"
        source = {"component": self.component, **({"host": self.host} if self.host else {})}
        body = {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": ref, "reason": reason, "message": message,
                "type": event_type, "source": source, "count": 1,
                "firstTimestamp": now, "lastTimestamp": now,
                "reportingComponent": self.component, "reportingInstance": self.host or ""}
        written = await self.client.create("events", body, namespace)
        self._seen[key] = {"name": name, "namespace": namespace, "count": 1}
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return written


def involved_object(obj: Body) -> dict[str, Any]:
    """An ObjectReference to `obj` (a wire object, a model, or already a reference)."""
    wire = obj.wire() if isinstance(obj, K8sModel) else dict(obj)
    meta = wire.get("metadata")
    if meta is None:  # already a reference
        return {k: v for k, v in wire.items() if v is not None}
    ref = {"apiVersion": wire.get("apiVersion"), "kind": wire.get("kind"),
           "namespace": meta.get("namespace"), "name": meta.get("name"),
           "uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion")}
    return {k: v for k, v in ref.items() if v is not None}
