"""The node lifecycle controller: a node whose kubelet has stopped renewing its Lease (in
kube-node-lease) and posting status for `--node-monitor-grace-period` is marked
unreachable — its conditions become Unknown (NodeStatusUnknown), it gets the
`node.kubernetes.io/unreachable` taint (NoSchedule and NoExecute), and its pods become
phase Unknown and not Ready (S2). Pods are then evicted by their node's NoExecute taints
(tainteviction.py): by default after `--pod-eviction-timeout`, a pod that tolerates the
taint after its tolerationSeconds or never (daemon pods). When the kubelet comes back the
taint is removed and the kubelet's own status reports take over.

Clocks. While running, staleness is judged by this process's monotonic clock — how long
since it saw the Lease or the node's heartbeat change — never by comparing another host's
timestamps with ours, so a kubelet whose clock is off never looks dead (Kubernetes' rule).
The one exception is a node's first sight (this process starting, or a node it had not
seen): its last sign of life (Lease renewTime, Ready heartbeat, else creationTimestamp) is
read against our wall clock, and a node already silent for longer than the grace period is
marked unreachable at once. Kubernetes instead grants every node a fresh grace period on a
controller restart, so a node left from a previous run looks Ready and receives pods for
~40 s. On one host (`tug up`) kubelet and controller read the same clock, so that judgement
is exact; across hosts it assumes clocks in step to well under the grace period (NTP). A
host whose clock lags by more costs at most one early Unknown, undone at its kubelet's next
renewal (which our own clock sees), and no pod: evictions count from when we marked it.

Partitions. An unreachable node may still be running its pods, so eviction is a graceful
delete: the pod stays Terminating until its kubelet confirms it stopped the containers,
and its controller creates a replacement meanwhile. Nothing here force-deletes; pod GC
(podgc.py) does that only when the node is known gone — deleted, or tainted
`node.kubernetes.io/out-of-service` by an operator (Kubernetes' non-graceful node
shutdown). Any other NoExecute taint evicts the pods that do not tolerate it, the
out-of-service one included, as Kubernetes' taint manager does."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.api.node import Taint
from tugboat.client import NotFound
from tugboat.controller.conditions import stamp
from tugboat.controller.context import ControllerContext
from tugboat.controller.podconditions import is_terminal
from tugboat.controller.reconciling import Controller
from tugboat.controller.tainteviction import UNREACHABLE, eviction_time

log = logging.getLogger(__name__)

NODE_LEASE_NAMESPACE = "kube-node-lease"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
TaintId = tuple[str, str | None]  # (key, value) of a NoExecute taint


@dataclass
class NodeHealth:
    signature: tuple[Any, ...]  # what changes whenever the kubelet reports in
    seen_at: float  # our clock when the signature last changed
    unreachable_since: float | None = None
    # our clock when each NoExecute taint was first seen on the node
    taints_seen: dict[TaintId, float] = field(default_factory=dict)


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

    def _silent_for(self, node: Any, signature: tuple[Any, ...]) -> float:
        """Seconds since the node's last sign of life, by the timestamps it carries (first
        sight only; see the module docstring)."""
        stamps = [s for s in signature if s] or [node.metadata.creationTimestamp]
        try:
            last = max(parse_rfc3339(s).timestamp() for s in stamps if s)
        except ValueError:  # no timestamp at all: nothing to judge by
            return 0.0
        return max(0.0, self.ctx.wall() - last)  # a clock ahead of ours counts as now

    def _observe(self, node: Any) -> NodeHealth:
        now = self.ctx.clock()
        sig = self._signature(node)
        health = self.health.get(node.metadata.name)
        if health is None:
            health = NodeHealth(sig, now - self._silent_for(node, sig))
            self.health[node.metadata.name] = health
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
        reachable = stale_for <= opts.node_monitor_grace_period
        if reachable:
            health.unreachable_since = None
            await self._set_taint(node, present=False)
            look_again = opts.node_monitor_grace_period - stale_for + opts.node_monitor_period
        else:
            if health.unreachable_since is None:
                health.unreachable_since = now
                log.warning("node %s: no heartbeat for %.0fs; marking it unreachable", key,
                            stale_for)
                self.recorder.emit(node, "Normal", "NodeNotReady",
                                   f"Node {key} status is now: NodeNotReady")
            version = await self._mark_unknown(node)
            await self._set_taint(node, present=True, version=version)
            look_again = opts.node_monitor_period
        taints = self._no_execute(node, health, reachable, now)
        if not taints:  # the common case: a healthy node, its pods not looked at
            return look_again
        pods = [p for p in self.pods.list() if p.spec.nodeName == key and not is_terminal(p)]
        if not reachable:
            await self._mark_pods(pods)
        wait = await self._evict(pods, taints, now)
        return look_again if wait is None else min(look_again, wait)

    def _no_execute(self, node: Any, health: NodeHealth, reachable: bool, now: float
                    ) -> list[tuple[Taint, float]]:
        """The node's NoExecute taints as they are once our own taint write lands, each
        with when we first saw it."""
        taints = [t for t in node.spec.taints or []
                  if t.effect == "NoExecute" and t.key != UNREACHABLE]
        if not reachable:
            taints.append(Taint(key=UNREACHABLE, effect="NoExecute"))
        seen = {(t.key, t.value): health.taints_seen.get((t.key, t.value), now) for t in taints}
        if not reachable and health.unreachable_since is not None:
            seen[(UNREACHABLE, None)] = health.unreachable_since
        health.taints_seen = seen
        return [(t, seen[(t.key, t.value)]) for t in taints]

    async def _mark_unknown(self, node: Any) -> str | None:
        """Conditions Unknown; the node's resourceVersion after the write, so the taint
        patch that follows does not conflict with it."""
        conds = [c.wire() for c in node.status.conditions or []]
        if conds and all(c["status"] == "Unknown" for c in conds
                         if c["type"] in KUBELET_CONDITIONS):
            return node.metadata.resourceVersion
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
        written = await self.client.update_status("nodes", body)
        return (written.get("metadata") or {}).get("resourceVersion") \
            if isinstance(written, dict) else None

    async def _set_taint(self, node: Any, present: bool, version: str | None = None) -> None:
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
            "resourceVersion": version or node.metadata.resourceVersion},
            "spec": {"taints": others or None}})

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

    async def _evict(self, pods: list[Any], taints: list[tuple[Taint, float]], now: float
                     ) -> float | None:
        """Gracefully delete the pods whose time under the node's NoExecute taints is up;
        the seconds until the next one's is."""
        nearest: float | None = None
        default = self.ctx.options.pod_eviction_timeout
        for pod in pods:
            if pod.metadata.deletionTimestamp is not None or \
                    (pod.metadata.annotations or {}).get(MIRROR_ANNOTATION):
                continue  # already going; a static pod is its kubelet's own
            due = eviction_time(pod, taints, default)
            if due is None:
                continue
            if due > now:
                nearest = due - now if nearest is None else min(nearest, due - now)
                continue
            log.info("evicting pod %s/%s from node %s (NoExecute taint)",
                     pod.metadata.namespace, pod.metadata.name, pod.spec.nodeName)
            try:  # graceful: the node may still be running it (see the module docstring)
                await self.client.delete("pods", pod.metadata.name, pod.metadata.namespace,
                                         preconditions={"uid": pod.metadata.uid})
            except NotFound:
                continue
            self.recorder.emit(pod, "Normal", "TaintManagerEviction",
                               "Marking for deletion Pod " f"{pod.metadata.namespace}/"
                               f"{pod.metadata.name}")
        return nearest
