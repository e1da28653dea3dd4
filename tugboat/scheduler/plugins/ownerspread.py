"""Score OwnerSpread: spread the pods of one controller (the ownerReference with
controller=true: a ReplicaSet, ReplicationController, Job...) across nodes. A node's raw
score is how many of the owner's pods it already holds, bound or assumed; normalised, the
emptiest node gets 100 and the fullest 0 (kube's legacy SelectorSpread, keyed by the
controlling owner rather than by service and controller selectors, without zones).
Skipped for pods without a controller."""

from __future__ import annotations

from tugboat.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    CycleState,
    NodeInfo,
    PodInfo,
    Status,
)


class OwnerSpread:
    name = "OwnerSpread"
    default_weight = 2

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None:
        return None if pod.owner_uid else SKIP

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        owner = pod.owner_uid
        return [node.owner_counts.get(owner, 0) for node in nodes] if owner else [0] * len(nodes)

    def normalize_score(self, state: CycleState, pod: PodInfo, scores: list[int]) -> None:
        most = max(scores, default=0)
        if most == 0:
            scores[:] = [MAX_NODE_SCORE] * len(scores)
        else:
            scores[:] = [MAX_NODE_SCORE * (most - s) // most for s in scores]
