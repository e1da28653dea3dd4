"""Why a pod fits nowhere: the per-node statuses of one scheduling attempt, and the
summary Kubernetes prints in the FailedScheduling event and the PodScheduled condition:

    0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.

Each node contributes the reasons of the first filter that rejected it; the reasons are
counted across nodes and the "<count> <reason>" strings sorted as strings, exactly as
kube-scheduler's FitError.Error() does (sort.Strings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.status import Status

NO_NODES_AVAILABLE = "no nodes available to schedule pods"


@dataclass
class Diagnosis:
    node_statuses: dict[str, Status] = field(default_factory=dict)
    unschedulable_plugins: set[str] = field(default_factory=set)
    pre_filter_msg: str = ""


@dataclass
class FitError:
    pod: PodInfo
    num_all_nodes: int
    diagnosis: Diagnosis

    def message(self) -> str:
        if self.num_all_nodes == 0:
            return NO_NODES_AVAILABLE
        text = f"0/{self.num_all_nodes} nodes are available:"
        if self.diagnosis.pre_filter_msg:
            return f"{text} {self.diagnosis.pre_filter_msg}."
        histogram = reasons_histogram(self.diagnosis.node_statuses.values())
        return f"{text} {', '.join(histogram)}." if histogram else text

    __str__ = message


def reasons_histogram(statuses: Iterable[Status]) -> list[str]:
    counts: dict[str, int] = {}
    for status in statuses:
        for reason in status.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(f"{count} {reason}" for reason, count in counts.items())
