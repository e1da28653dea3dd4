"""Cascading deletion against a real API server and controller manager: Background,
Foreground and Orphan propagation, and deleting a whole namespace."""

from __future__ import annotations

from tests.integration.controller.cluster import pods
from tests.integration.controller.test_replication import rc_body, rs_body
from tests.support.processes import wait_until
from tugboat.client import NotFound, SyncApiClient


def exists(kube: SyncApiClient, resource: str, name: str, ns: str | None = None) -> bool:
    try:
        kube.get(resource, name, ns)
    except NotFound:
        return False
    return True


def test_background_deletes_dependents_after_owner(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc_body("bg", 3, {"app": "bg"}), ns)
    wait_until(lambda: len(pods(kube, ns, "app=bg")) == 3, 15, "3 pods")
    kube.delete("replicationcontrollers", "bg", ns, propagation_policy="Background")
    assert not exists(kube, "replicationcontrollers", "bg", ns)
    wait_until(lambda: pods(kube, ns, "app=bg", include_terminating=True) == [], 15,
               "pods collected")


def test_foreground_waits_for_dependents(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicasets", rs_body("fg", 2, {"app": "fg"}), ns)
    wait_until(lambda: len(pods(kube, ns, "app=fg")) == 2, 15, "2 pods")
    held = pods(kube, ns, "app=fg")[0]["metadata"]["name"]
    kube.patch("pods", held, {"metadata": {"finalizers": ["example.com/hold"]}}, ns)
    kube.delete("replicasets", "fg", ns, propagation_policy="Foreground")
    wait_until(lambda: [p["metadata"]["name"] for p in
                        pods(kube, ns, "app=fg", include_terminating=True)] == [held], 15,
               "only the held pod left")
    rs = kube.get("replicasets", "fg", ns)  # still there: waiting for its dependents
    assert rs["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in rs["metadata"]["finalizers"]
    kube.patch("pods", held, {"metadata": {"finalizers": None}}, ns)
    wait_until(lambda: not exists(kube, "replicasets", "fg", ns), 15, "owner removed")


def test_orphan_keeps_dependents_without_owner(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc_body("or", 2, {"app": "or"}), ns)
    wait_until(lambda: len(pods(kube, ns, "app=or")) == 2, 15, "2 pods")
    kube.delete("replicationcontrollers", "or", ns, propagation_policy="Orphan")
    wait_until(lambda: not exists(kube, "replicationcontrollers", "or", ns), 15, "owner gone")
    left = pods(kube, ns, "app=or")
    assert len(left) == 2
    assert all(not p["metadata"].get("ownerReferences") for p in left)


def test_deployment_cascade_through_replicasets(kube: SyncApiClient, ns: str) -> None:
    from tests.integration.controller.test_deployment import deployment

    kube.create("deployments", deployment("casc", 2, "busybox:1.35"), ns)
    wait_until(lambda: len(pods(kube, ns, "app=casc")) == 2, 15, "2 pods")
    kube.delete("deployments", "casc", ns)
    wait_until(lambda: kube.list("replicasets", ns)["items"] == [], 15, "replicasets gone")
    wait_until(lambda: pods(kube, ns, "app=casc", include_terminating=True) == [], 15,
               "pods gone")


def test_namespace_deletion_removes_everything(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc_body("web", 2, {"app": "web"}), ns)
    kube.create("configmaps", {"metadata": {"name": "cfg"}, "data": {"a": "b"}}, ns)
    kube.create("services", {"metadata": {"name": "svc"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}}, ns)
    wait_until(lambda: len(pods(kube, ns, "app=web")) == 2, 15, "2 pods")
    kube.delete("namespaces", ns)
    wait_until(lambda: not exists(kube, "namespaces", ns), 20, "namespace removed")
    for resource in ("pods", "replicationcontrollers", "configmaps", "services", "endpoints"):
        assert kube.list(resource, ns)["items"] == [], resource
