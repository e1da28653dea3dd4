"""One scheduling attempt: filter, score, select (kube-scheduler's schedulePod).

PreFilter once; then Filter over the nodes, starting where the previous attempt stopped
and stopping as soon as enough feasible nodes are found — `percentageOfNodesToScore`, by
default Kubernetes' adaptive 50% − nodes/125 (never under 5%, never under 100 nodes), so
a 1,000-node cluster looks at 420 feasible nodes, not all of them, and every node still
gets its turn. Then PreScore and Score over the feasible nodes, and the highest total
wins, ties broken at random. Synchronous and await-free, so the cache cannot change
under it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import (
    CycleState,
    Diagnosis,
    FitError,
    Framework,
    NodeInfo,
    PodInfo,
    Status,
)

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
MIN_BATCH = 32  # nodes filtered per batch when only a few more feasible ones are needed


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes are enough; `percentage` 0 means the adaptive default."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND or percentage >= 100:
        return num_all_nodes
    if percentage <= 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


@dataclass
class ScheduleResult:
    node: str
    evaluated: int  # nodes the filters looked at
    feasible: int


class ScheduleAlgorithm:
    def __init__(self, framework: Framework, cache: SchedulerCache, *,
                 percentage_of_nodes_to_score: int = 0, rng: random.Random | None = None):
        self.framework = framework
        self.cache = cache
        self.percentage = percentage_of_nodes_to_score
        self.rng = rng or random.Random()
        self.next_start_node_index = 0

    def schedule(self, state: CycleState, pod: PodInfo) -> ScheduleResult | FitError | Status:
        """A node for `pod`, why it fits nowhere (FitError), or an Error status."""
        nodes = self.cache.node_list()
        diagnosis = Diagnosis()
        if not nodes:
            return FitError(pod, 0, diagnosis)
        status = self.framework.run_pre_filter(state, pod, diagnosis)
        if status is not None:
            return FitError(pod, len(nodes), diagnosis) if status.is_unschedulable else status
        feasible = self.find_feasible(state, pod, nodes, diagnosis)
        if isinstance(feasible, Status):
            return feasible
        evaluated = len(feasible) + len(diagnosis.node_statuses)
        if not feasible:
            return FitError(pod, len(nodes), diagnosis)
        if len(feasible) == 1:
            return ScheduleResult(feasible[0].name, evaluated, 1)
        status = self.framework.run_pre_score(state, pod, feasible)
        if status is not None:
            return status
        totals = self.framework.run_score(state, pod, feasible)
        return ScheduleResult(self.select_host(feasible, totals), evaluated, len(feasible))

    def find_feasible(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo],
                      diagnosis: Diagnosis) -> list[NodeInfo] | Status:
        """Filter nodes round-robin from the last start index until enough fit. Nodes go
        through the filters in batches the size of the shortfall, so a cluster where
        most nodes fit is filtered in one pass."""
        count = len(nodes)
        want = num_feasible_nodes_to_find(count, self.percentage)
        start = self.next_start_node_index % count
        ordered = nodes[start:] + nodes[:start] if start else nodes
        filters = self.framework.active_filters(state)
        feasible: list[NodeInfo] = []
        position = 0
        while position < count and len(feasible) < want:
            size = max(want - len(feasible), MIN_BATCH)
            batch = ordered[position:position + size]
            position += size
            passed = self.framework.filter_nodes(filters, state, pod, batch, diagnosis)
            if isinstance(passed, Status):
                return passed
            feasible += passed[:want - len(feasible)]
        processed = len(feasible) + len(diagnosis.node_statuses)
        self.next_start_node_index = (start + processed) % count
        return feasible

    def select_host(self, nodes: list[NodeInfo], totals: list[int]) -> str:
        best = max(totals)
        winners = [i for i, total in enumerate(totals) if total == best]
        return nodes[winners[0] if len(winners) == 1 else self.rng.choice(winners)].name
