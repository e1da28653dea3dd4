"""The scheduling algorithm: how many nodes to filter, round-robin start, host choice."""

from __future__ import annotations

import random

import pytest

from tugboat.scheduler.algorithm import (
    ScheduleAlgorithm,
    ScheduleResult,
    num_feasible_nodes_to_find,
)
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import Code, CycleState, FitError, Framework, PodInfo, Status
from tugboat.scheduler.plugins import default_plugins

from .objects import make_node, make_pod


@pytest.mark.parametrize(("percentage", "nodes", "expected"), [
    # kube-scheduler's own table (TestNumFeasibleNodesToFind)
    (0, 10, 10), (40, 10, 10), (0, 1000, 420), (40, 1000, 400), (0, 6000, 300),
    (40, 6000, 2400),
    (0, 100, 100), (0, 99, 99), (0, 250, 120), (100, 5000, 5000), (1, 1000, 100),
    (0, 5000, 500),  # 50 - 40 = 10%
])
def test_num_feasible_nodes_to_find(percentage, nodes, expected):
    assert num_feasible_nodes_to_find(nodes, percentage) == expected


class Counting:
    """A filter that records which nodes it saw, and rejects some."""

    name = "Counting"
    events = frozenset()

    def __init__(self, reject=()):
        self.seen: list[str] = []
        self.reject = set(reject)

    def filter(self, state, pod, nodes):
        self.seen += [node.name for node in nodes]
        return [Status.unschedulable("nope") if node.name in self.reject else None
                for node in nodes]


def cluster(count: int) -> SchedulerCache:
    cache = SchedulerCache()
    for i in range(count):
        cache.set_node(make_node(f"n{i:04d}"))
    return cache


def test_filtering_stops_at_enough_nodes_and_resumes_round_robin():
    counting = Counting()
    algo = ScheduleAlgorithm(Framework([counting]), cluster(1000), rng=random.Random(1))
    pod = PodInfo.of(make_pod())
    first = algo.schedule(CycleState(), pod)
    assert isinstance(first, ScheduleResult) and first.evaluated == first.feasible == 420
    assert counting.seen == [f"n{i:04d}" for i in range(420)]
    assert algo.next_start_node_index == 420
    counting.seen.clear()
    algo.schedule(CycleState(), pod)
    assert counting.seen[0] == "n0420" and len(counting.seen) == 420
    algo.schedule(CycleState(), pod)  # wraps around
    assert algo.next_start_node_index == (420 * 3) % 1000


def test_rejected_nodes_count_as_processed():
    counting = Counting(reject={f"n{i:04d}" for i in range(0, 1000, 2)})
    algo = ScheduleAlgorithm(Framework([counting]), cluster(1000))
    result = algo.schedule(CycleState(), PodInfo.of(make_pod()))
    rejected = [n for n in counting.seen if n in counting.reject]
    assert result.feasible == 420 and result.evaluated == 420 + len(rejected)
    assert algo.next_start_node_index == result.evaluated
    assert 840 <= result.evaluated < 880  # batches overshoot a little, as kube's workers do


def test_fit_error_counts_every_node():
    cache = SchedulerCache()
    cache.set_node(make_node("small-1", cpu="1", labels={"disk": "ssd"}))
    cache.set_node(make_node("small-2", cpu="1", labels={"disk": "ssd"}))
    cache.set_node(make_node("other", cpu="8", labels={"disk": "hdd"}))
    algo = ScheduleAlgorithm(Framework(default_plugins(None, cache)), cache)
    result = algo.schedule(CycleState(), PodInfo.of(make_pod(cpu="2",
                                                             node_selector={"disk": "ssd"})))
    assert isinstance(result, FitError)
    assert result.diagnosis.unschedulable_plugins == {"NodeAffinity", "NodeResourcesFit"}
    assert result.message() == ("0/3 nodes are available: 1 node(s) didn't match Pod's node "
                                "affinity/selector, 2 Insufficient cpu.")


def test_no_nodes():
    algo = ScheduleAlgorithm(Framework([]), SchedulerCache())
    result = algo.schedule(CycleState(), PodInfo.of(make_pod()))
    assert isinstance(result, FitError) and result.message() == (
        "no nodes available to schedule pods")


def test_filter_error_aborts():
    class Broken:
        name, events = "Broken", frozenset()

        def filter(self, state, pod, nodes):
            return [Status.error("boom")] * len(nodes)

    result = ScheduleAlgorithm(Framework([Broken()]), cluster(3)).schedule(
        CycleState(), PodInfo.of(make_pod()))
    assert isinstance(result, Status) and result.code is Code.ERROR


def test_best_score_wins_and_ties_are_random():
    cache = cluster(4)
    cache.set_node(make_node("roomy", cpu="64", memory="256Gi"))
    algo = ScheduleAlgorithm(Framework(default_plugins(None, cache)), cache)
    result = algo.schedule(CycleState(), PodInfo.of(make_pod(cpu="1", memory="1Gi")))
    assert result.node == "roomy"
    infos = cache.node_list()
    picks = {algo.select_host(infos, [5, 9, 9, 1, 9]) for _ in range(200)}
    assert picks == {infos[1].name, infos[2].name, infos[4].name}


def test_one_feasible_node_needs_no_scoring():
    cache = cluster(3)
    cache.set_node(make_node("gpu", labels={"gpu": "yes"}))
    algo = ScheduleAlgorithm(Framework(default_plugins(None, cache)), cache)
    result = algo.schedule(CycleState(), PodInfo.of(make_pod(node_selector={"gpu": "yes"})))
    assert (result.node, result.feasible, result.evaluated) == ("gpu", 1, 4)
