"""Filter NodeReady: a node whose Ready condition is False or Unknown takes only pods that
tolerate the `node.kubernetes.io/not-ready` (or `unreachable`) NoSchedule taint it
implies. A node that reports no Ready condition at all (one created through the API by
hand) is not held back, as kube-scheduler's old CheckNodeCondition predicate did."""

from __future__ import annotations

from tugboat.api.core import Taint
from tugboat.scheduler.framework import ClusterEvent, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.tolerations import tolerated

NOT_READY_TAINT = Taint(key="node.kubernetes.io/not-ready", effect="NoSchedule")
UNREACHABLE_TAINT = Taint(key="node.kubernetes.io/unreachable", effect="NoSchedule")
REASON = "node(s) were not ready"
_REJECTED = Status.unresolvable(REASON)


class NodeReady:
    name = "NodeReady"
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.NODE_CONDITION})

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        verdicts: dict[str | None, Status | None] = {
            None: None, "True": None,
            "False": None if tolerated(NOT_READY_TAINT, pod.tolerations) else _REJECTED}
        unknown = None if tolerated(UNREACHABLE_TAINT, pod.tolerations) else _REJECTED
        return [verdicts.get(node.ready, unknown) for node in nodes]
