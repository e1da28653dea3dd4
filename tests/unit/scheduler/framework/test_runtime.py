"""The framework runtime: extension points, Skip, weights, normalisation, interest."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import (
    SKIP,
    ClusterEvent,
    Code,
    CycleState,
    Diagnosis,
    Framework,
    PodInfo,
    Status,
)

from ..objects import make_node, make_pod, node_info

pytestmark = pytest.mark.anyio


class Reject:
    """Rejects nodes by name; skips itself for pods named "skip"."""

    name = "Reject"
    events = frozenset({ClusterEvent.NODE_LABEL})

    def __init__(self, *names: str):
        self.names, self.calls = names, 0

    def pre_filter(self, state, pod):
        return SKIP if pod.name == "skip" else None

    def filter(self, state, pod, nodes):
        self.calls += 1
        return [Status.unschedulable("rejected") if node.name in self.names else None
                for node in nodes]


class ByName:
    """Scores a node by the number in its name, normalised by halving."""

    name = "ByName"
    default_weight = 1

    def score(self, state, pod, nodes):
        return [int(node.name[1:]) for node in nodes]

    def normalize_score(self, state, pod, scores):
        scores[:] = [s // 2 for s in scores]


class Constant:
    name = "Constant"
    default_weight = 1

    def pre_score(self, state, pod, nodes):
        return SKIP if pod.name == "skip" else None

    def score(self, state, pod, nodes):
        return [10] * len(nodes)


class Binder:
    name = "Binder"

    def __init__(self, status=None):
        self.status, self.bound = status, []

    async def bind(self, state, pod, node_name):
        self.bound.append(node_name)
        return self.status


def nodes(*names: str):
    return [node_info(make_node(n)) for n in names]


def test_plugins_land_in_their_extension_points():
    reject, by_name, binder = Reject(), ByName(), Binder()
    fw = Framework([reject, by_name, binder])
    assert fw.pre_filter == [reject] and fw.filter == [reject]
    assert fw.score == [(by_name, 1)] and fw.bind == [binder]
    assert fw.events == {"Reject": frozenset({ClusterEvent.NODE_LABEL})}


def test_filters_report_the_first_rejection():
    fw = Framework([Reject("n1")])
    state, pod = CycleState(), PodInfo.of(make_pod())
    assert fw.run_pre_filter(state, pod, Diagnosis()) is None
    name, status = fw.run_filters(state, pod, nodes("n1")[0])
    assert name == "Reject" and status.code is Code.UNSCHEDULABLE
    assert fw.run_filters(state, pod, nodes("n2")[0]) is None


def test_pre_filter_skip_drops_the_filter():
    reject = Reject("n1")
    fw = Framework([reject])
    state = CycleState()
    fw.run_pre_filter(state, PodInfo.of(make_pod("skip")), Diagnosis())
    assert fw.active_filters(state) == []
    assert fw.run_filters(state, PodInfo.of(make_pod("skip")), nodes("n1")[0]) is None
    assert reject.calls == 0


@pytest.mark.parametrize(("weights", "pod", "expected"), [
    ({}, "p", [10 + 1, 10 + 2, 10 + 5]),  # n2, n4, n10 halved, plus Constant
    ({"ByName": 3}, "p", [10 + 3, 10 + 6, 10 + 15]),
    ({"ByName": 0}, "p", [10, 10, 10]),  # weight 0 turns a score off
    ({}, "skip", [1, 2, 5]),  # Constant skipped by PreScore
])
def test_scores_are_normalised_then_weighted(weights, pod, expected):
    fw = Framework([ByName(), Constant()], weights)
    state, info, infos = CycleState(), PodInfo.of(make_pod(pod)), nodes("n2", "n4", "n10")
    assert fw.run_pre_score(state, info, infos) is None
    assert fw.run_score(state, info, infos) == expected


def test_unknown_weights_and_duplicates_are_refused():
    with pytest.raises(ValueError, match="unknown plugins"):
        Framework([ByName()], {"Nope": 1})
    with pytest.raises(ValueError, match="duplicate"):
        Framework([ByName(), ByName()])


async def test_bind_runs_the_binders():
    binder = Binder()
    fw = Framework([binder])
    assert await fw.run_bind(CycleState(), PodInfo.of(make_pod()), "n1") is None
    assert binder.bound == ["n1"]
    failed = Framework([Binder(Status.error("boom"))])
    assert (await failed.run_bind(CycleState(), PodInfo.of(make_pod()), "n1")).code is Code.ERROR
    skipping = Framework([Binder(SKIP)])
    assert (await skipping.run_bind(CycleState(), PodInfo.of(make_pod()), "n")).code is Code.ERROR


@pytest.mark.parametrize(("plugins", "event", "expected"), [
    ({"Reject"}, ClusterEvent.NODE_LABEL, True),
    ({"Reject"}, ClusterEvent.NODE_ADD, False),
    ({"Reject"}, ClusterEvent.UNSCHEDULABLE_TIMEOUT, True),
    (set(), ClusterEvent.NODE_ADD, True),  # rejected by nobody in particular: any event
])
def test_interest(plugins, event, expected):
    assert Framework([Reject()]).interested(plugins, event) is expected


class Second:
    """A second filter: sees only what the first let through."""

    name = "Second"
    events = frozenset()

    def __init__(self):
        self.seen: list[str] = []

    def filter(self, state, pod, nodes):
        self.seen += [node.name for node in nodes]
        return [Status.unresolvable("second") if node.name == "n3" else None for node in nodes]


def test_filter_nodes_pipes_survivors_and_keeps_first_failures():
    second = Second()
    fw = Framework([Reject("n1"), second])
    state, diagnosis = CycleState(), Diagnosis()
    passed = fw.filter_nodes(fw.active_filters(state), state, PodInfo.of(make_pod()),
                             nodes("n1", "n2", "n3", "n4"), diagnosis)
    assert [n.name for n in passed] == ["n2", "n4"]
    assert second.seen == ["n2", "n3", "n4"]
    assert {k: v.reasons for k, v in diagnosis.node_statuses.items()} == {
        "n1": ("rejected",), "n3": ("second",)}
    assert diagnosis.unschedulable_plugins == {"Reject", "Second"}
