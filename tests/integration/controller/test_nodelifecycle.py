"""Node lifecycle against a real API server and a controller manager on short flags
(--node-monitor-grace-period 11s, --pod-eviction-timeout 5s): a node whose Lease stops
being renewed becomes Ready=Unknown and tainted, its pods phase Unknown and not Ready
(S2), then its pods are evicted gracefully — left Terminating, for the node may still run
them — and their RC replaces them; a returning node loses the taint. A node already
silent when the manager starts is marked at once, not after a fresh grace period."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from tests.integration.controller.cluster import (
    FAST_FLAGS,
    ControllerManagerProcess,
    Heartbeat,
    node_body,
    pods,
    renew_lease,
    set_pod_status,
)
from tests.integration.controller.test_replication import rc_body
from tests.support.processes import ApiServerProcess, wait_until
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


def test_unreachable_node_pods_go_unknown_then_are_evicted_gracefully_and_replaced(
        kube: SyncApiClient, ns: str) -> None:
    kube.create("nodes", node_body("lost"))
    with Heartbeat(kube, "lost") as beat:
        kube.create("replicationcontrollers", rc_body("web", 2, {"app": "web"}), ns)
        wait_until(lambda: len(pods(kube, ns, "app=web")) == 2, 15, "2 pods")
        originals = {p["metadata"]["name"] for p in pods(kube, ns, "app=web")}
        for p in pods(kube, ns, "app=web"):
            kube.bind(p["metadata"]["name"], "lost", ns)
            set_pod_status(kube, p, "Running", True)
        beat.beating.clear()  # the kubelet dies, or its network does
        wait_until(lambda: ready_status(kube, "lost") == "Unknown", 30, "node Unknown")
        wait_until(lambda: {(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")}
                   <= taints(kube, "lost"), 5, "the unreachable taints")
        wait_until(lambda: all(pod_state(p) == ("Unknown", "False") for p in
                               pods(kube, ns, "app=web") if p["metadata"]["name"] in originals),
                   10, "pods Unknown and not Ready")
        wait_until(lambda: not originals & {p["metadata"]["name"] for p in
                                            pods(kube, ns, "app=web")}, 20, "evicted")
        wait_until(lambda: len(pods(kube, ns, "app=web")) == 2, 15, "replaced")
        # Evicted, not removed: the node may still be running them, so they stay
        # Terminating until their kubelet says they stopped.
        terminating = {p["metadata"]["name"] for p in pods(kube, ns, "app=web", True)
                       if p["metadata"].get("deletionTimestamp")}
        assert terminating == originals
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
        wait_until(lambda: ready_status(kube, sentinel["metadata"]["name"]) == "Unknown", 30,
                   "the sentinel goes Unknown, so the monitor has run past the grace period")
        assert ready_status(kube, "fine") == "True"
        assert taints(kube, "fine") == set()
        assert pod_state(kube.get("pods", "p", ns)) == ("Running", "True")


def _ago(seconds: float, micro: bool = False) -> str:
    when = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def test_node_silent_since_a_previous_run_is_unreachable_as_the_manager_starts(
        tmp_path: Path) -> None:
    """What a cluster restarted after a while looks like: a node whose Lease and status
    were last written ten minutes ago, and one whose kubelet is renewing. The grace period
    is 60 s, so only reading the stale node's timestamps can mark it within seconds."""
    server = ApiServerProcess(tmp_path / "apiserver")
    server.start()
    manager = None
    try:
        with SyncApiClient(server.url, timeout=15.0) as kube:
            old = node_body("left-over")
            for c in old["status"]["conditions"]:
                c["lastHeartbeatTime"] = c["lastTransitionTime"] = _ago(600)
            kube.create("nodes", old)
            renew_lease(kube, "left-over", _ago(600, micro=True))
            kube.create("nodes", node_body("alive"))
            flags = [*FAST_FLAGS, "--node-monitor-grace-period", "60s"]  # the last one counts
            with Heartbeat(kube, "alive"):
                manager = ControllerManagerProcess(server.url, tmp_path / "cm", flags).start()
                wait_until(lambda: ready_status(kube, "left-over") == "Unknown"
                           and (UNREACHABLE, "NoSchedule") in taints(kube, "left-over"),
                           10, "the left-over node Unknown and tainted within seconds")
                assert ready_status(kube, "alive") == "True"
                assert taints(kube, "alive") == set()
    finally:
        if manager is not None:
            manager.stop()
        server.stop()
