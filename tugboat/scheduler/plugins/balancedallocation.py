"""Score NodeResourcesBalancedAllocation: prefer the node whose cpu and memory would be
used in the most even proportion after placing the pod: (1 - std of the fractions) × 100,
which for two resources is 1 - |cpu% - mem%| / 2 (kube's balancedResourceScorer, with
actual requests). Skipped for a pod that requests neither."""

from __future__ import annotations

from tugboat.scheduler.framework import SKIP, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.interface import MAX_NODE_SCORE


def balanced_score(fractions: list[float]) -> int:
    if len(fractions) == 2:
        std = abs(fractions[0] - fractions[1]) / 2
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = (sum((f - mean) ** 2 for f in fractions) / len(fractions)) ** 0.5
    else:
        std = 0.0
    return int((1 - std) * MAX_NODE_SCORE)


def node_score(pod: PodInfo, node: NodeInfo) -> int:
    alloc, used, req = node.allocatable, node.requested, pod.requests
    fractions = []
    if alloc.cpu:
        fractions.append(min((used.cpu + req.cpu) / alloc.cpu, 1.0))
    if alloc.memory:
        fractions.append(min((used.memory + req.memory) / alloc.memory, 1.0))
    return balanced_score(fractions)


class NodeResourcesBalancedAllocation:
    name = "NodeResourcesBalancedAllocation"
    default_weight = 1

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None:
        req = pod.requests
        return None if req.cpu or req.memory else SKIP

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        cpu, memory, top = pod.requests.cpu, pod.requests.memory, MAX_NODE_SCORE
        # Inline while both fractions stay within 1; the rest (capped, or a resource
        # missing) in full.
        return [
            int((1 - abs(c - m) / 2) * top)
            if (ac := node.alloc_cpu) and (am := node.alloc_memory)
            and (c := (node.requested_cpu + cpu) / ac) <= 1
            and (m := (node.requested_memory + memory) / am) <= 1
            else node_score(pod, node)
            for node in nodes]
