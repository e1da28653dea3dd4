"""The official Python client inside a pod, with nothing but what the pod is given: on a
secure cluster (HTTPS, Node and RBAC authorization, ServiceAccount and NodeRestriction
admission), a pod's `config.load_incluster_config()` finds KUBERNETES_SERVICE_HOST/PORT and
the projected token, ca.crt and namespace, verifies the server against the cluster CA, and
acts as its ServiceAccount: it may list pods (bound to `view`) and is refused a delete.

busybox has no Python, so the pod runs the host's interpreter and this venv's packages
through read-only hostPath mounts. It reaches the API server as pods do in any cluster:
KUBERNETES_SERVICE_HOST is the `kubernetes` Service's ClusterIP (10.96.0.1, which the
serving certificate carries), and the service proxy carries it to the advertise address —
the Docker bridge's gateway, the node's own address on this host."""

from __future__ import annotations

import secrets
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.cluster import (
    Api,
    KubeletProcess,
    ServiceProxy,
    pod_manifest,
    remove_node_containers,
)
from tests.support.pki import TestPKI, service_account_key
from tests.support.processes import ApiServerProcess, free_port
from tugboat.cli.up.hostaddresses import ipv4_network_of, ipv4_of

SCRIPT = """
import json, os
print("host:", os.environ["KUBERNETES_SERVICE_HOST"], flush=True)
from kubernetes import client, config
config.load_incluster_config()
v1 = client.CoreV1Api()
ns = open("/var/run/secrets/kubernetes.io/serviceaccount/namespace").read()
print("pods:", sorted(p.metadata.name for p in v1.list_namespaced_pod(ns).items), flush=True)
try:
    v1.delete_namespaced_pod("in-cluster", ns)
    print("delete: allowed")
except client.ApiException as e:
    print("delete:", e.status, json.loads(e.body)["reason"])
"""


def bridge_gateway() -> str:
    """docker0's address: the host as the pods on its bridge see it."""
    ip = ipv4_of("docker0")
    assert ip, "the Docker bridge docker0 has no IPv4 address"
    return ip


@dataclass
class SecureCluster:
    api: Api  # the loopback insecure port: set-up and checks
    node: str
    ca: str  # the cluster CA's PEM, as kube-root-ca.crt publishes it


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureCluster]:
    d = tmp_path_factory.mktemp("in-cluster")
    gateway = bridge_gateway()
    pki = TestPKI(d / "pki")
    serving = pki.serving(ips=(gateway, "10.96.0.1"))
    sa_key = service_account_key(d / "sa.key")
    port = free_port()
    server = ApiServerProcess(d / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", gateway, "--advertise-address", gateway,
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--authorization-mode", "Node,RBAC",
        "--enable-admission-plugins", "NamespaceLifecycle,ServiceAccount,NodeRestriction",
        "--service-account-signing-key-file", str(sa_key)])
    server.start()
    node = f"e2e-incluster-{secrets.token_hex(3)}"
    kubeconfig = pki.kubeconfig(d / "kubelet.conf", f"https://{gateway}:{port}",
                                client=pki.client(f"system:node:{node}", ("system:nodes",)))
    # The node registers the bridge's address: an API server listening beyond loopback
    # refuses to dial a kubelet at a loopback address for logs, as kube-apiserver does.
    kubelet = KubeletProcess(server.url, node, d / node,
                             ["--kubeconfig", str(kubeconfig), "--sync-frequency", "2s",
                              "--node-ip", gateway, "--address", "0.0.0.0"])
    kubelet.start()
    proxy = ServiceProxy(server.url, node, d, ipv4_network_of("docker0") or "172.17.0.0/16")
    proxy.start()
    api = Api(server.url)
    yield SecureCluster(api, node, pki.ca.cert.read_text())
    api.close()
    proxy.stop()
    kubelet.stop()
    remove_node_containers(node)
    shutil.rmtree(d / node / "root", ignore_errors=True)
    server.stop()


def _host_mounts() -> tuple[list[dict], list[dict]]:
    """Read-only hostPath volumes for the interpreter, its libraries and the venv."""
    paths = ["/usr", "/lib", "/lib64", sys.base_prefix, sysconfig.get_paths()["purelib"]]
    volumes, mounts = [], []
    for i, path in enumerate(dict.fromkeys(p for p in paths if Path(p).exists())):
        volumes.append({"name": f"host-{i}", "hostPath": {"path": path}})
        mounts.append({"name": f"host-{i}", "mountPath": path, "readOnly": True})
    return volumes, mounts


def test_the_official_client_in_a_pod_acts_as_its_service_account(
        secure: SecureCluster) -> None:
    api, node = secure.api, secure.node
    ns = api.namespace(f"in-cluster-{secrets.token_hex(3)}")
    for path, body in (
            (f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "default"}}),
            (f"/api/v1/namespaces/{ns}/configmaps", {
                "metadata": {"name": "kube-root-ca.crt"},
                "data": {"ca.crt": secure.ca}}),
            (f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", {
                "metadata": {"name": "default-view"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": "view"},
                "subjects": [{"kind": "ServiceAccount", "name": "default",
                              "namespace": ns}]})):
        r = api.http.post(path, json=body)
        assert r.status_code == 201, r.text

    pod = pod_manifest("in-cluster", node, restart_policy="Never")
    volumes, mounts = _host_mounts()
    container = pod["spec"]["containers"][0]
    container.update(command=[f"{sys.base_prefix}/bin/python3", "-c", SCRIPT],
                     env=[{"name": "PYTHONPATH", "value": sysconfig.get_paths()["purelib"]}],
                     volumeMounts=mounts)
    pod["spec"]["volumes"] = volumes
    created = api.create(ns, pod)
    # ServiceAccount admission gave it the projected token volume, mounted read-only.
    assert any(v["name"].startswith("kube-api-access-") for v in created["spec"]["volumes"])

    api.wait_phase(ns, "in-cluster", "Succeeded", timeout=90)
    logs = api.http.get(f"/api/v1/namespaces/{ns}/pods/in-cluster/log").text
    assert "host: 10.96.0.1" in logs, logs  # the `kubernetes` Service, through the proxy
    assert "pods: ['in-cluster']" in logs, logs
    assert "delete: 403 Forbidden" in logs, logs
