"""`tug top nodes|pods` through the API server's metrics.k8s.io, with a stand-in kubelet
serving the Summary API on a local port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.integration.cli.conftest import Tug, create, pod

MERGE = {"Content-Type": "application/merge-patch+json"}
MI = 1024 * 1024


@pytest.fixture
def kubelet_stats() -> Iterator[tuple[int, dict]]:
    summary: dict = {"node": {}, "pods": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = json.dumps(summary).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], summary
    server.shutdown()


def test_top_nodes_and_pods(tug: Tug, api: httpx.Client, ns: str,
                            kubelet_stats: tuple[int, dict]) -> None:
    port, summary = kubelet_stats
    node = f"{ns}-node"
    create(api, "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}})
    api.patch(f"/api/v1/nodes/{node}/status", headers=MERGE, json={"status": {
        "conditions": [{"type": "Ready", "status": "True"}],
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": port}},
        "allocatable": {"cpu": "4", "memory": "8Gi"}}}).raise_for_status()
    web = create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", node=node))
    summary["node"] = {"cpu": {"usageNanoCores": 250_000_000},
                       "memory": {"workingSetBytes": 1024 * MI}}
    summary["pods"] = [{"podRef": {"name": "web", "namespace": ns, "uid": web["metadata"]["uid"]},
                        "containers": [{"name": "c", "cpu": {"usageNanoCores": 5_000_000},
                                        "memory": {"workingSetBytes": 10 * MI}}]}]
    nodes = tug.ok("top", "node", node).splitlines()
    assert nodes == ["NAME" + " " * (len(node) - 1) + "CPU(cores)   CPU(%)   MEMORY(bytes)   "
                     "MEMORY(%)   ",
                     f"{node}   250m         6%       1024Mi          12%         "]
    pods = tug.ok("top", "pods").splitlines()
    assert [p.split() for p in pods] == [["NAME", "CPU(cores)", "MEMORY(bytes)"],
                                         ["web", "5m", "10Mi"]]
    containers = tug.ok("top", "pod", "web", "--containers").splitlines()
    assert containers[1].split() == ["web", "c", "5m", "10Mi"]
    everywhere = tug.ok("top", "pods", "-A").splitlines()
    assert everywhere[0].split()[0] == "NAMESPACE"
    r = tug("top", "pod", "nope")
    assert r.code == 1 and "not found" in r.err
