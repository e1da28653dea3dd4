"""OOM score adjustments by QoS class, with the kubelet's numbers (qos/policy.go)."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.kubelet.qos import (
    BEST_EFFORT_OOM_SCORE_ADJ,
    GUARANTEED_OOM_SCORE_ADJ,
    OOMScores,
    container_oom_score_adj,
    oom_score_floor,
)

GI = 1024**3
CAPACITY = 4 * GI


def _pod(*resources: dict[str, Any], init: list[dict[str, Any]] | None = None,
         **spec: Any) -> Pod:
    def container(name: str, res: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"name": name, "image": "busybox:1.35", "resources": res, **extra}
    body: dict[str, Any] = {"containers": [container(f"c{i}", r) for i, r in enumerate(resources)],
                            **spec}
    if init is not None:
        body["initContainers"] = [container(f"side{i}", r, restartPolicy="Always")
                                  for i, r in enumerate(init)]
    pod = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"}, "spec": body})
    apply_defaults(pod)
    return pod


def _adj(pod: Pod, index: int = 0) -> int:
    return container_oom_score_adj(pod, pod.spec.containers[index], CAPACITY)


def test_guaranteed_and_best_effort() -> None:
    full = {"limits": {"cpu": "1", "memory": "1Gi"}}
    assert _adj(_pod(full)) == GUARANTEED_OOM_SCORE_ADJ == -997
    assert _adj(_pod({})) == BEST_EFFORT_OOM_SCORE_ADJ == 1000


@pytest.mark.parametrize(("memory", "expected"), [
    ("1Gi", 750),  # a quarter of the machine: 1000 - 250
    ("2Gi", 500),
    ("4Gi", 3),  # all of it: kept above every Guaranteed container
    ("8Gi", 3),
    ("1", 999),  # next to nothing: still below BestEffort
], ids=["quarter", "half", "all", "more-than-all", "one-byte"])
def test_burstable_by_memory_request(memory: str, expected: int) -> None:
    assert _adj(_pod({"requests": {"memory": memory}})) == expected


def test_a_burstable_container_without_a_memory_request() -> None:
    assert _adj(_pod({"requests": {"cpu": "100m"}}, {"requests": {"memory": "1Gi"}})) == 999


def test_a_sidecar_is_protected_like_the_smallest_app_container() -> None:
    pod = _pod({"requests": {"memory": "2Gi"}}, {"requests": {"memory": "3Gi"}},
               init=[{"requests": {"memory": "100Mi"}}])
    sidecar = pod.spec.initContainers[0]
    assert container_oom_score_adj(pod, sidecar, CAPACITY) == 500  # the 2Gi app's
    assert _adj(pod, 1) == 250


def test_node_critical_pods_are_kept_like_guaranteed_ones() -> None:
    pod = _pod({}, priorityClassName="system-node-critical", priority=2000001000)
    assert _adj(pod) == GUARANTEED_OOM_SCORE_ADJ


def test_without_cap_sys_resource_scores_cannot_go_below_our_own() -> None:
    full = "CapEff:\t000001ffffffffff\n"
    restricted = "CapEff:\t000001fffeffffff\n"  # bit 24, CAP_SYS_RESOURCE, missing
    assert oom_score_floor(full, "0") is None
    assert oom_score_floor(restricted, "-500\n") == -500
    scores = OOMScores(CAPACITY, floor=0)
    pod = _pod({"limits": {"cpu": "1", "memory": "1Gi"}})
    assert (scores.sandbox(), scores.container(pod, pod.spec.containers[0])) == (0, 0)
    best_effort = _pod({})
    assert scores.container(best_effort, best_effort.spec.containers[0]) == 1000
    assert OOMScores(CAPACITY).sandbox() == -998
