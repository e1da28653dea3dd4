"""Mirror pods: the API server's read-only copies of this node's static pods, so `kubectl
get pods` shows them and their status. Each carries the annotation
`kubernetes.io/config.mirror` with its static pod's hash. Reconciled whenever the static
set or the mirrors change: a missing mirror is created, a mirror of an outdated manifest
or one a user deleted is removed (and then recreated); the static pod keeps running
throughout. Needs the API server; without it static pods simply run unmirrored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from tugboat.api.core import Pod
from tugboat.client import AlreadyExists, ApiClient, ClientError, Conflict, NotFound
from tugboat.kubelet.podmanager import MIRROR_ANNOTATION, PodManager, full_name
from tugboat.kubelet.waiting import wait_event

log = logging.getLogger(__name__)


def mirror_body(static: Pod, node_uid: str) -> dict:
    """The mirror of a static pod, owned by this node's Node object as Kubernetes' kubelet
    makes it: NodeRestriction lets a kubelet create only mirror pods its own Node owns."""
    wire = static.wire()
    meta = wire["metadata"]
    meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node",
                                "name": wire["spec"].get("nodeName") or "", "uid": node_uid,
                                "controller": True}]
    for key in ("uid", "resourceVersion", "creationTimestamp", "generation"):
        meta.pop(key, None)
    meta["annotations"] = {**meta.get("annotations", {}),
                           MIRROR_ANNOTATION: static.metadata.uid or ""}
    wire.pop("status", None)
    return wire


def is_current(mirror: Pod, static: Pod | None) -> bool:
    if static is None or mirror.metadata.deletionTimestamp:
        return False
    return (mirror.metadata.annotations or {}).get(MIRROR_ANNOTATION) == static.metadata.uid


class MirrorPods:
    def __init__(self, client: ApiClient, pods: PodManager,
                 node_uid: Callable[[], str | None]):
        self.client, self.pods, self.node_uid = client, pods, node_uid
        self.wake = asyncio.Event()

    async def run(self, period: float = 30.0) -> None:
        while True:
            await wait_event(self.wake, period)
            if not self.pods.api_synced:
                continue
            try:
                await self.reconcile()
            except ClientError as e:
                log.info("mirror pods not reconciled (will retry): %s", e)
                await asyncio.sleep(1.0)
                self.wake.set()

    async def reconcile(self) -> None:
        statics = {full_name(p): p for p in self.pods.static_pods()}
        for mirror in self.pods.mirror_pods():
            if not is_current(mirror, statics.get(full_name(mirror))):
                await self._delete(mirror)
        for static in statics.values():
            if self.pods.mirror_of(static) is None:
                await self._create(static)

    async def _delete(self, mirror: Pod) -> None:
        log.info("deleting mirror pod %s/%s", *full_name(mirror))
        with contextlib.suppress(NotFound, Conflict):
            await self.client.delete("pods", mirror.metadata.name or "",
                                     mirror.metadata.namespace, grace_period_seconds=0,
                                     preconditions={"uid": mirror.metadata.uid or ""})

    async def _create(self, static: Pod) -> None:
        node_uid = self.node_uid()
        if node_uid is None:  # the mirror is owned by the Node: register it first
            raise ClientError("the node is not registered yet")
        log.info("creating mirror pod %s/%s", *full_name(static))
        with contextlib.suppress(AlreadyExists):
            await self.client.create("pods", mirror_body(static, node_uid),
                                     static.metadata.namespace)
