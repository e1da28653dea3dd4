"""The node lifecycle controller: a node whose kubelet has stopped renewing its Lease (in
kube-node-lease) and posting status for `--node-monitor-grace-period` is marked
unreachable — its conditions become Unknown, it gets the `node.kubernetes.io/unreachable`
taint (NoSchedule and NoExecute), and its pods become phase Unknown and not Ready (S2).
After `--pod-eviction-timeout` its pods are deleted so their controllers replace them on
other nodes; a pod that tolerates the NoExecute taint stays for its tolerationSeconds, or
for good (daemon pods). When the kubelet comes back the taint is removed and the kubelet's
own status reports take over.

Staleness is judged by this process's clock — how long since it saw the Lease or the
node's heartbeat change — never by comparing another host's timestamps with ours.

Eviction deletes with gracePeriodSeconds=0: the pod's kubelet is unreachable and cannot
acknowledge a graceful deletion, and the pod must leave the API for its replacement to be
counted cleanly. (Kubernetes deletes gracefully and its pod GC force-deletes later; when a
kubelet returns it removes containers whose pods no longer exist.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tugboat.client import NotFound
from tugboat.controller.conditions import stamp
from tugboat.controller.context import ControllerContext
from tugboat.controller.daemonpods import tolerates
from tugboat.controller.podconditions import is_terminal
from tugboat.controller.reconciling import Controller

log = logging.getLogger(__name__)

UNREACHABLE = "node.kubernetes.io/unreachable"
NODE_LEASE_NAMESPACE = "kube-node-lease"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")


@dataclass
class NodeHealth:
    signature: tuple[Any, ...]  # what changes whenever the kubelet reports in
    seen_at: float  # our clock when the signature last changed
    unreachable_since: float | None = None


class NodeLifecycleController(Controller):
    name = "nodelifecycle"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.nodes = self.informer("nodes", on_change=self.enqueue,
                                   on_delete=self._node_deleted)
        self.leases = self.informer("leases", NODE_LEASE_NAMESPACE,
                                    on_change=lambda lease: self.queue.add(lease.metadata.name))
        self.pods = self.informer("pods")
        self.health: dict[str, NodeHealth] = {}

    def _node_deleted(self, node: Any) -> None:
        self.health.pop(node.metadata.name, None)

    def _signature(self, node: Any) -> tuple[Any, ...]:
        lease = self.leases.get(node.metadata.name, NODE_LEASE_NAMESPACE)
        renew = lease.spec.renewTime if lease is not None else None
        ready = next((c for c in node.status.conditions or [] if c.type == "Ready"), None)
        # lastHeartbeatTime only: this controller never writes it, so its own writes
        # cannot look like the kubelet reporting in.
        return renew, ready.lastHeartbeatTime if ready is not None else None

    def _observe(self, node: Any) -> NodeHealth:
        now = self.ctx.clock()
        sig = self._signature(node)
        health = self.health.get(node.metadata.name)
        if health is None:
            health = self.health[node.metadata.name] = NodeHealth(sig, now)
        elif sig != health.signature:
            health.signature, health.seen_at = sig, now
        return health

    async def reconcile(self, key: str) -> float | None:
        node = self.nodes.get(key)
        if node is None:
            self.health.pop(key, None)
            return None
        opts = self.ctx.options
        health = self._observe(node)
        now = self.ctx.clock()
        stale_for = now - health.seen_at
        if stale_for <= opts.node_monitor_grace_period:
            health.unreachable_since = None
            await self._set_taint(node, present=False)
            return opts.node_monitor_grace_period - stale_for + opts.node_monitor_period
        if health.unreachable_since is None:
            health.unreachable_since = now
            log.warning("node %s: no heartbeat for %.0fs; marking it unreachable", key,
                        stale_for)
            self.recorder.emit(node, "Normal", "NodeNotReady",
                               f"Node {key} status is now: NodeNotReady")
        await self._mark_unknown(node)
        await self._set_taint(node, present=True)
        pods = [p for p in self.pods.list() if p.spec.nodeName == key and not is_terminal(p)]
        await self._mark_pods(pods)
        wait = await self._evict(pods, now - health.unreachable_since)
        return min(opts.node_monitor_period, wait) if wait is not None else \
            opts.node_monitor_period

    async def _mark_unknown(self, node: Any) -> None:
        conds = [c.wire() for c in node.status.conditions or []]
        if conds and all(c["status"] == "Unknown" for c in conds
                         if c["type"] in KUBELET_CONDITIONS):
            return
        now = stamp(self.ctx.wall())
        have = {c["type"] for c in conds}
        for name in KUBELET_CONDITIONS:
            if name not in have:
                conds.append({"type": name})
        for c in conds:
            if c["type"] in KUBELET_CONDITIONS and c.get("status") != "Unknown":
                c.update(status="Unknown", reason="NodeStatusUnknown",
                         message="Kubelet stopped posting node status.",
                         lastTransitionTime=now)
        body = node.wire()
        body["status"]["conditions"] = conds
        await self.client.update_status("nodes", body)

    async def _set_taint(self, node: Any, present: bool) -> None:
        taints = [t.wire() for t in node.spec.taints or []]
        others = [t for t in taints if t["key"] != UNREACHABLE]
        if not present and len(others) == len(taints):
            return
        if present and len(others) == len(taints) - 2:
            return
        if present:
            now = stamp(self.ctx.wall())
            others += [{"key": UNREACHABLE, "effect": "NoSchedule"},
                       {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": now}]
        await self.client.patch("nodes", node.metadata.name, {"metadata": {
            "resourceVersion": node.metadata.resourceVersion}, "spec": {"taints": others or None}})

    async def _mark_pods(self, pods: list[Any]) -> None:
        """Phase Unknown and Ready=False, as S2 describes a pod whose node is unreachable."""
        now = stamp(self.ctx.wall())
        for pod in pods:
            if pod.status.phase == "Unknown" or pod.metadata.deletionTimestamp is not None:
                continue
            body = pod.wire()
            status = body.setdefault("status", {})
            status["phase"] = "Unknown"
            for c in status.get("conditions") or []:
                if c["type"] in ("Ready", "ContainersReady") and c["status"] != "False":
                    c.update(status="False", reason="NodeNotReady", lastTransitionTime=now)
            try:
                await self.client.update_status("pods", body)
            except NotFound:
                continue

    async def _evict(self, pods: list[Any], unreachable_for: float) -> float | None:
        """Delete the pods whose time is up; the seconds until the next one is."""
        nearest: float | None = None
        for pod in pods:
            allowed = self._tolerated_for(pod)
            if allowed is None or (pod.metadata.annotations or {}).get(MIRROR_ANNOTATION):
                continue
            if unreachable_for < allowed:
                left = allowed - unreachable_for
                nearest = left if nearest is None else min(nearest, left)
                continue
            log.info("evicting pod %s/%s from unreachable node %s", pod.metadata.namespace,
                     pod.metadata.name, pod.spec.nodeName)
            try:
                await self.client.delete("pods", pod.metadata.name, pod.metadata.namespace,
                                         grace_period_seconds=0,
                                         preconditions={"uid": pod.metadata.uid})
            except NotFound:
                continue
            self.recorder.emit(pod, "Normal", "TaintManagerEviction",
                               "Marking for deletion Pod " f"{pod.metadata.namespace}/"
                               f"{pod.metadata.name}")
        return nearest

    def _tolerated_for(self, pod: Any) -> float | None:
        """How long the pod may stay on an unreachable node (None: for good)."""
        taint = _Taint(UNREACHABLE, "NoExecute")
        for t in pod.spec.tolerations or []:
            if tolerates(t, taint):
                return None if t.tolerationSeconds is None else float(t.tolerationSeconds)
        return self.ctx.options.pod_eviction_timeout


@dataclass
class _Taint:
    key: str
    effect: str
    value: str | None = None
