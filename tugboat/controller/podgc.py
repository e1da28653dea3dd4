"""Pod garbage collection (Kubernetes' PodGC): force-deletes (gracePeriodSeconds=0) the pods
whose kubelet will never confirm their end, and only those — a pod on a node that is merely
unreachable may still be running, so it is left Terminating (nodelifecycle.py).

- Orphaned pods: bound to a Node that no longer exists. The Node must have been missing
  from the cache for a quarantine — `--node-monitor-grace-period`, the time a node may be
  silent before we believe anything about it (Kubernetes uses a fixed 40 s, its default
  grace period) — and a live GET must answer 404, so a Node the cache has not caught up
  with, or one re-registered meanwhile, never costs its pods.
- Terminating pods on a node out of service: the Node carries the
  `node.kubernetes.io/out-of-service` taint and is not Ready — an operator's statement
  that the node is shut down and its workloads stopped (Kubernetes' non-graceful node
  shutdown). Only pods already terminating go (the taint's NoExecute effect makes the pods
  that do not tolerate it so); a pod that tolerates it stays.

Not done, as Kubernetes does: terminated pods beyond --terminated-pod-gc-threshold, and
unscheduled terminating pods (Tugboat's API server deletes an unbound pod at once)."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.client import Conflict, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller, key_of
from tugboat.controller.tainteviction import OUT_OF_SERVICE

log = logging.getLogger(__name__)


def out_of_service(node: Any) -> bool:
    """Tainted out-of-service and not Ready: the node is known to be down."""
    tainted = any(t.key == OUT_OF_SERVICE for t in node.spec.taints or [])
    ready = next((c.status for c in node.status.conditions or [] if c.type == "Ready"), None)
    return tainted and ready != "True"


class PodGCController(Controller):
    """Keyed by node name: each node's bound pods are looked at when the node changes or
    goes, and when one of its pods starts terminating."""

    name = "podgc"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.nodes = self.informer("nodes", on_change=self.enqueue)
        self.pods = self.informer("pods", on_change=self._pod_changed,
                                  on_delete=self._pod_deleted)
        self.bound: dict[str, set[str]] = {}  # node name -> keys of the pods bound to it
        self.missing_since: dict[str, float] = {}  # node name -> our clock when first missed

    def _pod_changed(self, pod: Any) -> None:
        node = pod.spec.nodeName
        if not node:
            return
        self.bound.setdefault(node, set()).add(key_of(pod))
        if pod.metadata.deletionTimestamp is not None or self.nodes.get(node) is None:
            self.queue.add(node)

    def _pod_deleted(self, pod: Any) -> None:
        keys = self.bound.get(pod.spec.nodeName or "")
        if keys is not None:
            keys.discard(key_of(pod))
            if not keys:
                del self.bound[pod.spec.nodeName]

    async def reconcile(self, key: str) -> float | None:
        if not self.bound.get(key):
            self.missing_since.pop(key, None)
            return None
        node = self.nodes.get(key)
        if node is None:
            return await self._orphaned(key)
        self.missing_since.pop(key, None)
        if out_of_service(node):
            await self._force_delete(key, "its node is out of service", terminating_only=True)
        return None

    async def _orphaned(self, node_name: str) -> float | None:
        now = self.ctx.clock()
        since = self.missing_since.setdefault(node_name, now)
        left = since + self.ctx.options.node_monitor_grace_period - now
        if left > 0:
            return left
        try:
            await self.client.get("nodes", node_name)
            self.missing_since.pop(node_name, None)  # it exists: our cache is behind
            return None
        except NotFound:
            pass
        await self._force_delete(node_name, "its node no longer exists", terminating_only=False)
        self.missing_since.pop(node_name, None)
        return None

    async def _force_delete(self, node_name: str, why: str, *, terminating_only: bool) -> None:
        for key in sorted(self.bound.get(node_name, ())):
            pod = self.pods.get_by_key(key)
            if pod is None or (terminating_only and pod.metadata.deletionTimestamp is None):
                continue
            log.info("force-deleting pod %s on node %s: %s", key, node_name, why)
            try:
                await self.client.delete("pods", pod.metadata.name, pod.metadata.namespace,
                                         grace_period_seconds=0,
                                         preconditions={"uid": pod.metadata.uid})
            except (NotFound, Conflict):  # gone already, or a new pod of the same name
                continue
