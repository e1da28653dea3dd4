"""End to end with real Docker (issue 16's checks): `tug drain` is held back by a
PodDisruptionBudget until a replica is ready on another node, and a high-priority pod
preempts a low-priority one on a full node — the victim gets its grace period, and the
preemptor runs there once it is gone."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from tests.e2e.controller.cluster import Cluster
from tests.e2e.controller.test_workloads_e2e import SLEEPER, rc, running
from tests.integration.controller.cluster import pods
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient


def _budget_allows(kube: SyncApiClient, ns: str) -> int:
    return (kube.get("poddisruptionbudgets", "web", ns).get("status") or {}).get(
        "disruptionsAllowed", 0)


def test_drain_waits_for_a_replica_ready_elsewhere(cluster: Cluster, kube: SyncApiClient,
                                                   ns: str) -> None:
    kube.create("poddisruptionbudgets", {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}, ns)
    kube.create("replicationcontrollers", rc("web", 1), ns)
    wait_until(lambda: len(running(kube, ns, "app=web")) == 1, 90, "1 running pod")
    [first] = running(kube, ns, "app=web")
    node = first["spec"]["nodeName"]
    wait_until(lambda: kube.get("poddisruptionbudgets", "web", ns).get("status", {}).get(
        "currentHealthy") == 1, 30, "the budget counts the pod")
    assert _budget_allows(kube, ns) == 0

    drain = subprocess.Popen(
        [sys.executable, "-m", "tugboat.cli", "--server", cluster.api.url, "drain", node,
         "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=150s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: kube.get("nodes", node)["spec"].get("unschedulable"), 30,
                   "the node cordoned")
        # held back: the only replica stays while the budget allows nothing
        kube.patch("replicationcontrollers", "web", {"spec": {"replicas": 2}}, ns)
        wait_until(lambda: any(p["spec"]["nodeName"] != node
                               for p in running(kube, ns, "app=web")), 90,
                   "a replica ready on another node")
        out, err = drain.communicate(timeout=150)
    finally:
        if drain.poll() is None:
            drain.kill()
        subprocess.run([sys.executable, "-m", "tugboat.cli", "--server", cluster.api.url,
                        "uncordon", node], capture_output=True, timeout=60)
    assert drain.returncode == 0, err
    assert "(will retry after 5s): Cannot evict pod as it would violate the pod's " \
           "disruption budget." in err
    assert f"pod/{first['metadata']['name']} evicted" in out
    assert all(p["spec"]["nodeName"] != node for p in pods(kube, ns, "app=web"))


def _sleeper(name: str, node: str, cpu: str, priority: int, grace: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "priority": priority,
                     "terminationGracePeriodSeconds": grace,
                     "containers": [{**SLEEPER, "resources": {"requests": {"cpu": cpu}}}]}}


def test_high_priority_pod_preempts_on_a_full_node(cluster: Cluster, kube: SyncApiClient,
                                                   ns: str) -> None:
    node = cluster.nodes[0]
    milli = int(float(kube.get("nodes", node)["status"]["allocatable"]["cpu"]) * 1000)
    share = f"{milli * 6 // 10}m"  # two of these never fit together
    kube.create("pods", _sleeper("low", node, share, 1, 3), ns)
    wait_until(lambda: kube.get("pods", "low", ns)["status"].get("phase") == "Running", 90,
               "low running")
    kube.create("pods", _sleeper("high", node, share, 1000, 1), ns)
    wait_until(lambda: kube.get("pods", "low", ns)["metadata"].get("deletionTimestamp"), 30,
               "low preempted")
    low = kube.get("pods", "low", ns)
    assert low["metadata"]["deletionGracePeriodSeconds"] == 3
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "PreemptionByScheduler"
               for c in low["status"]["conditions"])
    wait_until(lambda: kube.get("pods", "high", ns)["status"].get("phase") == "Running", 90,
               "high running on the node")
    assert kube.get("pods", "high", ns)["spec"]["nodeName"] == node
    assert "low" not in [p["metadata"]["name"] for p in pods(kube, ns, None, True)]
