"""What objects charge against a ResourceQuota (the evaluators admission and the
resourcequota controller share), and which pods a quota's scopes select."""

from __future__ import annotations

import pytest

from tugboat.api import quotausage as qu


def pod(*containers: dict, init: tuple[dict, ...] = (), **spec: object) -> dict:
    return {"metadata": {"name": "p"}, "spec": {
        "containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(containers)],
        "initContainers": [{"name": f"i{i}", "resources": r} for i, r in enumerate(init)],
        **spec}}


def as_text(usage: qu.Usage) -> dict[str, str]:
    return {k: str(v) for k, v in usage.items()}


def test_pod_charges_its_summed_requests_and_limits() -> None:
    p = pod({"requests": {"cpu": "100m"}, "limits": {"cpu": "200m", "memory": "64Mi"}},
            {"limits": {"memory": "64Mi"}}, init=({"requests": {"cpu": "1"}},))
    assert as_text(qu.usage("", "pods", p, 0)) == {
        "count/pods": "1", "pods": "1",
        "cpu": "1", "requests.cpu": "1",  # the init container's 1 beats 100m
        "memory": "128Mi", "requests.memory": "128Mi",  # requests default to limits
        "limits.cpu": "200m", "limits.memory": "128Mi"}


def test_terminal_pods_charge_only_their_count() -> None:
    p = {**pod({"requests": {"cpu": "1"}}), "status": {"phase": "Succeeded"}}
    assert as_text(qu.usage("", "pods", p, 0)) == {"count/pods": "1"}


@pytest.mark.parametrize(("resource", "group", "obj", "want"), [
    ("services", "", {"spec": {"type": "NodePort", "ports": [{}, {}]}},
     {"count/services": "1", "services": "1", "services.nodeports": "2"}),
    ("configmaps", "", {}, {"count/configmaps": "1", "configmaps": "1"}),
    ("deployments", "apps", {}, {"count/deployments.apps": "1"}),
    ("persistentvolumeclaims", "", {"spec": {"storageClassName": "fast", "resources": {
        "requests": {"storage": "1Gi"}}}},
     {"count/persistentvolumeclaims": "1", "persistentvolumeclaims": "1",
      "requests.storage": "1Gi", "fast.storageclass.storage.k8s.io/requests.storage": "1Gi",
      "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "1"}),
])
def test_other_kinds(resource: str, group: str, obj: dict, want: dict) -> None:
    assert as_text(qu.usage(group, resource, obj, 0)) == want


def test_scopes_select_pods() -> None:
    best_effort, sized = pod({}), pod({"requests": {"cpu": "1"}})
    terminating = pod({}, activeDeadlineSeconds=30)
    high = pod({}, priorityClassName="high")
    q = {"spec": {"scopes": ["BestEffort"]}}
    assert qu.quota_selects(q, "", "pods", best_effort)
    assert not qu.quota_selects(q, "", "pods", sized)
    assert not qu.quota_selects(q, "", "configmaps", {})  # scoped quotas track pods only
    q = {"spec": {"scopes": ["Terminating", "BestEffort"]}}
    assert qu.quota_selects(q, "", "pods", terminating)
    assert not qu.quota_selects(q, "", "pods", best_effort)
    q = {"spec": {"scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}}
    assert qu.quota_selects(q, "", "pods", high)
    assert not qu.quota_selects(q, "", "pods", best_effort)
    assert qu.quota_selects({"spec": {"hard": {"pods": "1"}}}, "", "configmaps", {})


def test_missing_requirements_name_the_containers() -> None:
    p = pod({"limits": {"cpu": "1"}}, {})
    assert qu.missing_requirements(p, ["limits.cpu", "requests.memory", "pods"]) == {
        "limits.cpu": ["c1"], "requests.memory": ["c0", "c1"]}
    assert qu.missing_requirements(p, ["requests.cpu"]) == {"requests.cpu": ["c1"]}


def test_charged_resource_and_zero_plus() -> None:
    assert qu.charged_resource("count/deployments.apps") == ("apps", "deployments")
    assert qu.charged_resource("limits.memory") == ("", "pods")
    assert qu.charged_resource("services.nodeports") == ("", "services")
    assert str(qu.plus(qu.zero(), qu.quantity("128Mi"))) == "128Mi"
    assert qu.pretty({"pods": qu.quantity("1"), "cpu": qu.quantity("500m")}) \
        == "cpu=500m,pods=1"
