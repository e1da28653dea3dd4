"""A pod's service account files on real Docker: the kubelet writes the projected
kube-api-access volume (a token it requested for the pod, ca.crt from kube-root-ca.crt,
the namespace) and mounts it read-only at /var/run/secrets/kubernetes.io/serviceaccount;
the token the container reads authenticates as the pod's service account; the container
has KUBERNETES_SERVICE_HOST/PORT. Its own API server (with a signing key) and kubelet."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator

import pytest

from tests.e2e.cluster import Api, KubeletProcess, pod_manifest, remove_node_containers
from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.apiserver.serviceaccount.admission import api_access_volume

PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
CA = "-----BEGIN CERTIFICATE-----\nMIIBe2e\n-----END CERTIFICATE-----\n"


@pytest.fixture(scope="module")
def sa_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    d = tmp_path_factory.mktemp("sa-e2e")
    service_account_key(d / "sa.key")
    server = ApiServerProcess(d / "apiserver", extra=[
        "--service-account-signing-key-file", str(d / "sa.key")])
    server.start()
    node = f"e2e-sa-{secrets.token_hex(3)}"
    kubelet = KubeletProcess(server.url, node, d / node, ["--sync-frequency", "2s"])
    kubelet.start()
    api = Api(server.url)
    api.node_name = node  # type: ignore[attr-defined]
    yield api
    api.close()
    kubelet.stop()
    remove_node_containers(node)
    shutil.rmtree(d / node / "root", ignore_errors=True)
    server.stop()


def test_a_pod_sees_its_token_ca_and_namespace(sa_api: Api) -> None:
    api, ns = sa_api, sa_api.namespace(f"sa-{secrets.token_hex(3)}")
    node = api.node_name  # type: ignore[attr-defined]
    assert api.http.post(f"/api/v1/namespaces/{ns}/serviceaccounts",
                         json={"metadata": {"name": "default"}}).status_code == 201
    assert api.http.post(f"/api/v1/namespaces/{ns}/configmaps", json={
        "metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": CA}}).status_code == 201
    pod = pod_manifest("reader", node, f"cat {PATH}/token; echo; cat {PATH}/namespace; echo; "
                       f"cat {PATH}/ca.crt; env | grep ^KUBERNETES_SERVICE_ | sort; "
                       f"touch {PATH}/x 2>/dev/null || echo read-only; sleep 3600")
    volume = api_access_volume("kube-api-access-e2e01")
    pod["spec"]["serviceAccountName"] = "default"
    pod["spec"]["volumes"] = [volume]
    pod["spec"]["containers"][0]["volumeMounts"] = [
        {"name": volume["name"], "readOnly": True, "mountPath": PATH}]
    api.create(ns, pod)
    api.wait_phase(ns, "reader", "Running", timeout=40)

    def logs() -> str:
        r = api.http.get(f"/api/v1/namespaces/{ns}/pods/reader/log")
        return r.text if r.status_code == 200 else ""

    wait_until(lambda: "read-only" in logs(), 20, "the container's output")
    lines = logs().splitlines()
    token, namespace = lines[0], lines[1]
    assert namespace == ns
    assert "\n".join(lines[2:5]) + "\n" == CA
    # The `kubernetes` Service the API server keeps: its ClusterIP and port, as everywhere.
    assert lines[5:7] == ["KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"]
    r = api.http.post("/apis/authentication.k8s.io/v1/tokenreviews",
                      json={"spec": {"token": token}})
    status = r.json()["status"]
    assert status.get("authenticated") is True, status
    assert status["user"]["username"] == f"system:serviceaccount:{ns}:default"
    assert status["user"]["extra"]["authentication.kubernetes.io/pod-name"] == ["reader"]
