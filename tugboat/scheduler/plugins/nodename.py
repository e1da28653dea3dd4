"""Filter NodeName: a pod that names its node (spec.nodeName) fits only there. Pods the
scheduler sees normally have no nodeName, so PreFilter skips the filter for them."""

from __future__ import annotations

from tugboat.scheduler.framework import SKIP, ClusterEvent, CycleState, NodeInfo, PodInfo, Status

REASON = "node(s) didn't match the requested node name"
_REJECTED = Status.unresolvable(REASON)


class NodeName:
    name = "NodeName"
    events = frozenset({ClusterEvent.NODE_ADD})

    def pre_filter(self, state: CycleState, pod: PodInfo) -> Status | None:
        return None if pod.node_name else SKIP

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        wanted = pod.node_name
        if not wanted:
            return [None] * len(nodes)
        return [None if node.name == wanted else _REJECTED for node in nodes]
