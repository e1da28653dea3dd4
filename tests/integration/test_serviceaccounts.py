"""ServiceAccounts end to end on real processes: the controller manager gives every
namespace a `default` ServiceAccount and the kube-root-ca.crt ConfigMap; a pod gets the
kube-api-access projected volume from the ServiceAccount admission plugin; a TokenRequest
bound to the pod returns a token the API server authenticates (TokenReview) until the pod
is deleted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import unique_name
from tests.integration.controller.cluster import FAST_FLAGS, ControllerManagerProcess
from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess, wait_until

PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
CA = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    d = tmp_path_factory.mktemp("sa-apiserver")
    service_account_key(d / "sa.key")
    proc = ApiServerProcess(d, extra=[
        "--service-account-signing-key-file", str(d / "sa.key"),
        "--service-account-key-file", str(d / "sa.pub"),
        "--enable-admission-plugins", "ServiceAccount"])
    proc.start()
    (d / "ca.crt").write_text(CA)
    cm = ControllerManagerProcess(proc.url, d / "cm", [
        *FAST_FLAGS, "--root-ca-file", str(d / "ca.crt")]).start()
    yield proc
    cm.stop()
    proc.stop()


@pytest.fixture(scope="module")
def http(server: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=15.0) as c:
        yield c


@pytest.fixture
def ns(http: httpx.Client, request: pytest.FixtureRequest) -> str:
    name = unique_name(request)
    assert http.post("/api/v1/namespaces", json={"metadata": {"name": name}}).status_code == 201
    wait_until(lambda: http.get(f"/api/v1/namespaces/{name}/serviceaccounts/default"
                                ).status_code == 200, 15, "the default ServiceAccount")
    return name


def review(http: httpx.Client, token: str) -> dict:
    r = http.post("/apis/authentication.k8s.io/v1/tokenreviews", json={
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
        "spec": {"token": token}})
    assert r.status_code == 201, r.text
    return r.json()["status"]


def test_every_namespace_gets_the_root_ca(http: httpx.Client, ns: str) -> None:
    wait_until(lambda: http.get(f"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt"
                                ).status_code == 200, 15, "kube-root-ca.crt")
    cm = http.get(f"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt").json()
    assert cm["data"] == {"ca.crt": CA}
    http.delete(f"/api/v1/namespaces/{ns}/serviceaccounts/default")
    wait_until(lambda: http.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default"
                                ).status_code == 200, 15, "the default ServiceAccount back")


def test_a_pod_gets_the_api_access_volume(http: httpx.Client, ns: str) -> None:
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json={
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    assert spec["serviceAccountName"] == "default"
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-")
    assert [s for s in volume["projected"]["sources"] if "serviceAccountToken" in s] == [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": volume["name"], "readOnly": True, "mountPath": PATH}]
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json={
        "metadata": {"name": "lost"},
        "spec": {"serviceAccountName": "ghost", "containers": [{"name": "c", "image": "b"}]}})
    assert r.status_code == 403
    assert r.json()["message"] == ('pods "lost" is forbidden: error looking up service account '
                                   f'{ns}/ghost: serviceaccount "ghost" not found')


def test_a_pod_bound_token_authenticates_until_the_pod_is_deleted(http: httpx.Client,
                                                                   ns: str) -> None:
    pod = http.post(f"/api/v1/namespaces/{ns}/pods", json={
        "metadata": {"name": "holder"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}).json()
    r = http.post(f"/api/v1/namespaces/{ns}/serviceaccounts/default/token", json={
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "holder",
                                    "uid": pod["metadata"]["uid"]}}})
    assert r.status_code == 201, r.text
    token = r.json()["status"]["token"]
    status = review(http, token)
    assert status["authenticated"] is True
    assert status["user"]["username"] == f"system:serviceaccount:{ns}:default"
    assert status["user"]["extra"]["authentication.kubernetes.io/pod-name"] == ["holder"]
    assert f"system:serviceaccounts:{ns}" in status["user"]["groups"]
    http.delete(f"/api/v1/namespaces/{ns}/pods/holder", params={"gracePeriodSeconds": "0"})
    status = review(http, token)
    assert not status.get("authenticated")
    assert "invalidated" in status["error"], status


def test_token_request_errors(http: httpx.Client, ns: str) -> None:
    r = http.post(f"/api/v1/namespaces/{ns}/serviceaccounts/default/token",
                  json={"spec": {"expirationSeconds": 60}})
    assert r.status_code == 422 and r.json()["reason"] == "Invalid"
    r = http.post(f"/api/v1/namespaces/{ns}/serviceaccounts/nobody/token", json={"spec": {}})
    assert r.status_code == 404
    assert r.json()["message"] == 'serviceaccounts "nobody" not found'
