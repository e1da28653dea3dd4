"""A cluster whose Services carry traffic, for the Service end-to-end tests: the
controller e2e cluster (API server, scheduler, controller manager, one kubelet on this
host's Docker) plus the service proxy in the host's own network namespace — where pods on
the Docker bridge send their packets — and the cluster DNS on the bridge address behind
kube-dns (10.96.0.10), as `tug up` runs them. The proxy's rules are removed at the end
(`tug-proxy --cleanup`). Names outside the cluster are forwarded only to a loopback address
nothing answers on: the tests never query an outside resolver."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import ServiceProxy
from tests.e2e.controller.cluster import Cluster, Daemon
from tests.support.processes import free_port
from tugboat.cli.up.clusterdns import CLUSTER_DNS_IP, publish
from tugboat.cli.up.hostaddresses import ipv4_network_of, ipv4_of
from tugboat.client import SyncApiClient


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class ServicesCluster(Cluster):
    kubelet_flags = ("--cluster-dns", CLUSTER_DNS_IP, "--cluster-domain", "cluster.local")

    def __init__(self, data_dir: Path):
        super().__init__(data_dir)
        self.bridge = ipv4_of("docker0") or "172.17.0.1"
        self.proxy: ServiceProxy | None = None
        self.dns: Daemon | None = None

    def start(self, nodes: int = 1) -> ServicesCluster:
        super().start(nodes)
        assert self.kube is not None
        self.proxy = ServiceProxy(self.api.url, self.nodes[0], self.data_dir,
                                  ipv4_network_of("docker0") or "172.17.0.0/16").start()
        self.dns_port, health = free_port(), free_port()
        publish(self.kube, self.bridge, self.dns_port)
        self.dns = Daemon("dns", "tugboat.dns", [
            "--server", self.api.url, "--bind-address", self.bridge, "--port",
            str(self.dns_port), "--health-port", str(health),
            "--upstream", f"127.0.0.1:{free_port()}"],
            self.data_dir).start(lambda: _ok(f"http://127.0.0.1:{health}/ready"), 60)
        return self

    def stop(self) -> None:
        try:
            if self.dns is not None:
                self.dns.stop()
            if self.proxy is not None:
                self.proxy.stop()  # and its rules
        finally:
            super().stop()


# One module at a time: two proxies on one host would each rewrite the other's chains.
@pytest.fixture(scope="module")
def services_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServicesCluster]:
    c = ServicesCluster(tmp_path_factory.mktemp("e2e-services"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def kube(services_cluster: ServicesCluster) -> SyncApiClient:
    assert services_cluster.kube is not None
    return services_cluster.kube


@pytest.fixture(scope="module")
def ns(kube: SyncApiClient, request: pytest.FixtureRequest) -> Iterator[str]:
    base = re.sub(r"[^a-z0-9]+", "-", request.module.__name__.split(".")[-1].lower())[:30]
    name = f"{base.strip('-')}-{secrets.token_hex(3)}"
    kube.create("namespaces", {"metadata": {"name": name}})
    yield name
    kube.delete("namespaces", name)
