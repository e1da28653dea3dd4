"""TaintToleration: a node's NoSchedule and NoExecute taints as a filter, its
PreferNoSchedule taints as a score.

Filter: the first taint the pod does not tolerate rejects the node, named in the reason
as Kubernetes names it ("node(s) had untolerated taint {dedicated: gpu}"). Score: fewer
untolerated PreferNoSchedule taints is better (reverse-normalised: the node with the most
gets 0); skipped when no candidate node has such a taint.
"""

from __future__ import annotations

import functools

from tugboat.api.core import Toleration
from tugboat.scheduler.framework import SKIP, ClusterEvent, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.interface import default_normalize_score
from tugboat.scheduler.framework.tolerations import first_untolerated, tolerated

_PREFER_KEY = "TaintToleration/prefer"


@functools.lru_cache(maxsize=1024)
def _rejection(key: str, value: str) -> Status:
    return Status.unresolvable(f"node(s) had untolerated taint {{{key}: {value}}}")


class TaintToleration:
    name = "TaintToleration"
    default_weight = 3
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.NODE_TAINT})

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        tolerations = pod.tolerations
        return [self._verdict(node, tolerations) if node.taints else None for node in nodes]

    @staticmethod
    def _verdict(node: NodeInfo, tolerations: tuple[Toleration, ...]) -> Status | None:
        taint = first_untolerated(node.taints, tolerations)
        return None if taint is None else _rejection(taint.key, taint.value or "")

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None:
        if not any(node.prefer_taints for node in nodes):
            return SKIP
        state.write(_PREFER_KEY, tuple(t for t in pod.tolerations
                                       if not t.effect or t.effect == "PreferNoSchedule"))
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        """Per node: how many PreferNoSchedule taints the pod does not tolerate."""
        tolerations = state.read(_PREFER_KEY)
        return [sum(1 for taint in node.prefer_taints if not tolerated(taint, tolerations))
                if node.prefer_taints else 0 for node in nodes]

    def normalize_score(self, state: CycleState, pod: PodInfo, scores: list[int]) -> None:
        default_normalize_score(scores, reverse=True)
