"""Score NodeResourcesLeastAllocated: prefer the node with the most cpu and memory left
after placing the pod, (allocatable - requested) × 100 / allocatable averaged over the two
(kube's LeastAllocated strategy). Requests are the non-zero ones, so pods that ask for
nothing still spread. A resource the node has none of is left out of the average."""

from __future__ import annotations

from tugboat.scheduler.framework import MAX_NODE_SCORE, CycleState, NodeInfo, PodInfo


def least_requested_score(requested: int, allocatable: int) -> int:
    if requested > allocatable:
        return 0
    return (allocatable - requested) * MAX_NODE_SCORE // allocatable


def node_score(pod: PodInfo, node: NodeInfo) -> int:
    total = weights = 0
    cpu, memory = node.allocatable.cpu, node.allocatable.memory
    if cpu:
        total += least_requested_score(node.non_zero_cpu + pod.non_zero_cpu, cpu)
        weights += 1
    if memory:
        total += least_requested_score(node.non_zero_memory + pod.non_zero_memory, memory)
        weights += 1
    return total // weights if weights else 0


class NodeResourcesLeastAllocated:
    name = "NodeResourcesLeastAllocated"
    default_weight = 1

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        cpu, memory, top = pod.non_zero_cpu, pod.non_zero_memory, MAX_NODE_SCORE
        # Inline for nodes with both resources and room for the pod; the rest in full.
        return [
            ((fc - cpu) * top // node.alloc_cpu + (fm - memory) * top // node.alloc_memory) // 2
            if (fc := node.non_zero_free_cpu) >= cpu and (fm := node.non_zero_free_memory) >= memory
            and node.alloc_cpu and node.alloc_memory
            else node_score(pod, node)
            for node in nodes]
