"""Node lifecycle against a real API server and a controller manager on short flags
(--node-monitor-grace-period 3s, --pod-eviction-timeout 5s): a node whose Lease stops
being renewed becomes Ready=Unknown and tainted, its pods phase Unknown and not Ready
(S2), then its pods are deleted and their RC replaces them; a returning node loses the
taint."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import Heartbeat, node_body, pods, set_pod_status
from tests.integration.controller.test_replication import rc_body
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

UNREACHABLE = "node.kubernetes.io/unreachable"


def ready_status(kube: SyncApiClient, node: str) -> str | None:
    conds = kube.get("nodes", node).get("status", {}).get("conditions") or []
    return next((c["status"] for c in conds if c["type"] == "Ready"), None)


def taints(kube: SyncApiClient, node: str) -> set[tuple[str, str]]:
    return {(t["key"], t["effect"]) for t in kube.get("nodes", node)["spec"].get("taints") or []}


def pod_state(pod: dict[str, Any]) -> tuple[str | None, str | None]:
    ready = next((c["status"] for c in pod["status"].get("conditions") or []
                  if c["type"] == "Ready"), None)
    return pod["status"].get("phase"), ready


def test_unreachable_node_pods_go_unknown_then_are_replaced(kube: SyncApiClient, ns: str
                                                            ) -> None:
    kube.create("nodes", node_body("lost"))
    with Heartbeat(kube, "lost") as beat:
        kube.create("replicationcontrollers", rc_body("web", 2, {"app": "web"}), ns)
        wait_until(lambda: len(pods(kube, ns, "app=web")) == 2, 15, "2 pods")
        originals = {p["metadata"]["name"] for p in pods(kube, ns, "app=web")}
        for p in pods(kube, ns, "app=web"):
            kube.bind(p["metadata"]["name"], "lost", ns)
            set_pod_status(kube, p, "Running", True)
        beat.beating.clear()  # the kubelet dies
        wait_until(lambda: ready_status(kube, "lost") == "Unknown", 15, "node Unknown")
        wait_until(lambda: {(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")}
                   <= taints(kube, "lost"), 5, "the unreachable taints")
        wait_until(lambda: all(pod_state(p) == ("Unknown", "False") for p in
                               pods(kube, ns, "app=web") if p["metadata"]["name"] in originals),
                   10, "pods Unknown and not Ready")
        wait_until(lambda: not originals & {p["metadata"]["name"] for p in
                                            pods(kube, ns, "app=web", True)}, 20, "evicted")
        wait_until(lambda: len(pods(kube, ns, "app=web")) == 2, 15, "replaced")
        beat.beating.set()  # the kubelet is back
        wait_until(lambda: UNREACHABLE not in {k for k, _ in taints(kube, "lost")}, 15,
                   "taint removed")


def test_healthy_node_is_left_alone(kube: SyncApiClient, ns: str) -> None:
    kube.create("nodes", node_body("fine"))
    with Heartbeat(kube, "fine"):
        pod = kube.create("pods", {"metadata": {"name": "p"}, "spec": {
            "nodeName": "fine", "containers": [{"name": "c", "image": "busybox:1.35"}]}}, ns)
        set_pod_status(kube, pod, "Running", True)
        sentinel = kube.create("nodes", node_body("sentinel"))  # never heartbeats
        wait_until(lambda: ready_status(kube, sentinel["metadata"]["name"]) == "Unknown", 15,
                   "the sentinel goes Unknown, so the monitor has run past the grace period")
        assert ready_status(kube, "fine") == "True"
        assert taints(kube, "fine") == set()
        assert pod_state(kube.get("pods", "p", ns)) == ("Running", "True")
