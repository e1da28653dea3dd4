"""ReplicationControllers and ReplicaSets against a real API server and controller
manager: pods stamped with ownerReferences, self-healing, scaling through the scale
subresource, adoption of orphans, and status counts."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import FakeKubelet, pods
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

CONTAINER = {"name": "app", "image": "busybox:1.35", "command": ["sleep", "3600"]}


def rc_body(name: str, replicas: int, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": labels,
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [CONTAINER]}}}}


def rs_body(name: str, replicas: int, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [CONTAINER]}}}}


def count(kube: SyncApiClient, ns: str, selector: str) -> int:
    return len(pods(kube, ns, selector))


def test_rc_creates_pods_with_owner_references(kube: SyncApiClient, ns: str) -> None:
    rc = kube.create("replicationcontrollers", rc_body("web", 3, {"app": "web"}), ns)
    wait_until(lambda: count(kube, ns, "app=web") == 3, 15, "3 pods")
    for pod in pods(kube, ns, "app=web"):
        (ref,) = pod["metadata"]["ownerReferences"]
        assert ref == {"apiVersion": "v1", "kind": "ReplicationController", "name": "web",
                       "uid": rc["metadata"]["uid"], "controller": True,
                       "blockOwnerDeletion": True}
        assert pod["metadata"]["name"].startswith("web-")
    wait_until(lambda: kube.get("replicationcontrollers", "web", ns)["status"]
               .get("replicas") == 3, 10, "status.replicas 3")


def test_deleted_pod_is_replaced(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc_body("heal", 3, {"app": "heal"}), ns)
    wait_until(lambda: count(kube, ns, "app=heal") == 3, 15, "3 pods")
    victim = pods(kube, ns, "app=heal")[0]["metadata"]["name"]
    kube.delete("pods", victim, ns)
    wait_until(lambda: count(kube, ns, "app=heal") == 3 and victim not in
               [p["metadata"]["name"] for p in pods(kube, ns, "app=heal")], 15, "replacement")


def test_scale_subresource_up_and_down(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc_body("sc", 3, {"app": "sc"}), ns)
    wait_until(lambda: count(kube, ns, "app=sc") == 3, 15, "3 pods")
    kube.patch_scale("replicationcontrollers", "sc", 5, ns)
    wait_until(lambda: count(kube, ns, "app=sc") == 5, 15, "5 pods")
    kube.patch_scale("replicationcontrollers", "sc", 1, ns)
    wait_until(lambda: count(kube, ns, "app=sc") == 1, 15, "1 pod")
    scale = kube.get_scale("replicationcontrollers", "sc", ns)
    wait_until(lambda: kube.get_scale("replicationcontrollers", "sc", ns)["status"]
               ["replicas"] == 1, 10, "scale status 1")
    assert scale["status"]["selector"] == "app=sc"


def test_ready_and_available_counts(kube: SyncApiClient, ns: str) -> None:
    kube.create("replicasets", rs_body("rs", 2, {"app": "rs"}), ns)
    wait_until(lambda: count(kube, ns, "app=rs") == 2, 15, "2 pods")
    with FakeKubelet(kube, ns, "node-a", bind=False):
        wait_until(lambda: kube.get("replicasets", "rs", ns)["status"]
                   .get("availableReplicas") == 2, 15, "2 available")
    status = kube.get("replicasets", "rs", ns)["status"]
    assert status["readyReplicas"] == 2 and status["replicas"] == 2
    assert status["observedGeneration"] == 1


def test_adopts_matching_orphans_and_releases_relabelled(kube: SyncApiClient, ns: str) -> None:
    orphan = {"apiVersion": "v1", "kind": "Pod",
              "metadata": {"name": "orphan", "labels": {"app": "adopt"}},
              "spec": {"containers": [CONTAINER]}}
    kube.create("pods", orphan, ns)
    rs = kube.create("replicasets", rs_body("adopt", 2, {"app": "adopt"}), ns)
    wait_until(lambda: count(kube, ns, "app=adopt") == 2, 15, "2 pods")

    def owner_of(name: str) -> list[str]:
        refs = kube.get("pods", name, ns)["metadata"].get("ownerReferences") or []
        return [r["uid"] for r in refs]

    wait_until(lambda: owner_of("orphan") == [rs["metadata"]["uid"]], 10, "adoption")
    kube.patch("pods", "orphan", {"metadata": {"labels": {"app": "other"}}}, ns)
    wait_until(lambda: owner_of("orphan") == [], 10, "release")
    wait_until(lambda: count(kube, ns, "app=adopt") == 2, 15, "a replacement")
