"""Filter NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that
tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint it implies."""

from __future__ import annotations

from tugboat.api.core import Taint
from tugboat.scheduler.framework import ClusterEvent, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.tolerations import tolerated

UNSCHEDULABLE_TAINT = Taint(key="node.kubernetes.io/unschedulable", effect="NoSchedule")
REASON = "node(s) were unschedulable"
_REJECTED = Status.unresolvable(REASON)


class NodeUnschedulable:
    name = "NodeUnschedulable"
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.NODE_TAINT})

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        if tolerated(UNSCHEDULABLE_TAINT, pod.tolerations):
            return [None] * len(nodes)
        return [_REJECTED if node.unschedulable else None for node in nodes]
