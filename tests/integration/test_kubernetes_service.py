"""The `kubernetes` Service in `default`, kept by the API server: ClusterIP the first
address of the service range, port 443 to the secure port, its Endpoints and
EndpointSlice naming the advertise address; deleted or edited, it comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pki import TestPKI
from tests.support.processes import ApiServerProcess, free_port, wait_until
from tugboat.client import NotFound, SyncApiClient

ADVERTISE = "192.0.2.10"  # TEST-NET-1: named in objects, never dialled


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SyncApiClient, int]]:
    root = tmp_path_factory.mktemp("kubesvc")
    serving = TestPKI(root / "pki").serving()
    port = free_port()
    server = ApiServerProcess(root, extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--advertise-address", ADVERTISE,
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key)])
    server.start()
    try:
        with SyncApiClient(server.url, timeout=15.0) as kube:
            yield kube, port
    finally:
        server.stop()


def _get(kube: SyncApiClient, resource: str) -> dict | None:
    try:
        return kube.get(resource, "kubernetes", "default")
    except NotFound:
        return None


def test_service_endpoints_and_slice(secure: tuple[SyncApiClient, int]) -> None:
    kube, port = secure
    wait_until(lambda: _get(kube, "endpointslices") is not None, 15, "kubernetes slice")
    svc = kube.get("services", "kubernetes", "default")
    assert svc["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    assert svc["spec"]["clusterIP"] == "10.96.0.1"
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP",
                                     "targetPort": port}]
    ep = kube.get("endpoints", "kubernetes", "default")
    assert ep["subsets"] == [{"addresses": [{"ip": ADVERTISE}],
                              "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]
    s = kube.get("endpointslices", "kubernetes", "default")
    assert s["metadata"]["labels"]["kubernetes.io/service-name"] == "kubernetes"
    assert s["addressType"] == "IPv4"
    assert [e["addresses"] for e in s["endpoints"]] == [[ADVERTISE]]
    assert s["ports"] == [{"name": "https", "port": port, "protocol": "TCP"}]


def test_deleted_slice_comes_back(secure: tuple[SyncApiClient, int]) -> None:
    kube, _ = secure
    wait_until(lambda: _get(kube, "endpointslices") is not None, 15, "kubernetes slice")
    kube.delete("endpointslices", "kubernetes", "default")
    wait_until(lambda: _get(kube, "endpointslices") is not None, 30, "slice restored")


def test_without_secure_serving_the_service_has_no_endpoints(tmp_path: Path) -> None:
    server = ApiServerProcess(tmp_path)
    server.start()
    try:
        with SyncApiClient(server.url, timeout=15.0) as kube:
            wait_until(lambda: _get(kube, "services") is not None, 15, "kubernetes service")
            assert _get(kube, "services")["spec"]["clusterIP"] == "10.96.0.1"
            assert _get(kube, "endpoints") is None
    finally:
        server.stop()
