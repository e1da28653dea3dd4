"""The preemption evaluator (kube-scheduler's framework/preemption): for a pod that fits
nowhere, which node could take it if some lower-priority pods left, and which pods. Pure
computation over NodeInfo copies, so the cycle stays await-free; the DefaultPreemption
plugin acts on the answer.

On each node the pod was Unschedulable on (not unresolvable: no eviction fixes a node
selector), every lower-priority pod is removed and the filters run again; if the pod now
fits, victims are reprieved one by one, most important first — those whose loss would
violate a PodDisruptionBudget before the others — as long as the pod still fits. The
candidate nodes are then ranked as pickOneNodeForPreemption does: fewest budget
violations, lowest highest victim priority, lowest priority sum, fewest victims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tugboat.api.labels import SelectorError, label_selector_as_selector
from tugboat.scheduler.framework.cyclestate import CycleState
from tugboat.scheduler.framework.fiterror import Diagnosis
from tugboat.scheduler.framework.nodeinfo import NodeInfo
from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.status import Code, Status

PREEMPT_NEVER = "Never"


class NodeFilter(Protocol):
    def run_filters(self, state: CycleState, pod: PodInfo, node: NodeInfo
                    ) -> tuple[str, Status] | None: ...


@dataclass
class Candidate:
    node: str
    victims: list[PodInfo] = field(default_factory=list)
    pdb_violations: int = 0


def eligible_to_preempt(pod: PodInfo, nodes: Callable[[str], NodeInfo | None]) -> bool:
    """PodEligibleToPreemptOthers: not a pod that never preempts, and not one still
    waiting for the victims of its last preemption to terminate."""
    if pod.pod.spec.preemptionPolicy == PREEMPT_NEVER:
        return False
    nominated = pod.pod.status.nominatedNodeName
    if nominated:
        info = nodes(nominated)
        if info is not None and any(p.pod.metadata.deletionTimestamp and
                                    p.priority < pod.priority for p in info.pods.values()):
            return False
    return True


def simulated(node: NodeInfo, pods: list[PodInfo]) -> NodeInfo:
    """A copy of `node` holding only `pods`."""
    copy = NodeInfo(node.name)
    if node.node is not None:
        copy.set_node(node.node)
    for p in pods:
        copy.add_pod(p)
    return copy


def more_important(p: PodInfo) -> tuple[int, str]:
    """MoreImportantPod's order as a sort key: higher priority first, then the pod that
    started earlier."""
    return (-p.priority, p.pod.status.startTime or "~")


class Budgets:
    """The disruptions each PodDisruptionBudget still allows, spent as victims are chosen."""

    def __init__(self, pdbs: list[Any]):
        self.entries = []
        for pdb in pdbs:
            try:
                selector = label_selector_as_selector(pdb.spec.selector)
            except SelectorError:
                continue
            if selector.empty():
                continue
            self.entries.append([pdb.metadata.namespace, selector,
                                 pdb.status.disruptionsAllowed or 0,
                                 set(pdb.status.disruptedPods or {})])

    def split(self, pods: list[PodInfo]) -> tuple[list[PodInfo], list[PodInfo]]:
        """filterPodsWithPDBViolation: (violating, non-violating), each in input order."""
        allowed = [entry[2] for entry in self.entries]
        violating, fine = [], []
        for p in pods:
            hit = False
            for i, (ns, selector, _, disrupted) in enumerate(self.entries):
                if ns != p.namespace or not selector.matches(p.pod.metadata.labels):
                    continue
                if p.name in disrupted:  # already counted as evicted by the budget
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    hit = True
            (violating if hit else fine).append(p)
        return violating, fine


def select_victims(filters: NodeFilter, state: CycleState, pod: PodInfo, node: NodeInfo,
                   budgets: Budgets) -> Candidate | None:
    """selectVictimsOnNode: the fewest lower-priority pods whose removal lets `pod` fit."""
    lower = [p for p in node.pods.values() if p.priority < pod.priority]
    if not lower:
        return None
    keep = [p for p in node.pods.values() if p.priority >= pod.priority]
    if filters.run_filters(state, pod, simulated(node, keep)) is not None:
        return None
    lower.sort(key=more_important)
    violating, fine = budgets.split(lower)
    victims, violations = [], 0
    for group, counts in ((violating, True), (fine, False)):
        for p in group:
            if filters.run_filters(state, pod, simulated(node, [*keep, p])) is None:
                keep.append(p)  # reprieved: the pod fits with it still there
            else:
                victims.append(p)
                violations += counts
    return Candidate(node.name, victims, violations) if victims else None


def rank(candidate: Candidate) -> tuple[int, int, int, int]:
    priorities = [v.priority for v in candidate.victims]
    return (candidate.pdb_violations, max(priorities), sum(priorities), len(priorities))


def find_candidate(filters: NodeFilter, state: CycleState, pod: PodInfo,
                   nodes: list[NodeInfo], diagnosis: Diagnosis,
                   budgets: Budgets) -> Candidate | None:
    """The best node to preempt on, with its victims; None when no preemption helps."""
    candidates = []
    for node in nodes:
        status = diagnosis.node_statuses.get(node.name)
        if status is None or status.code is not Code.UNSCHEDULABLE:
            continue
        found = select_victims(filters, state, pod, node, budgets)
        if found is not None:
            candidates.append(found)
    return min(candidates, key=rank, default=None)
