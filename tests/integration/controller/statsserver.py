"""A stand-in kubelet stats endpoint: `GET /stats/summary` in the shape of Kubernetes'
Summary API, served from a thread (http.server) for the pods the API server has bound to
one node, each container reporting the CPU and memory the test sets."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tugboat.client import SyncApiClient


class FakeStatsServer:
    def __init__(self, kube: SyncApiClient, node: str, *, cpu_nanocores: int = 250_000_000,
                 memory_bytes: int = 64 * 1024 * 1024):
        self.kube, self.node = kube, node
        self.cpu_nanocores, self.memory_bytes = cpu_nanocores, memory_bytes
        self.node_cpu_nanocores = 1_500_000_000
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.requests += 1
                if self.path != "/stats/summary":
                    self.send_error(404)
                    return
                body = json.dumps(outer.summary()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def summary(self) -> dict[str, Any]:
        bound = self.kube.list("pods", None, field_selector=f"spec.nodeName={self.node}")
        usage = {"cpu": {"usageNanoCores": self.cpu_nanocores},
                 "memory": {"workingSetBytes": self.memory_bytes}}
        return {"node": {"nodeName": self.node,
                         "cpu": {"usageNanoCores": self.node_cpu_nanocores},
                         "memory": {"workingSetBytes": 2 * 1024 ** 3}},
                "pods": [{"podRef": {"name": p["metadata"]["name"],
                                     "namespace": p["metadata"]["namespace"],
                                     "uid": p["metadata"]["uid"]},
                          "containers": [{"name": c["name"], **usage}
                                         for c in p["spec"]["containers"]]}
                         for p in bound["items"]]}

    def __enter__(self) -> FakeStatsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
