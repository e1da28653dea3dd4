"""`tug drain` against a disruption budget: an eviction the budget refuses is retried
every 5 s with kubectl's message, --timeout gives up, and the drain goes through once the
budget allows the disruption. The disruption controller is not running here: the test
writes the budget's status as that controller would."""

from __future__ import annotations

import threading

import httpx

from tests.integration.cli.conftest import Tug, create, pod

RETRY = ("Cannot evict pod as it would violate the pod's disruption budget.")


def _running(api: httpx.Client, ns: str, name: str, node: str) -> None:
    body = pod(name, labels={"app": "web"}, node=node)
    body["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                            "name": "rs", "uid": "u1", "controller": True}]
    create(api, f"/api/v1/namespaces/{ns}/pods", body)
    cur = api.get(f"/api/v1/namespaces/{ns}/pods/{name}").json()
    cur["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert api.put(f"/api/v1/namespaces/{ns}/pods/{name}/status", json=cur).status_code == 200


def _allow(api: httpx.Client, ns: str, allowed: int) -> None:
    path = f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/web"
    cur = api.get(path).json()
    cur["status"] = {"observedGeneration": 1, "disruptionsAllowed": allowed,
                     "currentHealthy": 1 + allowed, "desiredHealthy": 1, "expectedPods": 2}
    assert api.put(f"{path}/status", json=cur).status_code == 200, cur


def test_drain_retries_until_the_budget_allows(tug: Tug, api: httpx.Client, ns: str) -> None:
    node = f"{ns}-n"
    create(api, "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}})
    create(api, f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets", {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}})
    _allow(api, ns, 0)
    _running(api, ns, "web-1", node)

    r = tug("drain", node, "--timeout=2s", "--grace-period=0")
    assert r.code == 1
    assert f'error when evicting pods/"web-1" -n "{ns}" (will retry after 5s): {RETRY}' in r.err
    assert f'unable to drain node "{node}"' in r.err and "global timeout reached" in r.err
    assert api.get(f"/api/v1/namespaces/{ns}/pods/web-1").status_code == 200

    # another replica became ready elsewhere: the budget allows one disruption
    timer = threading.Timer(1.0, _allow, (api, ns, 1))
    timer.start()
    try:
        r = tug("drain", node, "--grace-period=0", "--timeout=60s").ok()
    finally:
        timer.join()
    assert "pod/web-1 evicted" in r.out.splitlines()
    assert r.out.splitlines()[-1] == f"node/{node} drained"
    assert api.get(f"/api/v1/namespaces/{ns}/pods/web-1").status_code == 404
