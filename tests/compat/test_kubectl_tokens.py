"""ServiceAccount tokens through real kubectl (1.32 and 1.37) and the official Python
client over TLS: `kubectl create token` (a TokenRequest, protobuf body) hands out a bound,
expiring token; a kubeconfig holding only that token is the ServiceAccount to
`kubectl auth whoami`, to RBAC (Forbidden until a RoleBinding says otherwise) and to the
Python client."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kubernetes import client, config

from tests.compat.conftest import KUBECTLS, Kubectl
from tests.support.pki import TestPKI, service_account_key
from tests.support.processes import ApiServerProcess, free_port

RBAC = "rbac.authorization.k8s.io"


class Secure:
    def __init__(self, work: Path, pki: TestPKI, url: str, server: ApiServerProcess):
        self.work, self.pki, self.url, self.server = work, pki, url, server


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    work = tmp_path_factory.mktemp("token-compat")
    pki = TestPKI(work / "pki")
    serving = pki.serving()
    sa_key = service_account_key(work / "sa.key")
    port = free_port()
    server = ApiServerProcess(work / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--service-account-signing-key-file",
        str(sa_key)])
    server.start()
    try:
        yield Secure(work, pki, f"https://127.0.0.1:{port}", server)
    finally:
        server.stop()


@pytest.mark.parametrize("version", list(KUBECTLS))
def test_create_token_and_use_it(secure: Secure, version: str, tmp_path: Path) -> None:
    ns = f"tokens-{version.replace('.', '-')}"
    insecure = httpx.Client(base_url=secure.server.url, timeout=15)
    for path, body in (("/api/v1/namespaces", {"metadata": {"name": ns}}),
                       (f"/api/v1/namespaces/{ns}/serviceaccounts",
                        {"metadata": {"name": "robot"}})):
        assert insecure.post(path, json=body).status_code == 201
    admin_config = secure.pki.kubeconfig(tmp_path / "admin.kubeconfig", secure.url,
                                         secure.pki.client("root", ("system:masters",)))
    admin = Kubectl(KUBECTLS[version], admin_config, tmp_path / "cache-admin", tmp_path)

    token = admin.ok("-n", ns, "create", "token", "robot", "--duration=15m").strip()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["sub"] == f"system:serviceaccount:{ns}:robot"
    assert 14 * 60 <= payload["exp"] - payload["iat"] <= 15 * 60

    robot_config = secure.pki.kubeconfig(tmp_path / "robot.kubeconfig", secure.url,
                                         token=token)
    robot = Kubectl(KUBECTLS[version], robot_config, tmp_path / "cache-robot", tmp_path)
    whoami = robot.ok("auth", "whoami", "-o", "json")
    assert json.loads(whoami)["status"]["userInfo"]["username"] == \
        f"system:serviceaccount:{ns}:robot"
    denied = robot("-n", ns, "get", "pods")
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        f'Error from server (Forbidden): pods is forbidden: User '
        f'"system:serviceaccount:{ns}:robot" cannot list resource "pods" in API group "" in '
        f'the namespace "{ns}"')

    assert insecure.post(f"/apis/{RBAC}/v1/namespaces/{ns}/rolebindings", json={
        "metadata": {"name": "robot-view"},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": ns}]}
    ).status_code == 201
    assert robot.ok("-n", ns, "get", "pods", "-o", "name") == ""
    assert robot("-n", ns, "delete", "sa", "robot").returncode == 1

    api = client.CoreV1Api(config.new_client_from_config(str(robot_config)))
    assert api.list_namespaced_pod(ns).items == []
    with pytest.raises(client.ApiException) as refused:
        api.delete_namespaced_service_account("robot", ns)
    assert refused.value.status == 403
    insecure.close()
