"""Score ImageLocality: prefer nodes that already have the pod's images, so it starts
without a pull. Each image present counts its size scaled by the share of nodes that have
it (an image every node has says little); the sum is clamped between 23 MiB and 1000 MiB
per container and mapped onto 0..100 (kube's ImageLocality, same thresholds). Skipped
when no node has any of the pod's images."""

from __future__ import annotations

from tugboat.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    ClusterView,
    CycleState,
    NodeInfo,
    PodInfo,
    Status,
)

MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB
_SPREAD_KEY = "ImageLocality/spread"


def calculate_priority(sum_scores: int, num_containers: int) -> int:
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    clamped = min(max(sum_scores, MIN_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


class ImageLocality:
    name = "ImageLocality"
    default_weight = 1

    def __init__(self, cluster: ClusterView):
        self.cluster = cluster

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None:
        total = self.cluster.node_count()
        spread = [(image, self.cluster.image_node_count(image) / total)
                  for image in pod.images] if total else []
        present = [(image, share) for image, share in spread if share]
        if not present:
            return SKIP
        state.write(_SPREAD_KEY, present)
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        """Per node: the sum over the pod's containers of the image's size on the node
        scaled by its spread, mapped onto 0..100."""
        present = state.read(_SPREAD_KEY)
        containers = max(pod.num_containers, 1)
        if len(present) == 1:  # the usual pod: score each distinct image size once
            [(image, share)] = present
            sizes = [node.images.get(image, 0) for node in nodes]
            by_size = {size: calculate_priority(int(size * share), containers)
                       for size in set(sizes)}
            return [by_size[size] for size in sizes]
        return [calculate_priority(sum(int(node.images.get(image, 0) * share)
                                       for image, share in present), containers)
                if node.images else 0 for node in nodes]
