"""A Deployment's status and its Available / Progressing conditions."""

from __future__ import annotations

from typing import Any

from tugboat.api.apps import Deployment, ReplicaSet
from tugboat.controller import deploymentstatus
from tugboat.controller.conditions import set_condition, stamp

NOW = 1_700_000_000.0


def deployment(status: dict[str, Any] | None = None, **spec: Any) -> Deployment:
    return Deployment.model_validate({
        "metadata": {"name": "d", "generation": 2},
        "spec": {"replicas": 3, "progressDeadlineSeconds": 60, **spec},
        "status": status or {}})


def rs(name: str, replicas: int, ready: int, available: int) -> ReplicaSet:
    return ReplicaSet.model_validate({"metadata": {"name": name}, "status": {
        "replicas": replicas, "readyReplicas": ready, "availableReplicas": available}})


def conds(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status["conditions"]}


def test_complete_rollout() -> None:
    new = rs("d-new", 3, 3, 3)
    status = deploymentstatus.compute(deployment(), [new, rs("d-old", 0, 0, 0)], new, 1, NOW)
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"],
            status["unavailableReplicas"], status["observedGeneration"]) == (3, 3, 3, 0, 2)
    c = conds(status)
    assert c["Available"]["reason"] == "MinimumReplicasAvailable"
    assert c["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert c["Progressing"]["message"] == 'ReplicaSet "d-new" has successfully progressed.'


def test_progress_then_timeout() -> None:
    new, old = rs("d-new", 1, 1, 1), rs("d-old", 3, 3, 3)
    status = deploymentstatus.compute(deployment(), [new, old], new, 1, NOW)
    assert conds(status)["Progressing"]["reason"] == "ReplicaSetUpdated"
    assert deploymentstatus.deadline_in(deployment(), status, NOW) == 61
    stalled = deployment(status=status)
    later = deploymentstatus.compute(stalled, [new, old], new, 1, NOW + 61)
    assert conds(later)["Progressing"]["reason"] == "ProgressDeadlineExceeded"
    assert conds(later)["Progressing"]["status"] == "False"


def test_unavailable_and_paused() -> None:
    new = rs("d-new", 3, 0, 0)
    status = deploymentstatus.compute(deployment(paused=True), [new], new, 1, NOW)
    c = conds(status)
    assert c["Available"]["status"] == "False"
    assert c["Progressing"] == {**c["Progressing"], "status": "Unknown",
                                "reason": "DeploymentPaused"}
    resumed = deploymentstatus.compute(deployment(status=status), [new], new, 1, NOW)
    assert conds(resumed)["Progressing"]["reason"] == "DeploymentResumed"


def test_set_condition_keeps_transition_time() -> None:
    first = set_condition([], "Available", "True", "R", "m", NOW)
    same = set_condition(first, "Available", "True", "R", "m", NOW + 10)
    assert same is first
    refreshed = set_condition(first, "Available", "True", "R", "m", NOW + 10, refresh=True)
    assert refreshed[0]["lastTransitionTime"] == stamp(NOW)
    assert refreshed[0]["lastUpdateTime"] == stamp(NOW + 10)
    flipped = set_condition(first, "Available", "False", "R2", "m", NOW + 20)
    assert flipped[0]["lastTransitionTime"] == stamp(NOW + 20)
