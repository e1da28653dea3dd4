"""Disruption budgets and priority classes with real kubectl 1.32 and 1.37: `create pdb`
(its typed client sends protobuf) and `get pdb`/`get pc` with the server's columns, and
`kubectl drain --ignore-daemonsets --delete-emptydir-data` held back by a budget — the
eviction's 429 printed as kubectl's retry message, --timeout giving up — then going
through once the budget allows a disruption (the test writes the budget's status, as the
disruption controller would when another replica is ready)."""

from __future__ import annotations

import threading
import uuid

from tests.compat.conftest import Kubectl, Rest, node_manifest, pod_manifest

VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget."


def _allow(rest: Rest, ns: str, allowed: int) -> None:
    path = f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/web"
    cur = rest.get(path)
    cur["status"] = {"observedGeneration": cur["metadata"].get("generation", 1),
                     "disruptionsAllowed": allowed, "currentHealthy": 1 + allowed,
                     "desiredHealthy": 1, "expectedPods": 2}
    r = rest.http.put(f"{path}/status", json=cur)
    assert r.status_code == 200, r.text


def _running_pod(rest: Rest, ns: str, name: str, node: str) -> None:
    body = pod_manifest(name, {"app": "web"})
    body["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                            "name": "web", "uid": "u1", "controller": True}]
    body["spec"]["volumes"] = [{"name": "scratch", "emptyDir": {}}]
    rest.create(f"/api/v1/namespaces/{ns}/pods", body)
    rest.bind(ns, name, node)
    cur = rest.get(f"/api/v1/namespaces/{ns}/pods/{name}")
    cur["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    r = rest.http.put(f"/api/v1/namespaces/{ns}/pods/{name}/status", json=cur)
    assert r.status_code == 200, r.text


def test_create_and_get_pdb_and_priority_classes(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "poddisruptionbudget", "web", "--selector=app=web",
               "--min-available=2")
    lines = kubectl.ok("get", "pdb").splitlines()
    assert lines[0].split() == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED",
                                "DISRUPTIONS", "AGE"]
    assert lines[1].split()[:5] == ["web", "2", "N/A", "0", lines[1].split()[4]]
    out = kubectl.ok("get", "pc", "system-node-critical")
    assert out.splitlines()[0].split()[:3] == ["NAME", "VALUE", "GLOBAL-DEFAULT"]
    assert out.splitlines()[1].split()[:3] == ["system-node-critical", "2000001000", "false"]


def test_drain_waits_for_the_budget(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    node = f"drain-{uuid.uuid4().hex[:8]}"
    rest.create("/api/v1/nodes", node_manifest(node))
    rest.create(f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets", {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}})
    _allow(rest, ns, 0)
    _running_pod(rest, ns, "web-1", node)

    flags = ("--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=0")
    r = kubectl("drain", node, *flags, "--timeout=3s")
    assert r.returncode != 0
    assert f'error when evicting pods/"web-1" -n "{ns}" (will retry after 5s): {VIOLATES}' \
        in r.stderr
    assert rest.get(f"/api/v1/nodes/{node}")["spec"]["unschedulable"] is True
    assert rest.status_of(f"/api/v1/namespaces/{ns}/pods/web-1") == 200

    timer = threading.Timer(1.0, _allow, (rest, ns, 1))
    timer.start()
    try:
        out = kubectl.ok("drain", node, *flags, "--timeout=60s")
    finally:
        timer.join()
    assert f"node/{node} drained" in out
    assert rest.status_of(f"/api/v1/namespaces/{ns}/pods/web-1") == 404
