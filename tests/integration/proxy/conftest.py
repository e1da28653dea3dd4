"""Fixtures for the proxy's integration tests: a real tug-proxy inside a node network
namespace (netns.py), against the real API server on the host's loopback, with pods as
further namespaces. Only addresses inside those namespaces are used."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.proxy.netns import NetNs, Node
from tests.support.processes import ApiServerProcess, wait_until

NODE_NAME = "node-a"


class ProxyProcess:
    """`tug-proxy` run with `ip netns exec` in the node's namespace."""

    def __init__(self, node: Node, server_port: int, log: Path, *flags: str):
        self.node, self.log, self.flags = node, log, flags
        self.server = f"http://127.0.0.1:{node.relay(server_port)}"
        self.port = 10256
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ProxyProcess:
        self.proc = self.node.ns.popen(
            [sys.executable, "-m", "tugboat.proxy", "--server", self.server,
             "--hostname-override", NODE_NAME, "--healthz-port", str(self.port),
             "--metrics-port", str(self.port), "--iptables-min-sync-period", "200ms", *self.flags],
            self.log)
        wait_until(lambda: self.get("/healthz")[0] == 200 and self.synced(), 30,
                   f"tug-proxy's first sync (log {self.log})")
        return self

    def synced(self) -> bool:
        return "TUG-SERVICES" in self.node.ns.exec("iptables-save", "-t", "nat").stdout

    def get(self, path: str) -> tuple[int, str]:
        """A GET on the proxy's port inside the namespace."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"tug-proxy exited: {self.log.read_text()[-2000:]}")
        s = self.node.ns.socket()
        with s:
            s.settimeout(5)
            s.connect(("127.0.0.1", self.port))
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.decode().partition("\r\n\r\n")
        return int(head.split(" ", 2)[1]), body

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        return self.proc.wait(15)


def connect(ns: NetNs, ip: str, port: int, timeout: float = 2.0) -> str:
    """Open a TCP connection from inside `ns`; the name the answering pod sent."""
    s = ns.socket()
    with s:
        s.settimeout(timeout)
        s.connect((ip, port))
        data = b""
        while chunk := s.recv(1024):
            data += chunk
    return data.decode().strip()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    n = Node(tmp_path_factory.mktemp("node"))
    try:
        yield n
    finally:
        n.delete()


@pytest.fixture(scope="module")
def proxy(node: Node, apiserver: ApiServerProcess) -> Iterator[ProxyProcess]:
    p = ProxyProcess(node, apiserver.port, node.log_dir / "proxy.log").start()
    try:
        yield p
    finally:
        p.stop()


class Api:
    """Services and EndpointSlices through the real API, in one namespace."""

    def __init__(self, client: httpx.Client, ns: str):
        self.client, self.ns = client, ns

    def service(self, name: str, **spec: Any) -> dict[str, Any]:
        spec.setdefault("ports", [{"name": "http", "port": 80, "targetPort": 8080}])
        r = self.client.post(f"/api/v1/namespaces/{self.ns}/services", json={
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": spec})
        assert r.status_code == 201, r.text
        return r.json()

    def slice(self, service: str, endpoints: list[dict[str, Any]],
              name: str | None = None) -> dict[str, Any]:
        body = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": name or f"{service}-1",
                             "labels": {"kubernetes.io/service-name": service}},
                "addressType": "IPv4", "endpoints": endpoints,
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}
        path = f"/apis/discovery.k8s.io/v1/namespaces/{self.ns}/endpointslices"
        current = self.client.get(f"{path}/{body['metadata']['name']}")
        if current.status_code == 200:
            body["metadata"]["resourceVersion"] = current.json()["metadata"]["resourceVersion"]
            r = self.client.put(f"{path}/{body['metadata']['name']}", json=body)
            assert r.status_code == 200, r.text
        else:
            r = self.client.post(path, json=body)
            assert r.status_code == 201, r.text
        return r.json()


def endpoint(pod: Any, ready: bool = True, node: str = NODE_NAME, **conditions: bool
             ) -> dict[str, Any]:
    return {"addresses": [pod.ip], "nodeName": node,
            "conditions": {"ready": ready, "serving": conditions.get("serving", ready),
                           "terminating": conditions.get("terminating", False)}}


@pytest.fixture
def api(client: httpx.Client, ns: str) -> Api:
    return Api(client, ns)


def refused(ns: NetNs, ip: str, port: int) -> bool:
    try:
        connect(ns, ip, port, timeout=1.0)
    except ConnectionRefusedError:
        return True
    except (TimeoutError, socket.timeout, OSError):
        return False
    return False
