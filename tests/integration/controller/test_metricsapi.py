"""The API server's metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics) computed from a
kubelet's /stats/summary — here a stand-in stats server registered as a Node's kubelet
endpoint — as `kubectl top` reads it. No controller manager is needed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.controller.cluster import node_body
from tests.integration.controller.statsserver import FakeStatsServer
from tests.support.processes import ApiServerProcess
from tugboat.client import SyncApiClient

METRICS = "/apis/metrics.k8s.io/v1beta1"


@pytest.fixture(scope="module")
def stats(kube: SyncApiClient) -> Iterator[FakeStatsServer]:
    with FakeStatsServer(kube, "metrics-node") as server:
        kube.create("nodes", node_body("metrics-node", kubelet_port=server.port))
        down = node_body("down-node", kubelet_port=server.port)
        down["status"]["conditions"][0]["status"] = "False"
        kube.create("nodes", down)
        kube.create("nodes", node_body("no-endpoint"))
        yield server


@pytest.fixture(scope="module")
def ns(kube: SyncApiClient) -> str:
    kube.create("namespaces", {"metadata": {"name": "metrics"}})
    for name, labels in (("web-1", {"app": "web"}), ("db-1", {"app": "db"})):
        kube.create("pods", {"metadata": {"name": name, "labels": labels}, "spec": {
            "nodeName": "metrics-node", "containers": [
                {"name": "main", "image": "busybox:1.35"},
                {"name": "side", "image": "busybox:1.35"}]}}, "metrics")
    return "metrics"


def test_node_and_pod_metrics(apiserver: ApiServerProcess, stats: FakeStatsServer, ns: str
                              ) -> None:
    with httpx.Client(base_url=apiserver.url, timeout=10) as http:
        nodes = http.get(f"{METRICS}/nodes").json()
        assert nodes["kind"] == "NodeMetricsList"
        assert [n["metadata"]["name"] for n in nodes["items"]] == ["metrics-node"]
        assert nodes["items"][0]["usage"] == {"cpu": "1500000000n", "memory": "2097152Ki"}
        one = http.get(f"{METRICS}/nodes/metrics-node").json()
        assert one["kind"] == "NodeMetrics" and one["window"]
        assert http.get(f"{METRICS}/nodes/down-node").status_code == 404

        listed = http.get(f"{METRICS}/namespaces/{ns}/pods").json()
        assert [p["metadata"]["name"] for p in listed["items"]] == ["db-1", "web-1"]
        web = http.get(f"{METRICS}/namespaces/{ns}/pods/web-1").json()
        assert web["metadata"]["labels"] == {"app": "web"}
        assert web["containers"] == [
            {"name": "main", "usage": {"cpu": "250000000n", "memory": "65536Ki"}},
            {"name": "side", "usage": {"cpu": "250000000n", "memory": "65536Ki"}}]
        selected = http.get(f"{METRICS}/namespaces/{ns}/pods",
                            params={"labelSelector": "app=db"}).json()
        assert [p["metadata"]["name"] for p in selected["items"]] == ["db-1"]
        everywhere = http.get(f"{METRICS}/pods").json()
        assert len(everywhere["items"]) == 2
        missing = http.get(f"{METRICS}/namespaces/{ns}/pods/nope")
        assert missing.status_code == 404 and missing.json()["reason"] == "NotFound"
        assert http.get(f"{METRICS}/pods", params={"watch": "1"}).status_code == 405


def test_kubectl_top(apiserver: ApiServerProcess, stats: FakeStatsServer, ns: str) -> None:
    def top(*args: str) -> str:
        out = subprocess.run(["kubectl", "--server", apiserver.url, "top", *args],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    nodes = top("nodes")
    assert "metrics-node" in nodes and "1500m" in nodes
    pods = top("pods", "-n", ns)
    assert "web-1" in pods and "500m" in pods and "128Mi" in pods
