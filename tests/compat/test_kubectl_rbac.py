"""RBAC through real kubectl (1.32 and 1.37) and the official Python client over TLS with
client certificates: kubectl's `create role|clusterrole|rolebinding|clusterrolebinding`
(protobuf bodies), `auth can-i` (SelfSubjectAccessReview) and `auth can-i --list`
(SelfSubjectRulesReview), and Kubernetes' Forbidden errors as kubectl prints them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kubernetes import client, config

from tests.compat.conftest import KUBECTLS, Kubectl
from tests.support.pki import TestPKI
from tests.support.processes import ApiServerProcess, free_port

NS = "rbac-compat"


class Secure:
    def __init__(self, work: Path, pki: TestPKI, url: str, server: ApiServerProcess):
        self.work, self.pki, self.url, self.server = work, pki, url, server

    def kubeconfig(self, user: str, *groups: str) -> Path:
        pair = self.pki.client(user, groups)
        return self.pki.kubeconfig(self.work / f"{user.replace(':', '-')}.kubeconfig",
                                   self.url, pair)


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    work = tmp_path_factory.mktemp("rbac-compat")
    pki = TestPKI(work / "pki")
    serving = pki.serving()
    port = free_port()
    server = ApiServerProcess(work / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert)])
    server.start()
    try:
        yield Secure(work, pki, f"https://127.0.0.1:{port}", server)
    finally:
        server.stop()


@pytest.fixture(params=list(KUBECTLS))
def binary(request: pytest.FixtureRequest, secure: Secure) -> tuple[str, str]:
    """(kubectl binary, a namespace of its own, made on the insecure port)."""
    ns = f"{NS}-{request.param.replace('.', '-')}"
    r = httpx.post(f"{secure.server.url}/api/v1/namespaces", json={"metadata": {"name": ns}})
    assert r.status_code == 201, r.text
    return KUBECTLS[request.param], ns


def kubectl(secure: Secure, binary: str, tmp_path: Path, user: str, *groups: str) -> Kubectl:
    return Kubectl(binary, secure.kubeconfig(user, *groups), tmp_path / f"cache-{user}",
                   tmp_path)


def test_admin_creates_rbac_objects_and_a_viewer_is_held_to_them(
        secure: Secure, binary: tuple[str, str], tmp_path: Path) -> None:
    binary, ns = binary
    admin = kubectl(secure, binary, tmp_path, "root", "system:masters")
    admin.ok("-n", ns, "create", "role", "pod-reader", "--verb=get,list,watch",
             "--resource=pods")
    admin.ok("-n", ns, "create", "rolebinding", "carol-reads", "--role=pod-reader",
             "--user=carol")
    admin.ok("create", "clusterrole", f"node-reader-{ns}", "--verb=get", "--resource=nodes")
    admin.ok("create", "clusterrolebinding", f"carol-nodes-{ns}",
             f"--clusterrole=node-reader-{ns}", "--user=carol")
    binding = json.loads(admin.ok("-n", ns, "get", "rolebinding", "carol-reads", "-o", "json"))
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": "pod-reader"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                    "name": "carol"}]

    carol = kubectl(secure, binary, tmp_path, "carol")
    assert carol("-n", ns, "auth", "can-i", "list", "pods").stdout.strip() == "yes"
    r = carol("-n", ns, "auth", "can-i", "delete", "pods")
    assert (r.returncode, r.stdout.strip()) == (1, "no")
    assert carol("auth", "can-i", "get", "nodes").stdout.strip() == "yes"
    listed = carol.ok("-n", ns, "auth", "can-i", "--list")
    assert any(line.split()[0] == "pods" and "[get list watch]" in line
               for line in listed.splitlines())
    r = carol("-n", ns, "get", "secrets")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (Forbidden): secrets is forbidden: User "carol" cannot list '
        f'resource "secrets" in API group "" in the namespace "{ns}"')
    r = carol("-n", ns, "create", "rolebinding", "grab", "--clusterrole=admin", "--user=carol")
    assert r.returncode == 1 and "forbidden" in r.stderr


def test_python_client_reviews(secure: Secure) -> None:
    api = config.new_client_from_config(str(secure.kubeconfig("dave")))
    try:
        review = client.AuthorizationV1Api(api).create_self_subject_access_review(
            client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(
                    namespace="default", verb="list", resource="pods"))))
        assert review.status.allowed is False
        rules = client.AuthorizationV1Api(api).create_self_subject_rules_review(
            client.V1SelfSubjectRulesReview(
                spec=client.V1SelfSubjectRulesReviewSpec(namespace="default")))
        assert any("selfsubjectaccessreviews" in (r.resources or [])
                   for r in rules.status.resource_rules)
        with pytest.raises(client.ApiException) as e:
            client.RbacAuthorizationV1Api(api).list_cluster_role()
        assert e.value.status == 403
    finally:
        api.close()
    admin = config.new_client_from_config(str(secure.kubeconfig("root", "system:masters")))
    try:
        names = {r.metadata.name for r in
                 client.RbacAuthorizationV1Api(admin).list_cluster_role().items}
        assert {"cluster-admin", "admin", "edit", "view"} <= names
    finally:
        admin.close()


