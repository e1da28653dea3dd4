"""Who may do what on a secure server, as one table: each caller (anonymous, an admin in
system:masters, a user bound to `view`, a ServiceAccount token bound to a live pod, the
kubelets of two nodes, an expired token and a token whose pod was deleted) against reads
and writes of namespaced, cluster-scoped and non-resource paths, with the exact codes
kube-apiserver gives: 401 for a credential that is no longer good (even on /healthz), 403
for a known caller without the right, 2xx otherwise. One server runs `tug up`'s
authorization and admission (Node,RBAC; ServiceAccount, NodeRestriction, PodSecurity)."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.pki import TestPKI, service_account_key
from tests.support.processes import ApiServerProcess, free_port, wait_until
from tugboat.apiserver.serviceaccount.tokens import (
    ObjectRef,
    TokenClaims,
    TokenIssuer,
    load_private_key,
)

RBAC = "rbac.authorization.k8s.io"
NS = "matrix"
CALLERS = ("anonymous", "admin", "viewer", "robot", "node-a", "node-b", "expired", "orphaned")


@dataclass
class Matrix:
    clients: dict[str, httpx.Client]
    insecure: httpx.Client


def _post(c: httpx.Client, path: str, body: dict) -> dict:
    r = c.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _pod(name: str, node: str | None = None, secret: str | None = None,
         service_account: str = "default") -> dict:
    spec: dict = {"containers": [{"name": "c", "image": "busybox:1.35"}],
                  "serviceAccountName": service_account}
    if node:
        spec["nodeName"] = node
    if secret:
        spec["volumes"] = [{"name": "s", "secret": {"secretName": secret}}]
    return {"metadata": {"name": name}, "spec": spec}


def _token(insecure: httpx.Client, pod: dict) -> str:
    r = _post(insecure, f"/api/v1/namespaces/{NS}/serviceaccounts/robot/token", {
        "spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                    "name": pod["metadata"]["name"],
                                    "uid": pod["metadata"]["uid"]}}})
    return r["status"]["token"]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    d = tmp_path_factory.mktemp("matrix")
    pki = TestPKI(d / "pki")
    serving = pki.serving()
    sa_key = service_account_key(d / "sa.key")
    port = free_port()
    server = ApiServerProcess(d / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--authorization-mode", "Node,RBAC",
        "--enable-admission-plugins",
        "NamespaceLifecycle,ServiceAccount,NodeRestriction,PodSecurity",
        "--service-account-signing-key-file", str(sa_key)])
    server.start()
    insecure = httpx.Client(base_url=server.url, timeout=15)
    _post(insecure, "/api/v1/namespaces", {"metadata": {"name": NS}})
    for sa in ("default", "robot"):
        _post(insecure, f"/api/v1/namespaces/{NS}/serviceaccounts", {"metadata": {"name": sa}})
    for name, subject in (("viewer", {"apiGroup": RBAC, "kind": "User", "name": "viewer"}),
                          ("robot", {"kind": "ServiceAccount", "name": "robot",
                                     "namespace": NS})):
        _post(insecure, f"/apis/{RBAC}/v1/namespaces/{NS}/rolebindings", {
            "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole",
                        "name": "view" if name == "viewer" else "edit"},
            "subjects": [subject]})
    _post(insecure, f"/api/v1/namespaces/{NS}/secrets",
          {"metadata": {"name": "a-secret"}, "stringData": {"k": "v"}})
    _post(insecure, f"/api/v1/namespaces/{NS}/pods", _pod("on-a", "node-a", "a-secret"))
    for node in ("node-a", "node-b"):
        _post(insecure, "/api/v1/nodes", {"metadata": {"name": node}})
    live = _post(insecure, f"/api/v1/namespaces/{NS}/pods", _pod("holder", service_account="robot"))
    gone = _post(insecure, f"/api/v1/namespaces/{NS}/pods", _pod("gone", service_account="robot"))
    robot_token, orphaned_token = _token(insecure, live), _token(insecure, gone)
    assert insecure.delete(f"/api/v1/namespaces/{NS}/pods/gone").status_code == 200
    robot = insecure.get(f"/api/v1/namespaces/{NS}/serviceaccounts/robot").json()
    # Signed by the right key for the right account and pod, but two hours ago for ten
    # minutes: only its expiry is wrong.
    expired_token, _ = TokenIssuer(load_private_key(sa_key), clock=lambda: time.time() - 7200
                                   ).issue(TokenClaims(NS, ObjectRef("robot", robot["metadata"][
                                       "uid"]), pod=ObjectRef("holder", live["metadata"]["uid"])),
                                       ["https://kubernetes.default.svc.cluster.local"], 600)

    secure = f"https://127.0.0.1:{port}"

    def client(cert: tuple[str, tuple[str, ...]] | None = None,
               token: str | None = None) -> httpx.Client:
        ctx = ssl.create_default_context(cafile=str(pki.ca.cert))
        if cert:
            pair = pki.client(*cert)
            ctx.load_cert_chain(str(pair.cert), str(pair.key))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=secure, verify=ctx, headers=headers, timeout=15)

    clients = {
        "anonymous": client(),
        "admin": client(("kubernetes-admin", ("system:masters",))),
        "viewer": client(("viewer", ())),
        "robot": client(token=robot_token),
        "node-a": client(("system:node:node-a", ("system:nodes",))),
        "node-b": client(("system:node:node-b", ("system:nodes",))),
        "expired": client(token=expired_token),
        "orphaned": client(token=orphaned_token),
    }
    wait_until(lambda: clients["robot"].get("/version").status_code == 200, 10,
               "the secure port")
    yield Matrix(clients, insecure)
    for c in clients.values():
        c.close()
    insecure.close()
    server.stop()


NODE_STATUS = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
# (what, method, path, body) → the code for each caller, in CALLERS' order:
#   anonymous admin viewer robot node-a node-b expired orphaned
MATRIX = [
    (("health", "GET", "/healthz", None),
     (200, 200, 200, 200, 200, 200, 401, 401)),
    (("version", "GET", "/version", None),
     (200, 200, 200, 200, 200, 200, 401, 401)),
    (("discovery", "GET", "/api/v1", None),
     (403, 200, 200, 200, 200, 200, 401, 401)),
    (("list pods", "GET", f"/api/v1/namespaces/{NS}/pods", None),
     (403, 200, 200, 200, 200, 200, 401, 401)),
    (("get pod", "GET", f"/api/v1/namespaces/{NS}/pods/on-a", None),
     (403, 200, 200, 200, 200, 200, 401, 401)),
    (("a secret node-a's pod uses", "GET", f"/api/v1/namespaces/{NS}/secrets/a-secret", None),
     (403, 200, 403, 200, 200, 403, 401, 401)),
    (("create configmap", "POST", f"/api/v1/namespaces/{NS}/configmaps",
      {"metadata": {"generateName": "cm-"}}),
     (403, 201, 403, 201, 403, 403, 401, 401)),
    # a kubelet may read only its own Node (Kubernetes 1.32's AuthorizeNodeWithSelectors)
    (("list nodes", "GET", "/api/v1/nodes", None),
     (403, 200, 403, 403, 403, 403, 401, 401)),
    (("get node-a", "GET", "/api/v1/nodes/node-a", None),
     (403, 200, 403, 403, 200, 403, 401, 401)),
    (("node-a's status", "PATCH", "/api/v1/nodes/node-a/status", NODE_STATUS),
     (403, 200, 403, 403, 200, 403, 401, 401)),
    (("create a role binding", "POST", f"/apis/{RBAC}/v1/namespaces/{NS}/rolebindings",
      {"metadata": {"generateName": "b-"},
       "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
       "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "someone"}]}),
     (403, 201, 403, 403, 403, 403, 401, 401)),
    (("delete pod on-a", "DELETE", f"/api/v1/namespaces/{NS}/pods/on-a?dryRun=All", None),
     (403, 200, 403, 200, 200, 403, 401, 401)),
]


@pytest.mark.parametrize("request_, codes", MATRIX, ids=[m[0][0] for m in MATRIX])
def test_matrix(matrix: Matrix, request_: tuple, codes: tuple[int, ...]) -> None:
    _, method, path, body = request_
    got = {}
    for caller in CALLERS:
        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
        r = matrix.clients[caller].request(method, path, json=body, headers=headers)
        got[caller] = r.status_code
        if r.status_code in (401, 403):
            status = r.json()
            assert status["kind"] == "Status" and status["code"] == r.status_code
            assert status["reason"] == ("Unauthorized" if r.status_code == 401 else "Forbidden")
    assert got == dict(zip(CALLERS, codes, strict=True))


def test_a_forbidden_message_names_the_caller_and_the_request(matrix: Matrix) -> None:
    r = matrix.clients["viewer"].get(f"/api/v1/namespaces/{NS}/secrets/a-secret")
    assert r.json()["message"] == (
        f'secrets "a-secret" is forbidden: User "viewer" cannot get resource "secrets" in '
        f'API group "" in the namespace "{NS}"')
    r = matrix.clients["robot"].get("/api/v1/nodes")
    assert r.json()["message"] == (
        f'nodes is forbidden: User "system:serviceaccount:{NS}:robot" cannot list resource '
        f'"nodes" in API group "" at the cluster scope')
