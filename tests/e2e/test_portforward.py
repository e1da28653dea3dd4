"""Port-forward and the proxy subresources with real containers: a busybox pod serving a
page and a 290 kB file with httpd on 8080 and echoing on 9000 (`nc -ll -e cat`), behind a
Service (80 → 8080 named http, 9000 named echo). Real kubectl 1.32 and 1.37 forward to the
pod and to the Service over tunnelled SPDY; the Python client's `portforward` over the v4
channel protocol; `tug port-forward`; pods/proxy and services/proxy return the page; a pod
that is not running gets kubectl's error."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cluster import Api, pod_manifest
from tests.integration.controller.cluster import ControllerManagerProcess
from tests.support.processes import ApiServerProcess, wait_until

KUBECTLS = {"1.32": "/usr/bin/kubectl", "1.37": str(Path(sys.executable).parent / "kubectl")}
TUG = str(Path(sys.executable).parent / "tug")
BIG = "".join(f"{i}\n" for i in range(1, 50001)).encode()
SERVE = ("mkdir -p /www && echo hello from web > /www/index.html && seq 1 50000 > /www/big "
         "&& (nc -ll -p 9000 -e cat &) && exec httpd -f -p 8080 -h /www")
FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)")


@pytest.fixture(scope="module")
def endpointslices(cluster_api: ApiServerProcess, e2e_dir: Path
                   ) -> Iterator[ControllerManagerProcess]:
    """The controller manager, for the Service's EndpointSlices (services/proxy)."""
    proc = ControllerManagerProcess(cluster_api.url, e2e_dir / "portforward-controllers", [
        "--leader-elect=false", "--node-monitor-grace-period", "120s",
        "--pod-eviction-timeout", "300s"]).start()
    yield proc
    proc.stop()


@pytest.fixture
def web(api: Api, node: str, ns: str) -> str:
    pod = pod_manifest("web", node, SERVE, ports=[
        {"name": "http", "containerPort": 8080}, {"name": "echo", "containerPort": 9000}])
    pod["metadata"]["labels"] = {"app": "web"}
    api.create(ns, pod)
    api.wait_phase(ns, "web", "Running")
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [
                   {"name": "http", "port": 80, "targetPort": "http"},
                   {"name": "echo", "port": 9000, "targetPort": 9000}]}}
    r = api.http.post(f"/api/v1/namespaces/{ns}/services", json=service)
    assert r.status_code == 201, r.text
    wait_until(lambda: _get(api, ns, "web", 8080) is not None, 20, "httpd in the pod")
    return "web"


def _get(api: Api, ns: str, pod: str, port: int) -> str | None:
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/")
    return r.text if r.status_code == 200 else None



class Forwarder:
    """A running `... port-forward` and the local ports it printed, by remote port."""

    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.ports: dict[int, int] = {}

    def wait_ready(self, count: int) -> dict[int, int]:
        assert self.proc.stdout is not None
        while len(self.ports) < count:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"port-forward ended: {self.proc.stderr.read()}")  # type: ignore[union-attr]
            match = FORWARDING.search(line)
            if match:
                self.ports[int(match.group(2))] = int(match.group(1))
        return self.ports

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        return err


def _http(port: int, path: str = "/") -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as r:
        return r.read()


def _echo(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _check_forwarded(http_port: int, echo_port: int | None) -> None:
    assert _http(http_port) == b"hello from web\n"
    assert _http(http_port, "/big") == BIG
    for _ in range(3):  # connection after connection over one session
        assert _http(http_port) == b"hello from web\n"
    if echo_port is not None:
        payload = bytes(range(256)) * 400  # 100 kB up, and back
        assert _echo(echo_port, payload) == payload


@pytest.mark.parametrize("version", sorted(KUBECTLS))
def test_kubectl_port_forward_to_a_pod(kubeconfig: Path, web: str, tmp_path: Path,
                                       version: str) -> None:
    fwd = Forwarder([KUBECTLS[version], "--kubeconfig", str(kubeconfig), "--cache-dir",
                     str(tmp_path / "cache"), "port-forward", f"pod/{web}", ":8080", ":9000"])
    try:
        ports = fwd.wait_ready(2)
        _check_forwarded(ports[8080], ports[9000])
    finally:
        err = fwd.stop()
    assert "error" not in err.lower(), err


@pytest.mark.parametrize("version", sorted(KUBECTLS))
def test_kubectl_port_forward_to_a_service(kubeconfig: Path, web: str, tmp_path: Path,
                                           version: str) -> None:
    fwd = Forwarder([KUBECTLS[version], "--kubeconfig", str(kubeconfig), "--cache-dir",
                     str(tmp_path / "cache"), "port-forward", "service/web", ":80", ":9000"])
    try:
        ports = fwd.wait_ready(2)  # the service ports resolve to the pod's 8080 and 9000
        _check_forwarded(ports[8080], ports[9000])
    finally:
        fwd.stop()


def test_kubectl_reports_a_closed_port(kubeconfig: Path, web: str, tmp_path: Path) -> None:
    fwd = Forwarder([KUBECTLS["1.32"], "--kubeconfig", str(kubeconfig), "--cache-dir",
                     str(tmp_path / "cache"), "port-forward", f"pod/{web}", ":7070"])
    try:
        port = fwd.wait_ready(1)[7070]
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"x")
            assert s.recv(10) == b""  # closed: nothing listens on 7070 in the pod
    finally:
        err = fwd.stop()
    assert "error forwarding port 7070 to pod web" in err, err


def test_kubectl_port_forward_to_a_pod_not_running(api: Api, kubeconfig: Path, ns: str,
                                                   tmp_path: Path) -> None:
    api.create(ns, pod_manifest("idle", "no-such-node", "sleep 60"))
    r = subprocess.run([KUBECTLS["1.32"], "--kubeconfig", str(kubeconfig), "--cache-dir",
                        str(tmp_path / "cache"), "port-forward", "pod/idle", "8080"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "unable to forward port because pod is not running. Current status=Pending" \
        in r.stderr


def test_python_client_portforward(api: Api, web: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.stream import portforward

    config = client.Configuration(host=api.url)
    core = client.CoreV1Api(client.ApiClient(config))
    pf = portforward(core.connect_get_namespaced_pod_portforward, web, ns, ports="8080,7070")
    sock: Any = pf.socket(8080)
    sock.settimeout(20)
    sock.sendall(b"GET /big HTTP/1.0\r\nHost: web\r\n\r\n")
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0]
    assert body == BIG
    wait_until(lambda: pf.error(7070) is not None, 20, "the error of the closed port")
    assert "error forwarding port 7070" in pf.error(7070)
    pf.close()


def test_tug_port_forward(api: Api, web: str, ns: str) -> None:
    fwd = Forwarder([TUG, "--server", api.url, "-n", ns, "port-forward", "service/web",
                     ":http", ":9000"])
    try:
        ports = fwd.wait_ready(2)
        assert set(ports) == {8080, 9000}
        assert _http(ports[8080]) == b"hello from web\n"
        assert _http(ports[8080], "/big") == BIG
    finally:
        fwd.stop()


def test_pod_and_service_proxy(api: Api, web: str, ns: str, kubeconfig: Path,
                               tmp_path: Path, endpointslices: ControllerManagerProcess
                               ) -> None:
    base = f"/api/v1/namespaces/{ns}"
    assert api.http.get(f"{base}/pods/web/proxy/").text == "hello from web\n"  # first port
    assert api.http.get(f"{base}/pods/web:8080/proxy/big").content == BIG
    assert api.http.get(f"{base}/pods/http:web:http/proxy/").text == "hello from web\n"
    r = api.http.head(f"{base}/pods/web:8080/proxy/big")
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(BIG)
    r = api.http.get(f"{base}/pods/web:8080/proxy/missing")
    assert r.status_code == 404  # httpd's answer, passed through
    r = api.http.get(f"{base}/pods/ghost/proxy/")
    assert r.status_code == 404 and r.json()["reason"] == "NotFound"

    def sliced() -> bool:
        r = api.http.get(f"{base}/services/web:80/proxy/")
        return r.status_code == 200
    wait_until(sliced, 30, "the service's endpoints")
    assert api.http.get(f"{base}/services/web:http/proxy/").text == "hello from web\n"
    assert api.http.get(f"{base}/services/web:80/proxy/big").content == BIG
    r = subprocess.run([KUBECTLS["1.32"], "--kubeconfig", str(kubeconfig), "--cache-dir",
                        str(tmp_path / "cache"), "get", "--raw",
                        f"{base}/services/web:80/proxy/"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and r.stdout == "hello from web\n", r.stderr
    r = api.http.get(f"{base}/services/web:81/proxy/")
    assert r.status_code == 503 and r.json()["message"] == \
        'no service port 81 found for service "web"'
    lonely = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lonely"},
              "spec": {"selector": {"app": "nobody"}, "ports": [{"port": 80}]}}
    assert api.http.post(f"{base}/services", json=lonely).status_code == 201
    r = api.http.get(f"{base}/services/lonely/proxy/")
    assert r.status_code == 503 and r.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'no endpoints available for service "lonely"',
        "reason": "ServiceUnavailable", "code": 503}
