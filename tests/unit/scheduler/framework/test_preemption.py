"""The preemption evaluator: which node and which lower-priority pods, table-driven over
NodeInfos with the real NodeResourcesFit filter."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tugboat.scheduler.framework import CycleState, Diagnosis, Framework, PodInfo, Status
from tugboat.scheduler.framework.preemption import Budgets, eligible_to_preempt, find_candidate
from tugboat.scheduler.plugins.noderesourcesfit import NodeResourcesFit

from ..objects import make_node, make_pod, node_info


def budget(app: str, allowed: int) -> SimpleNamespace:
    return SimpleNamespace(
        metadata=SimpleNamespace(namespace="default"),
        spec=SimpleNamespace(selector={"matchLabels": {"app": app}}),
        status=SimpleNamespace(disruptionsAllowed=allowed, disruptedPods=None))


def victims_for(nodes, pod, budgets=()):
    framework = Framework([NodeResourcesFit()])
    state, info = CycleState(), PodInfo.of(pod)
    diagnosis = Diagnosis()
    framework.run_pre_filter(state, info, diagnosis)
    for n in nodes:
        rejected = framework.run_filters(state, info, n)
        if rejected:
            diagnosis.node_statuses[n.name] = rejected[1]
    found = find_candidate(framework, state, info, nodes, diagnosis, Budgets(list(budgets)))
    return None if found is None else (found.node, sorted(v.name for v in found.victims),
                                       found.pdb_violations)


def test_fewest_and_lowest_victims_on_the_best_node():
    a = node_info(make_node("a", cpu="1"), make_pod("a1", cpu="600m", priority=5),
                  make_pod("a2", cpu="300m", priority=1))
    b = node_info(make_node("b", cpu="1"), make_pod("b1", cpu="900m", priority=1))
    # a: evicting a1 alone makes room (a2 reprieved); b: b1. Both one victim; b's is lower.
    assert victims_for([a, b], make_pod("hi", cpu="600m", priority=10)) == ("b", ["b1"], 0)


def test_higher_or_equal_priority_pods_are_never_victims():
    n = node_info(make_node("n", cpu="1"), make_pod("same", cpu="900m", priority=10))
    assert victims_for([n], make_pod("hi", cpu="500m", priority=10)) is None


def test_a_node_where_even_all_victims_would_not_do_is_no_candidate():
    n = node_info(make_node("n", cpu="1"), make_pod("boss", cpu="800m", priority=100),
                  make_pod("low", cpu="100m", priority=1))
    assert victims_for([n], make_pod("hi", cpu="500m", priority=10)) is None


def test_budget_violations_are_avoided_where_another_node_will_do():
    a = node_info(make_node("a", cpu="1"),
                  make_pod("guarded", cpu="900m", priority=1, labels={"app": "db"}))
    b = node_info(make_node("b", cpu="1"),
                  make_pod("free", cpu="900m", priority=3, labels={"app": "web"}))
    assert victims_for([a, b], make_pod("hi", cpu="500m", priority=10),
                       [budget("db", 0)]) == ("b", ["free"], 0)
    assert victims_for([a], make_pod("hi", cpu="500m", priority=10),
                       [budget("db", 0)]) == ("a", ["guarded"], 1)


@pytest.mark.parametrize(("policy", "nominated", "terminating", "eligible"), [
    (None, None, False, True),
    ("Never", None, False, False),
    (None, "n", True, False),  # still waiting for its last victims to go
    (None, "n", False, True),
])
def test_eligibility(policy, nominated, terminating, eligible):
    victim = make_pod("v", priority=1)
    if terminating:
        victim.metadata.deletionTimestamp = "2026-01-01T00:00:00Z"
    node = node_info(make_node("n"), victim)
    pod = make_pod("hi", priority=10, **({"preemptionPolicy": policy} if policy else {}))
    pod.status.nominatedNodeName = nominated
    assert eligible_to_preempt(PodInfo.of(pod), {"n": node}.get) is eligible


def test_unresolvable_nodes_are_not_tried():
    n = node_info(make_node("n", cpu="1"), make_pod("low", cpu="900m", priority=1))
    framework = Framework([NodeResourcesFit()])
    diagnosis = Diagnosis(node_statuses={"n": Status.unresolvable("node(s) didn't match")})
    info = PodInfo.of(make_pod("hi", cpu="500m", priority=10))
    assert find_candidate(framework, CycleState(), info, [n], diagnosis, Budgets([])) is None
