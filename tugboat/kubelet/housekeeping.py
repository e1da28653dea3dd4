"""Housekeeping: the node's containers that belong to no wanted pod (deleted while the
kubelet was down, or a removed manifest) are handed to their pod's worker, which removes
them; and Docker's event stream wakes the worker of each pod whose container died, was
OOM-killed or vanished, instead of polling every pod."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from tugboat.client import Backoff
from tugboat.kubelet.podmanager import PodManager
from tugboat.kubelet.podworkers import PodWorkers
from tugboat.kubelet.runtime import ContainerRuntime, RuntimeFailure, RuntimeUnavailable

log = logging.getLogger(__name__)


async def find_orphans(runtime: ContainerRuntime, node: str, pods: PodManager) -> set[str]:
    """Uids of pods that have containers on this node but are not wanted here."""
    wanted = pods.uids()
    found = await runtime.list_containers(node)
    return {c.pod.uid for c in found
            if c.pod.uid not in wanted and pods.may_clean(c.pod.source)}


async def collect_orphans(runtime: ContainerRuntime, node: str, pods: PodManager,
                          workers: PodWorkers, period: float) -> None:
    while True:
        try:
            orphans = await find_orphans(runtime, node, pods)
            workers.enqueue_all(orphans)
        except (RuntimeUnavailable, RuntimeFailure) as e:
            log.debug("housekeeping skipped: %s", e)
        await asyncio.sleep(period)


async def follow_runtime_events(runtime: ContainerRuntime, node: str, workers: PodWorkers,
                                on_reconnect: Callable[[], None],
                                backoff: Backoff | None = None) -> None:
    """Wake pod workers from the runtime's event stream; reconnect when it breaks, and
    resync everything then (events may have been missed meanwhile)."""
    backoff = backoff or Backoff(0.5, 10.0)
    first = True
    while True:
        try:
            events = runtime.events(node)
            if not first:
                on_reconnect()
            first = False
            async for event in events:
                log.debug("runtime event %s on %s (pod %s)", event.action,
                          event.container_id[:12], event.pod_uid)
                backoff.reset("events")
                workers.enqueue(event.pod_uid)
        except (RuntimeUnavailable, RuntimeFailure) as e:
            log.info("runtime event stream: %s", e)
        await asyncio.sleep(backoff.next("events"))
