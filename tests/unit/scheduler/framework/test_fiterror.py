"""The FailedScheduling summary, in kube-scheduler's exact wording and order."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Diagnosis, FitError, PodInfo, Status

from ..objects import make_pod

CPU = Status.unschedulable("Insufficient cpu")
MEM = Status.unschedulable("Insufficient memory")
BOTH = Status.unschedulable("Insufficient cpu", "Insufficient memory")
AFFINITY = Status.unresolvable("node(s) didn't match Pod's node affinity/selector")


def message(num_nodes: int, statuses: dict[str, Status], pre_filter_msg: str = "") -> str:
    diagnosis = Diagnosis(node_statuses=statuses, pre_filter_msg=pre_filter_msg)
    return FitError(PodInfo.of(make_pod()), num_nodes, diagnosis).message()


@pytest.mark.parametrize(("num_nodes", "statuses", "expected"), [
    (3, {"a": CPU, "b": CPU, "c": AFFINITY},
     "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
     "2 Insufficient cpu."),
    (3, {"a": CPU, "b": CPU, "c": CPU}, "0/3 nodes are available: 3 Insufficient cpu."),
    (3, {"a": BOTH, "b": MEM, "c": CPU},
     "0/3 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."),
    # sort.Strings on "<count> <reason>": "10 ..." sorts before "2 ..."
    (12, {**{f"n{i}": CPU for i in range(10)}, "x": MEM, "y": MEM},
     "0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory."),
    (0, {}, "no nodes available to schedule pods"),
])
def test_message(num_nodes, statuses, expected):
    assert message(num_nodes, statuses) == expected


def test_pre_filter_message_replaces_the_histogram():
    assert message(2, {}, "pod has unbound claims") == (
        "0/2 nodes are available: pod has unbound claims.")
