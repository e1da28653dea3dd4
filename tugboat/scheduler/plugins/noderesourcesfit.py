"""Filter NodeResourcesFit: the pod's requests must fit in what the node has left —
allocatable minus the requests of every pod bound or assumed there — for cpu, memory and
any extended resource, and one more pod must fit under allocatable `pods`. A node can
fail several ways at once; each way is a reason ("Insufficient cpu", "Too many pods")
and counts separately in the FailedScheduling summary, as in Kubernetes."""

from __future__ import annotations

import functools

from tugboat.scheduler.framework import ClusterEvent, CycleState, NodeInfo, PodInfo, Status

TOO_MANY_PODS = "Too many pods"


@functools.lru_cache(maxsize=256)
def _rejection(reasons: tuple[str, ...]) -> Status:
    return Status.unschedulable(*reasons)


def insufficient(resource: str) -> str:
    return f"Insufficient {resource}"


def fit_reasons(pod: PodInfo, node: NodeInfo) -> tuple[str, ...]:
    """Every way the pod does not fit on the node (none: it fits)."""
    req = pod.requests
    reasons: tuple[str, ...] = ()
    if node.free_pods < 1:
        reasons += (TOO_MANY_PODS,)
    if req.cpu and req.cpu > node.free_cpu:
        reasons += ("Insufficient cpu",)
    if req.memory and req.memory > node.free_memory:
        reasons += ("Insufficient memory",)
    alloc, used = node.allocatable.scalar, node.requested.scalar
    for name, value in req.scalar.items():
        if value > alloc.get(name, 0) - used.get(name, 0):
            reasons += (insufficient(name),)
    return reasons


class NodeResourcesFit:
    name = "NodeResourcesFit"
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.NODE_ALLOCATABLE,
                        ClusterEvent.ASSIGNED_POD_DELETE, ClusterEvent.ASSIGNED_POD_UPDATE})

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        cpu, memory = pod.requests.cpu, pod.requests.memory
        if pod.requests.scalar:
            return [self._verdict(pod, node) for node in nodes]
        # The common case inline; only nodes that look short get the full check.
        return [None if node.free_pods > 0 and cpu <= node.free_cpu
                and memory <= node.free_memory else self._verdict(pod, node)
                for node in nodes]

    @staticmethod
    def _verdict(pod: PodInfo, node: NodeInfo) -> Status | None:
        reasons = fit_reasons(pod, node)
        return _rejection(reasons) if reasons else None
