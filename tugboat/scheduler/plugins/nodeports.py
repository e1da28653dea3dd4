"""Filter NodePorts: a pod asking for a hostPort fits only where that (hostIP, protocol,
port) is free; 0.0.0.0 clashes with every address. Pods without host ports skip it."""

from __future__ import annotations

from tugboat.scheduler.framework import SKIP, ClusterEvent, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.podinfo import WILDCARD_IP

REASON = "node(s) didn't have free ports for the requested pod ports"
_REJECTED = Status.unschedulable(REASON)


class NodePorts:
    name = "NodePorts"
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.ASSIGNED_POD_DELETE})

    def pre_filter(self, state: CycleState, pod: PodInfo) -> Status | None:
        return None if pod.host_ports else SKIP

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        wanted = pod.host_ports
        if len(wanted) == 1 and wanted[0][0] == WILDCARD_IP:  # the usual: one port, any IP
            key = wanted[0][1:]
            return [_REJECTED if key in node.used_ports else None for node in nodes]
        return [_REJECTED if node.used_ports and any(
                    node.port_conflict(ip, protocol, port) for ip, protocol, port in wanted)
                else None for node in nodes]
