"""End to end with real Docker (issue 6's checks, continued): a DaemonSet covers every
kubelet and follows one that joins; killing a kubelet makes its pods Unknown and, with the
short timeouts the cluster's flags set, they are recreated on another node; a Service's
Endpoints drop a pod whose readiness probe fails and take it back when it passes; an HPA
scales a CPU-burning RC up."""

from __future__ import annotations

import subprocess
from typing import Any

from tests.e2e.controller.cluster import Cluster, node_ready
from tests.e2e.controller.test_workloads_e2e import SLEEPER, container_of, rc, running
from tests.integration.controller.cluster import pods
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient


def test_daemonset_covers_every_kubelet(cluster: Cluster, kube: SyncApiClient, ns: str) -> None:
    labels = {"ds": "agent"}
    kube.create("daemonsets", {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [SLEEPER]}}}}, ns)

    def covered() -> set[str]:
        return {p["spec"]["nodeName"] for p in running(kube, ns, "ds=agent")}

    wait_until(lambda: covered() == set(cluster.nodes), 90, "a pod on every node")
    joined = f"{cluster.prefix}-joined"
    cluster.start_kubelet(joined)
    wait_until(lambda: covered() == set(cluster.nodes), 90, "a pod on the joining node")
    assert joined in covered()
    status = kube.get("daemonsets", "agent", ns)["status"]
    assert status["desiredNumberScheduled"] == len(cluster.nodes)


def node_condition(kube: SyncApiClient, node: str) -> str | None:
    conds = kube.get("nodes", node).get("status", {}).get("conditions") or []
    return next((c["status"] for c in conds if c["type"] == "Ready"), None)


def test_killed_kubelet_pods_go_unknown_then_move(cluster: Cluster, kube: SyncApiClient,
                                                  ns: str) -> None:
    kube.create("replicationcontrollers", rc("move", 2), ns)
    wait_until(lambda: len(running(kube, ns, "app=move")) == 2, 90, "2 running pods")
    victim_node = running(kube, ns, "app=move")[0]["spec"]["nodeName"]
    doomed = {p["metadata"]["name"] for p in pods(kube, ns, "app=move")
              if p["spec"]["nodeName"] == victim_node}
    cluster.kubelets[victim_node].kill9()
    try:
        wait_until(lambda: node_condition(kube, victim_node) == "Unknown", 40, "node Unknown")
        wait_until(lambda: all(p["status"].get("phase") == "Unknown"
                               for p in pods(kube, ns, "app=move", True)
                               if p["metadata"]["name"] in doomed), 15, "its pods Unknown")
        wait_until(lambda: len(running(kube, ns, "app=move")) == 2 and all(
            p["spec"]["nodeName"] != victim_node for p in running(kube, ns, "app=move")), 90,
            "recreated on another node")
    finally:
        cluster.start_kubelet(victim_node)
    wait_until(lambda: node_ready(kube, victim_node) and not [
        t for t in kube.get("nodes", victim_node)["spec"].get("taints") or []
        if t["key"] == "node.kubernetes.io/unreachable"], 60, "the node back")


def endpoints_of(kube: SyncApiClient, ns: str) -> tuple[set[str], set[str]]:
    ep = kube.get("endpoints", "web", ns)
    ready, not_ready = set(), set()
    for s in ep.get("subsets") or []:
        ready |= {a["targetRef"]["name"] for a in s.get("addresses") or []}
        not_ready |= {a["targetRef"]["name"] for a in s.get("notReadyAddresses") or []}
    return ready, not_ready


def test_endpoints_follow_the_readiness_probe(kube: SyncApiClient, ns: str) -> None:
    probe = {"exec": {"command": ["test", "-f", "/tmp/ready"]}, "periodSeconds": 1,
             "failureThreshold": 1, "successThreshold": 1}
    body = rc("web", 2)
    body["spec"]["template"]["spec"]["containers"] = [
        {**SLEEPER, "command": ["sh", "-c", "touch /tmp/ready; sleep 3600"],
         "readinessProbe": probe}]
    kube.create("replicationcontrollers", body, ns)
    kube.create("services", {"metadata": {"name": "web"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}}, ns)
    wait_until(lambda: len(endpoints_of(kube, ns)[0]) == 2, 90, "2 ready endpoints")
    pod = running(kube, ns, "app=web")[0]
    name = pod["metadata"]["name"]
    container = container_of(pod)
    subprocess.run(["docker", "exec", container, "rm", "/tmp/ready"], check=True,
                   capture_output=True)
    wait_until(lambda: name in endpoints_of(kube, ns)[1] and name not in
               endpoints_of(kube, ns)[0], 30, "the failing pod out of the Service")
    subprocess.run(["docker", "exec", container, "touch", "/tmp/ready"], check=True,
                   capture_output=True)
    wait_until(lambda: name in endpoints_of(kube, ns)[0], 30, "the pod back in the Service")


def test_hpa_scales_a_cpu_burning_rc(kube: SyncApiClient, ns: str) -> None:
    body: dict[str, Any] = rc("burn", 1)
    body["spec"]["template"]["spec"]["containers"] = [
        {**SLEEPER, "command": ["sh", "-c", "while :; do :; done"],
         "resources": {"requests": {"cpu": "100m"}}}]
    kube.create("replicationcontrollers", body, ns)
    kube.create("horizontalpodautoscalers", {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "burn"},
        "spec": {"scaleTargetRef": {"apiVersion": "v1", "kind": "ReplicationController",
                                    "name": "burn"}, "minReplicas": 1, "maxReplicas": 2,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 50}}}]}}, ns)
    try:
        wait_until(lambda: kube.get("replicationcontrollers", "burn", ns)["spec"]["replicas"]
                   == 2, 120, "scaled up by the HPA")
        # The sync after the scale-up may find the new pod without metrics yet and report
        # FailedGetResourceMetric (no currentMetrics); a later one reports the burn again.
        wait_until(lambda: _utilization(kube, ns, "burn") > 50, 60,
                   "the HPA to report the CPU utilization above its target")
    finally:
        kube.delete("horizontalpodautoscalers", "burn", ns)
        kube.patch_scale("replicationcontrollers", "burn", 0, ns)  # stop burning the CPU


def _utilization(kube: SyncApiClient, ns: str, name: str) -> int:
    metrics = kube.get("horizontalpodautoscalers", name, ns)["status"].get("currentMetrics")
    return metrics[0]["resource"]["current"]["averageUtilization"] if metrics else -1
