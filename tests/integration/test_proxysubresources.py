"""pods/proxy and services/proxy through a real API server, capped in address space, to a
plain HTTP server on this host standing in for the pod (a loopback-only API server may
dial loopback addresses: every node is this host). 200 MB stream down without the
server's peak memory following it, and request bodies up to the API server's request-body
limit (3 MiB, which applies to every path here) go up; every verb, the path and the query
arrive; hop-by-hop headers and the caller's credentials stay behind, repeated headers
stay repeated; a dead backend, or a Service without endpoints, is a 503 Status (a
Service's own way to its pods is in tests/e2e/test_portforward.py: EndpointSlices may not
hold loopback addresses)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.processes import ApiServerProcess, free_port

ADDRESS_SPACE_CAP = 1536 * 1024 * 1024  # idle, the server maps ~350 MB
STREAMED = 200 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


class Backend(http.server.BaseHTTPRequestHandler):
    """/stream: STREAMED bytes; /sink: counts the body it is sent; anything else: the
    request as JSON, with two Set-Cookie headers."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        pass

    def _answer(self) -> None:
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Length", str(STREAMED))
            self.end_headers()
            for _ in range(STREAMED // len(CHUNK)):
                self.wfile.write(CHUNK)
            return
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            received += len(self.rfile.read(min(len(CHUNK), length - received)))
        body = json.dumps({"method": self.command, "path": self.path, "received": received,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        self.send_header("Keep-Alive", "timeout=5")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _answer


@pytest.fixture(scope="module")
def backend() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("capped-apiserver"),
                            address_space=ADDRESS_SPACE_CAP)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def web(client: httpx.Client, ns: str, backend: int) -> str:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"a": "b"}},
           "spec": {"nodeName": "elsewhere", "containers": [
               {"name": "app", "image": "busybox:1.35",
                "ports": [{"name": "http", "containerPort": backend}]}]}}
    assert client.post(f"/api/v1/namespaces/{ns}/pods", json=pod).status_code == 201
    r = client.patch(f"/api/v1/namespaces/{ns}/pods/web/status",
                     json={"status": {"phase": "Running", "podIP": "127.0.0.1"}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    return "web"


def test_every_verb_path_and_query_pass(client: httpx.Client, ns: str, web: str) -> None:
    base = f"/api/v1/namespaces/{ns}/pods/web/proxy"
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        r = client.request(method, f"{base}/a/b", params={"q": "1", "r": "x y"},
                           content=b"body" if method in ("POST", "PUT", "PATCH") else None,
                           headers={"Authorization": "Bearer secret", "X-Custom": "kept",
                                    "Connection": "X-Gone", "X-Gone": "1"})
        assert r.status_code == 200, r.text
        seen = r.json()
        assert (seen["method"], seen["path"]) == (method, "/a/b?q=1&r=x+y")
        assert seen["headers"]["x-custom"] == "kept"
        assert "authorization" not in seen["headers"] and "x-gone" not in seen["headers"]
        assert r.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert "keep-alive" not in r.headers
    assert client.get(f"{base}").json()["path"] == "/"


def test_streams_do_not_pile_up_in_the_server(apiserver: ApiServerProcess,
                                              client: httpx.Client, ns: str, web: str,
                                              backend: int) -> None:
    base = f"/api/v1/namespaces/{ns}/pods/web:{backend}/proxy"
    before = apiserver.memory("VmHWM")
    received = 0
    with client.stream("GET", f"{base}/stream", timeout=120) as r:
        assert r.status_code == 200 and int(r.headers["content-length"]) == STREAMED
        for chunk in r.iter_raw():
            received += len(chunk)
    assert received == STREAMED

    assert apiserver.memory("VmHWM") - before < 100 * 1024 * 1024

    def upload() -> Iterator[bytes]:
        yield from (CHUNK, CHUNK, b"y" * 1000)

    r = client.post(f"{base}/sink", content=upload(), timeout=120,
                    headers={"Content-Length": str(2 * len(CHUNK) + 1000)})
    assert r.status_code == 200 and r.json()["received"] == 2 * len(CHUNK) + 1000
    r = client.post(f"{base}/sink", content=CHUNK * 4)
    assert r.status_code == 413 and r.json()["reason"] == "RequestEntityTooLarge"


def test_a_service_without_endpoints_is_a_503(client: httpx.Client, ns: str, web: str,
                                                 backend: int) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"ports": [{"name": "http", "port": 80, "targetPort": backend}]}}
    assert client.post(f"/api/v1/namespaces/{ns}/services", json=svc).status_code == 201
    base = f"/api/v1/namespaces/{ns}/services"
    r = client.get(f"{base}/web:80/proxy/x")
    assert r.status_code == 503 and r.json()["message"] == \
        'no endpoints available for service "web:80"'
    r = client.get(f"{base}/web:81/proxy/x")
    assert r.status_code == 503 and r.json()["message"] == \
        'no service port 81 found for service "web"'
    assert client.get(f"{base}/ghost/proxy/").status_code == 404


def test_a_dead_backend_is_a_503(client: httpx.Client, ns: str, web: str) -> None:
    r = client.get(f"/api/v1/namespaces/{ns}/pods/web:{free_port()}/proxy/")
    assert r.status_code == 503 and r.json()["reason"] == "ServiceUnavailable"
    assert r.json()["message"].startswith("error trying to reach service: ")
