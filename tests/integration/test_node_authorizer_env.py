"""A kubelet reads the ConfigMaps and Secrets its pods' environments reference with its node
identity: on a secure server authorizing `Node,RBAC`, node-a may get the objects named by
env valueFrom (configMapKeyRef, secretKeyRef) and envFrom (configMapRef, secretRef) of app,
init and sidecar containers of a pod bound to it — and node-b, which runs no such pod, may
not, nor may node-a read one no pod references."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from tests.support.pki import TestPKI
from tests.support.processes import ApiServerProcess, free_port, wait_until

NS = "envrefs"
REFERENCED = [("configmaps", "key-cm"), ("secrets", "key-secret"), ("configmaps", "from-cm"),
              ("secrets", "from-secret"), ("configmaps", "init-cm"), ("secrets", "init-secret")]


def _post(c: httpx.Client, path: str, body: dict) -> None:
    r = c.post(path, json=body)
    assert r.status_code == 201, r.text


def _pod() -> dict:
    def key(kind: str, name: str) -> dict:
        return {"name": "V", "valueFrom": {kind: {"name": name, "key": "k"}}}

    app = {"name": "app", "image": "busybox:1.35",
           "env": [key("configMapKeyRef", "key-cm"), key("secretKeyRef", "key-secret")],
           "envFrom": [{"configMapRef": {"name": "from-cm"}},
                       {"prefix": "S_", "secretRef": {"name": "from-secret"}}]}
    init = {"name": "init", "image": "busybox:1.35", "restartPolicy": "Always",
            "envFrom": [{"configMapRef": {"name": "init-cm"}}],
            "env": [key("secretKeyRef", "init-secret")]}
    return {"metadata": {"name": "web"},
            "spec": {"nodeName": "node-a", "containers": [app], "initContainers": [init]}}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, httpx.Client]]:
    d = tmp_path_factory.mktemp("envrefs")
    pki = TestPKI(d / "pki")
    serving = pki.serving()
    port = free_port()
    server = ApiServerProcess(d / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--authorization-mode", "Node,RBAC"])
    server.start()
    clients: dict[str, httpx.Client] = {}
    try:
        with httpx.Client(base_url=server.url, timeout=15) as insecure:
            _post(insecure, "/api/v1/namespaces", {"metadata": {"name": NS}})
            for resource, name in [*REFERENCED, ("configmaps", "unreferenced")]:
                _post(insecure, f"/api/v1/namespaces/{NS}/{resource}",
                      {"metadata": {"name": name}, "data": {}})
            _post(insecure, f"/api/v1/namespaces/{NS}/pods", _pod())
        for node in ("node-a", "node-b"):
            ctx = ssl.create_default_context(cafile=str(pki.ca.cert))
            pair = pki.client(f"system:node:{node}", ("system:nodes",))
            ctx.load_cert_chain(str(pair.cert), str(pair.key))
            clients[node] = httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=ctx,
                                         timeout=15)
        wait_until(lambda: clients["node-a"].get("/version").status_code == 200, 10,
                   "the secure port")
        yield clients
    finally:
        for c in clients.values():
            c.close()
        server.stop()


@pytest.mark.parametrize(("resource", "name"), REFERENCED)
def test_only_the_node_running_the_pod_reads_its_env_sources(
        nodes: dict[str, httpx.Client], resource: str, name: str) -> None:
    path = f"/api/v1/namespaces/{NS}/{resource}/{name}"
    assert nodes["node-a"].get(path).status_code == 200
    r = nodes["node-b"].get(path)
    assert r.status_code == 403
    assert r.json()["reason"] == "Forbidden"


def test_an_unreferenced_object_stays_forbidden(nodes: dict[str, httpx.Client]) -> None:
    r = nodes["node-a"].get(f"/api/v1/namespaces/{NS}/configmaps/unreferenced")
    assert r.status_code == 403
    assert "no relationship found between node 'node-a' and this object" in r.json()["message"]
