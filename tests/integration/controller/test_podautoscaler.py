"""The HorizontalPodAutoscaler against a real API server and controller manager (1s sync
period, 3s downscale stabilisation), with CPU usage from a stand-in kubelet stats server
through the API server's metrics.k8s.io: it scales an RC up to its maximum while the pods
burn CPU, and back down to its minimum once they idle and the window has passed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.controller.cluster import FakeKubelet, Heartbeat, node_body, pods
from tests.integration.controller.statsserver import FakeStatsServer
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

NODE = "hpa-node"


@pytest.fixture(scope="module")
def stats(kube: SyncApiClient, manager: object) -> Iterator[FakeStatsServer]:
    with FakeStatsServer(kube, NODE) as server:
        kube.create("nodes", node_body(NODE, kubelet_port=server.port))
        with Heartbeat(kube, NODE):
            yield server


def test_hpa_scales_a_cpu_burning_rc_up_and_down(kube: SyncApiClient, ns: str,
                                                 stats: FakeStatsServer) -> None:
    labels = {"app": "burn"}
    kube.create("replicationcontrollers", {"metadata": {"name": "burn"}, "spec": {
        "replicas": 1, "selector": labels, "template": {"metadata": {"labels": labels},
                                                         "spec": {"containers": [{
                                                             "name": "burn",
                                                             "image": "busybox:1.35",
                                                             "resources": {"requests": {
                                                                 "cpu": "100m"}}}]}}}}, ns)
    stats.cpu_nanocores = 200_000_000  # 200m of a 100m request: 200%
    kube.create("horizontalpodautoscalers", {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "burn"},
        "spec": {"scaleTargetRef": {"apiVersion": "v1", "kind": "ReplicationController",
                                    "name": "burn"},
                 "minReplicas": 1, "maxReplicas": 5,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 50}}}]}}, ns)

    def replicas() -> int:
        return kube.get("replicationcontrollers", "burn", ns)["spec"]["replicas"]

    with FakeKubelet(kube, ns, NODE, bind=True):
        wait_until(lambda: replicas() == 5, 30, "scaled up to maxReplicas")
        wait_until(lambda: len(pods(kube, ns, "app=burn")) == 5, 15, "5 pods")
        hpa = kube.get("horizontalpodautoscalers", "burn", ns)
        status = hpa["status"]
        assert status["desiredReplicas"] == 5 and status["lastScaleTime"]
        conds = {c["type"]: c for c in status["conditions"]}
        assert conds["AbleToScale"]["status"] == "True"
        assert conds["ScalingActive"]["reason"] == "ValidMetricFound"
        wait_until(lambda: (kube.get("horizontalpodautoscalers", "burn", ns)["status"]
                            ["currentMetrics"][0]["resource"]["current"]
                            .get("averageUtilization")) == 200, 15, "200% utilisation shown")
        wait_until(lambda: {c["type"]: c for c in kube.get(
            "horizontalpodautoscalers", "burn", ns)["status"]["conditions"]}["ScalingLimited"]
            ["reason"] == "TooManyReplicas", 15, "limited by maxReplicas")
        stats.cpu_nanocores = 10_000_000  # idle: 10%
        wait_until(lambda: replicas() == 1, 30, "scaled down to minReplicas")
    events = kube.list("events", ns, field_selector="involvedObject.name=burn")["items"]
    assert any(e["reason"] == "SuccessfulRescale" for e in events)
