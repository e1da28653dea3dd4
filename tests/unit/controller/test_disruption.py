"""The disruption controller's arithmetic (Kubernetes' TestNoSelector … TestReplicationController
cases in spirit): expected pods, desired healthy, allowed disruptions, and disruptedPods
kept only while the evicted pod is still there and not older than the deletion timeout."""

from __future__ import annotations

import pytest

from tugboat.api.pod import Pod
from tugboat.api.policy import PodDisruptionBudget
from tugboat.controller.disruption import (
    DELETION_TIMEOUT,
    budget_counts,
    desired_status,
    live_disruptions,
    needs_scale,
    selected_pods,
)

NOW = 1_800_000_000.0
STAMP = "2027-01-15T08:00:00Z"  # NOW as RFC 3339


def pdb(**spec) -> PodDisruptionBudget:
    return PodDisruptionBudget.model_validate({
        "metadata": {"name": "b", "namespace": "ns", "generation": 3},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}})


def pod(name: str, ready: bool = True, deleting: bool = False, app: str = "web") -> Pod:
    meta = {"name": name, "namespace": "ns", "labels": {"app": app}}
    if deleting:
        meta["deletionTimestamp"] = STAMP
    return Pod.model_validate({
        "metadata": meta, "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}})


@pytest.mark.parametrize(("spec", "pods", "scale", "expected"), [
    ({"minAvailable": 2}, 3, None, (3, 2)),
    ({"minAvailable": "50%"}, 3, 4, (4, 2)),
    ({"minAvailable": "30%"}, 3, 5, (5, 2)),  # rounded up
    ({"maxUnavailable": 1}, 3, 5, (5, 4)),
    ({"maxUnavailable": "30%"}, 3, 5, (5, 3)),  # 1.5 unavailable rounds up to 2
    ({"maxUnavailable": 9}, 3, 5, (5, 0)),
])
def test_budget_counts(spec, pods, scale, expected):
    assert budget_counts(pdb(**spec), [pod(f"p{i}") for i in range(pods)], scale) == expected


def test_scale_is_needed_for_max_unavailable_and_percentages():
    assert needs_scale(pdb(maxUnavailable=1)) and needs_scale(pdb(minAvailable="10%"))
    assert not needs_scale(pdb(minAvailable=1))


def test_status_counts_ready_pods_not_going_and_not_just_evicted():
    budget = pdb(minAvailable=2)
    budget.status.disruptedPods = {"p1": STAMP}
    pods = [pod("p0"), pod("p1"), pod("p2"), pod("p3", ready=False), pod("p4", deleting=True)]
    status, recheck = desired_status(budget, pods, None, NOW + 1)
    assert (status["expectedPods"], status["currentHealthy"], status["desiredHealthy"],
            status["disruptionsAllowed"]) == (5, 2, 2, 0)
    assert status["disruptedPods"] == {"p1": STAMP}
    assert recheck == NOW + DELETION_TIMEOUT
    assert status["observedGeneration"] == 3
    assert status["conditions"][0]["reason"] == "InsufficientPods"


def test_disruptions_expire_or_end_when_the_pod_goes():
    budget = pdb(minAvailable=1)
    budget.status.disruptedPods = {"gone": STAMP, "going": STAMP, "stale": STAMP,
                                   "fresh": STAMP}
    pods = [pod("going", deleting=True), pod("stale"), pod("fresh")]
    kept, _ = live_disruptions(budget, pods, NOW + 10)
    assert kept == {"stale": STAMP, "fresh": STAMP}
    kept, recheck = live_disruptions(budget, pods, NOW + DELETION_TIMEOUT + 1)
    assert kept == {} and recheck is None


def test_no_expected_pods_allow_nothing_and_selector_picks_pods():
    budget = pdb(maxUnavailable=1)
    assert desired_status(budget, [], 0, NOW)[0]["disruptionsAllowed"] == 0
    assert [p.metadata.name for p in selected_pods(budget, [pod("a"), pod("b", app="db")])] \
        == ["a"]
