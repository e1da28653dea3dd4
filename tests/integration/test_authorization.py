"""Authorization end to end on a real tug-apiserver: RBAC's bootstrap policy answers
SubjectAccessReviews for view, edit and admin users and for kubelets (the Node
authorizer), and over TLS with client certificates a request is allowed or refused with
Kubernetes' exact 403 — by user, verb, resource and namespace. Roles and bindings are
written on the insecure port, which acts as the privileged user."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.support.pki import CertPair, TestPKI
from tests.support.processes import ApiServerProcess, free_port

RBAC = "rbac.authorization.k8s.io"
SAR = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
TEAM = "team"


class Cluster:
    def __init__(self, server: ApiServerProcess, pki: TestPKI, secure_url: str):
        self.server, self.pki, self.secure_url = server, pki, secure_url
        self.insecure = httpx.Client(base_url=server.url, timeout=15.0)

    def as_user(self, user: str, *groups: str) -> httpx.Client:
        pair: CertPair = self.pki.client(user, groups)
        context = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        context.load_cert_chain(str(pair.cert), str(pair.key))
        return httpx.Client(base_url=self.secure_url, verify=context, timeout=15.0)

    def anonymous(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        return httpx.Client(base_url=self.secure_url, verify=context, timeout=15.0)


def _create(c: httpx.Client, path: str, body: dict) -> None:
    r = c.post(path, json=body)
    assert r.status_code == 201, r.text


def _binding(name: str, role: str, user: str) -> dict:
    return {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": TEAM},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}]}


def _pod(name: str, node: str, secret: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}],
                     "volumes": [{"name": "s", "secret": {"secretName": secret}}]}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("authz")
    pki = TestPKI(work / "pki")
    serving = pki.serving()
    port = free_port()
    server = ApiServerProcess(work / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert)])
    server.start()
    c = Cluster(server, pki, f"https://127.0.0.1:{port}")
    _create(c.insecure, "/api/v1/namespaces", {"metadata": {"name": TEAM}})
    for role in ("view", "edit", "admin"):
        _create(c.insecure, f"/apis/{RBAC}/v1/namespaces/{TEAM}/rolebindings",
                _binding(f"{role}-user", role, f"{role}-user"))
    _create(c.insecure, f"/api/v1/namespaces/{TEAM}/pods", _pod("on-a", "node-a", "a-secret"))
    _create(c.insecure, f"/api/v1/namespaces/{TEAM}/pods", _pod("on-b", "node-b", "b-secret"))
    for s in ("a-secret", "b-secret"):
        _create(c.insecure, f"/api/v1/namespaces/{TEAM}/secrets",
                {"metadata": {"name": s}, "stringData": {"k": "v"}})
    try:
        yield c
    finally:
        c.insecure.close()
        server.stop()


def review(c: Cluster, user: str, groups: list[str], verb: str, resource: str,
           namespace: str = TEAM, name: str = "", group: str = "",
           subresource: str = "") -> dict:
    attrs = {"verb": verb, "resource": resource, "namespace": namespace, "group": group,
             "name": name, "subresource": subresource}
    r = c.insecure.post(SAR, json={"apiVersion": "authorization.k8s.io/v1",
                                   "kind": "SubjectAccessReview",
                                   "spec": {"user": user, "groups": groups,
                                            "resourceAttributes": attrs}})
    assert r.status_code == 201, r.text
    return r.json()["status"]


AUTHENTICATED = ["system:authenticated"]
NODES = ["system:nodes", "system:authenticated"]

SAR_CASES = [
    ("view-user", AUTHENTICATED, "list", "pods", TEAM, "", "", True),
    ("view-user", AUTHENTICATED, "get", "deployments", TEAM, "web", "apps", True),
    ("view-user", AUTHENTICATED, "get", "secrets", TEAM, "a-secret", "", False),
    ("view-user", AUTHENTICATED, "create", "pods", TEAM, "", "", False),
    ("view-user", AUTHENTICATED, "list", "pods", "default", "", "", False),
    ("edit-user", AUTHENTICATED, "create", "deployments", TEAM, "", "apps", True),
    ("edit-user", AUTHENTICATED, "get", "secrets", TEAM, "a-secret", "", True),
    ("edit-user", AUTHENTICATED, "create", "rolebindings", TEAM, "", RBAC, False),
    ("admin-user", AUTHENTICATED, "create", "rolebindings", TEAM, "", RBAC, True),
    ("admin-user", AUTHENTICATED, "list", "nodes", "", "", "", False),
    ("nobody", AUTHENTICATED, "get", "pods", TEAM, "x", "", False),
    ("root", ["system:masters"], "delete", "nodes", "", "n1", "", True),
    ("system:node:node-a", NODES, "get", "secrets", TEAM, "a-secret", "", True),
    ("system:node:node-a", NODES, "get", "secrets", TEAM, "b-secret", "", False),
    ("system:node:node-a", NODES, "get", "nodes", "", "node-a", "", True),
    ("system:node:node-a", NODES, "update", "nodes", "", "node-b", "", False),
    ("system:kube-scheduler", AUTHENTICATED, "create", "pods", TEAM, "p", "", False),
]


@pytest.mark.parametrize("user,groups,verb,resource,ns,name,group,allowed", SAR_CASES)
def test_subject_access_review(cluster: Cluster, user: str, groups: list[str], verb: str,
                               resource: str, ns: str, name: str, group: str,
                               allowed: bool) -> None:
    status = review(cluster, user, groups, verb, resource, ns, name, group)
    assert status["allowed"] is allowed, status


def test_a_node_is_told_why(cluster: Cluster) -> None:
    status = review(cluster, "system:node:node-a", NODES, "get", "secrets", TEAM, "b-secret")
    assert status == {"allowed": False, "reason":
                      "no relationship found between node 'node-a' and this object"}


def test_an_allowed_review_names_the_binding(cluster: Cluster) -> None:
    status = review(cluster, "view-user", AUTHENTICATED, "list", "pods")
    assert status == {"allowed": True, "reason": f'RBAC: allowed by RoleBinding '
                      f'"view-user/{TEAM}" of ClusterRole "view" to User "view-user"'}


def test_a_review_needs_a_subject_and_attributes(cluster: Cluster) -> None:
    r = cluster.insecure.post(SAR, json={"apiVersion": "authorization.k8s.io/v1",
                                         "kind": "SubjectAccessReview", "spec": {}})
    assert r.status_code == 422
    fields = {c["field"] for c in r.json()["details"]["causes"]}
    assert fields == {"spec.user", "spec.resourceAttributes"}


def test_local_review_is_bound_to_its_namespace(cluster: Cluster) -> None:
    path = f"/apis/authorization.k8s.io/v1/namespaces/{TEAM}/localsubjectaccessreviews"
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
            "spec": {"user": "edit-user", "resourceAttributes": {
                "namespace": TEAM, "verb": "create", "resource": "configmaps"}}}
    r = cluster.insecure.post(path, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["status"]["allowed"] is True
    assert r.json()["metadata"]["namespace"] == TEAM
    body["spec"]["resourceAttributes"]["namespace"] = "default"
    r = cluster.insecure.post(path, json=body)
    assert (r.status_code, r.json()["message"]) == (
        400, f"spec.resourceAttributes.namespace must match namespace: {TEAM}")


def test_discovery_lists_rbac_and_the_reviews(cluster: Cluster) -> None:
    groups = {g["name"] for g in cluster.insecure.get("/apis").json()["groups"]}
    assert {RBAC, "authorization.k8s.io"} <= groups
    names = {r["name"]: r["verbs"] for r in cluster.insecure.get(
        "/apis/authorization.k8s.io/v1").json()["resources"]}
    assert names["selfsubjectrulesreviews"] == ["create"]
    roles = cluster.insecure.get(f"/apis/{RBAC}/v1/clusterroles").json()["items"]
    assert {"cluster-admin", "admin", "edit", "view", "system:node"} <= \
        {r["metadata"]["name"] for r in roles}


# -- over TLS: the filter in front of every handler ------------------------------------

def test_view_user_over_tls(cluster: Cluster) -> None:
    with cluster.as_user("view-user") as c:
        r = c.get(f"/api/v1/namespaces/{TEAM}/pods")
        assert r.status_code == 200, r.text
        r = c.get(f"/api/v1/namespaces/{TEAM}/secrets/a-secret")
        assert r.status_code == 403
        assert r.json() == {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f'secrets "a-secret" is forbidden: User "view-user" cannot get '
                       f'resource "secrets" in API group "" in the namespace "{TEAM}"',
            "reason": "Forbidden", "details": {"name": "a-secret", "kind": "secrets"},
            "code": 403}
        r = c.get("/api/v1/nodes")
        assert r.status_code == 403
        assert r.json()["message"] == ('nodes is forbidden: User "view-user" cannot list '
                                       'resource "nodes" in API group "" at the cluster scope')


def test_edit_user_writes_but_cannot_grant(cluster: Cluster) -> None:
    with cluster.as_user("edit-user") as c:
        r = c.post(f"/api/v1/namespaces/{TEAM}/configmaps",
                   json={"metadata": {"name": "by-edit"}, "data": {"a": "b"}})
        assert r.status_code == 201, r.text
        r = c.post(f"/apis/{RBAC}/v1/namespaces/{TEAM}/rolebindings",
                   json=_binding("sneaky", "admin", "edit-user"))
        assert r.status_code == 403


def test_admin_user_cannot_escalate(cluster: Cluster) -> None:
    with cluster.as_user("admin-user") as c:
        r = c.post(f"/apis/{RBAC}/v1/namespaces/{TEAM}/rolebindings",
                   json=_binding("grant-edit", "edit", "someone"))
        assert r.status_code == 201, r.text
        r = c.post(f"/apis/{RBAC}/v1/namespaces/{TEAM}/rolebindings",
                   json=_binding("grant-all", "cluster-admin", "admin-user"))
        assert r.status_code == 403
        assert 'user "admin-user" (groups=["system:authenticated"]) is attempting to grant ' \
               'RBAC permissions not currently held' in r.json()["message"]


def test_masters_and_anonymous(cluster: Cluster) -> None:
    with cluster.as_user("root", "system:masters") as c:
        assert c.get("/api/v1/nodes").status_code == 200
        r = c.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                   json={"apiVersion": "authorization.k8s.io/v1",
                         "kind": "SelfSubjectRulesReview", "spec": {"namespace": TEAM}})
        assert r.status_code == 201, r.text
        assert {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]} in \
            r.json()["status"]["resourceRules"]
    with cluster.anonymous() as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/version").status_code == 200
        r = c.get("/api/v1/namespaces")
        assert r.status_code == 403
        assert r.json()["message"] == ('namespaces is forbidden: User "system:anonymous" '
                                       'cannot list resource "namespaces" in API group "" at '
                                       'the cluster scope')


def test_a_kubelet_over_tls(cluster: Cluster) -> None:
    with cluster.as_user("system:node:node-a", "system:nodes") as c:
        assert c.get(f"/api/v1/namespaces/{TEAM}/secrets/a-secret").status_code == 200
        r = c.get(f"/api/v1/namespaces/{TEAM}/secrets/b-secret")
        assert r.status_code == 403
        assert r.json()["message"].endswith(
            "no relationship found between node 'node-a' and this object")
        assert c.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=node-a"}
                     ).status_code == 200
        assert c.post(f"/apis/{RBAC}/v1/clusterroles",
                      json={"metadata": {"name": "x"}}).status_code == 403


def test_a_self_subject_access_review_over_tls(cluster: Cluster) -> None:
    with cluster.as_user("view-user") as c:
        r = c.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json={
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"namespace": TEAM, "verb": "delete",
                                            "resource": "pods"}}})
        assert r.status_code == 201, r.text
        assert r.json()["status"]["allowed"] is False


def test_exec_over_websocket_needs_create(cluster: Cluster) -> None:
    """kubectl exec opens a WebSocket with a GET; since Kubernetes 1.30 that upgrade is
    authorized as `create pods/exec`, which view does not grant."""
    pair = cluster.pki.client("view-user")
    context = ssl.create_default_context(cafile=str(cluster.pki.ca.cert))
    context.load_cert_chain(str(pair.cert), str(pair.key))
    url = cluster.secure_url.replace("https://", "wss://") + \
        f"/api/v1/namespaces/{TEAM}/pods/on-a/exec?command=ls&stdout=true"
    with pytest.raises(InvalidStatus) as e:
        with connect(url, ssl=context, subprotocols=[Subprotocol("v5.channel.k8s.io")]):
            pass
    assert e.value.response.status_code == 403
    assert json.loads(e.value.response.body)["message"] == (
        f'pods "on-a" is forbidden: User "view-user" cannot create resource "pods/exec" in '
        f'API group "" in the namespace "{TEAM}"')

