"""Partitions and pod GC against a real API server and controller manager (grace 11s,
eviction timeout 5s): a pod evicted from an unreachable node stays Terminating — its node
may still be running it — while a node an operator has declared out of service
(`node.kubernetes.io/out-of-service`, Kubernetes' non-graceful node shutdown) has its pods
evicted at once and force-deleted, and a deleted node's pods are force-deleted after the
quarantine."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import Heartbeat, node_body, set_pod_status
from tests.support.processes import wait_until
from tugboat.client import Conflict, NotFound, SyncApiClient

OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"
UNREACHABLE = "node.kubernetes.io/unreachable"


def bound_pod(kube: SyncApiClient, ns: str, name: str, node: str,
              tolerations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    pod = kube.create("pods", {"metadata": {"name": name}, "spec": {
        "nodeName": node, "tolerations": tolerations or [],
        "containers": [{"name": "c", "image": "busybox:1.35"}]}}, ns)
    return set_pod_status(kube, pod, "Running", True)


def state(kube: SyncApiClient, ns: str, name: str) -> str:
    try:
        pod = kube.get("pods", name, ns)
    except NotFound:
        return "gone"
    return "terminating" if pod["metadata"].get("deletionTimestamp") else "running"


def add_taint(kube: SyncApiClient, node: str, taint: dict[str, Any]) -> None:
    for _ in range(20):  # the node lifecycle controller writes taints too
        body = kube.get("nodes", node)
        body["spec"]["taints"] = [*(body["spec"].get("taints") or []), taint]
        try:
            kube.update("nodes", body)
            return
        except Conflict:
            continue
    raise RuntimeError(f"could not taint {node}")


def test_partitioned_pods_stay_terminating_out_of_service_pods_are_removed(
        kube: SyncApiClient, ns: str) -> None:
    for node in ("partitioned", "shut-down"):
        kube.create("nodes", node_body(node))
    with Heartbeat(kube, "partitioned") as a, Heartbeat(kube, "shut-down") as b:
        bound_pod(kube, ns, "on-partitioned", "partitioned")
        # tolerates the node being unreachable for an hour, so only the operator's
        # out-of-service taint can make it go
        bound_pod(kube, ns, "on-shut-down", "shut-down", [{
            "key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 3600}])
        a.beating.clear()
        b.beating.clear()
        wait_until(lambda: state(kube, ns, "on-partitioned") == "terminating", 40,
                   "the partitioned node's pod evicted (gracefully)")
        assert state(kube, ns, "on-shut-down") == "running"
        add_taint(kube, "shut-down", {"key": OUT_OF_SERVICE, "value": "nodeshutdown",
                                      "effect": "NoExecute"})
        wait_until(lambda: state(kube, ns, "on-shut-down") == "gone", 15,
                   "the out-of-service node's pod evicted and force-deleted")
        # Pod GC saw the partitioned pod terminate before the other (the same pod watch)
        # and left it: its node may still be running it.
        assert state(kube, ns, "on-partitioned") == "terminating"


def test_a_deleted_nodes_pods_are_force_deleted(kube: SyncApiClient, ns: str) -> None:
    kube.create("nodes", node_body("removed"))
    bound_pod(kube, ns, "orphan", "removed")
    kube.delete("nodes", "removed")
    wait_until(lambda: state(kube, ns, "orphan") == "gone", 30,
               "the pod of a deleted node removed after the quarantine")
