"""The certificates and kubeconfigs `tug up` makes, against a real tug-apiserver serving
HTTPS with them: tug's own client, real kubectl and the official Python client connect
with the admin kubeconfig unchanged, and each daemon's kubeconfig authenticates as that
daemon."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.support.processes import ApiServerProcess, free_port
from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.hostaddresses import host_addresses
from tugboat.cli.up.kubeconfigs import write_kubeconfigs
from tugboat.client import SyncApiClient, daemon_config, load_config

KUBECTL = "/usr/bin/kubectl"


class SecureCluster:
    def __init__(self, root: Path):
        self.root = root
        self.pki: ClusterPKI = ensure_certificates(root / "pki", "node-a",
                                                   host_addresses("node-a"))[0]
        self.secure_port = free_port()
        self.url = f"https://127.0.0.1:{self.secure_port}"
        self.kubeconfigs = write_kubeconfigs(self.url, self.pki, root, root / "admin.conf")
        pki = root / "pki"
        self.apiserver = ApiServerProcess(root / "apiserver", extra=[
            "--secure-port", str(self.secure_port), "--bind-address", "127.0.0.1",
            "--tls-cert-file", str(pki / "apiserver.crt"),
            "--tls-private-key-file", str(pki / "apiserver.key"),
            "--client-ca-file", str(pki / "ca.crt")])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureCluster]:
    c = SecureCluster(tmp_path_factory.mktemp("secure"))
    c.apiserver.start()
    try:
        yield c
    finally:
        c.apiserver.stop()


def whoami(client: SyncApiClient) -> dict:
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    r = client.http.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", json=review)
    assert r.status_code == 201, r.text
    return r.json()["status"]["userInfo"]


def test_tugs_client_is_the_admin(cluster: SecureCluster) -> None:
    with SyncApiClient.from_config(load_config(cluster.kubeconfigs["admin"])) as client:
        user = whoami(client)
        assert user["username"] == "kubernetes-admin"
        assert "system:masters" in user["groups"]
        assert client.get("namespaces", "default")["metadata"]["name"] == "default"


@pytest.mark.parametrize("cert, username", [
    ("scheduler", "system:kube-scheduler"),
    ("controller-manager", "system:kube-controller-manager"),
    ("kubelet-client", "system:node:node-a"),
])
def test_each_daemon_is_itself(cluster: SecureCluster, cert: str, username: str) -> None:
    config = daemon_config(str(cluster.kubeconfigs[cert]), cluster.apiserver.url)
    assert config.server == cluster.url  # --kubeconfig wins over --server
    with SyncApiClient.from_config(config) as client:
        assert whoami(client)["username"] == username


def test_kubectl_uses_the_admin_kubeconfig(cluster: SecureCluster) -> None:
    done = subprocess.run([KUBECTL, "--kubeconfig", str(cluster.kubeconfigs["admin"]), "get",
                           "namespace", "default", "-o", "name"],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "namespace/default\n"), done.stderr


def test_the_python_client_uses_the_admin_kubeconfig(cluster: SecureCluster) -> None:
    api = k8s_config.new_client_from_config(str(cluster.kubeconfigs["admin"]))
    try:
        names = [ns.metadata.name for ns in k8s.CoreV1Api(api).list_namespace().items]
    finally:
        api.close()
    assert "default" in names
