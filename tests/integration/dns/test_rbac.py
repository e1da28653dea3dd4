"""tug-dns as `tug up` runs it: over the secure port with its own certificate
(system:tug-dns), allowed only what the bootstrap policy's system:kube-dns role grants."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.dns.conftest import DNSProcess
from tests.integration.dns.test_cluster_records import answered, create_service
from tests.support.pki import TestPKI
from tests.support.processes import ApiServerProcess, free_port


@pytest.fixture(scope="module")
def secure_dns(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[httpx.Client, DNSProcess]]:
    work = tmp_path_factory.mktemp("dns-rbac")
    pki = TestPKI(work / "pki")
    serving = pki.serving()
    port = free_port()
    api = ApiServerProcess(work / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--authorization-mode", "Node,RBAC"])
    api.start()
    kubeconfig = pki.kubeconfig(work / "dns.conf", f"https://127.0.0.1:{port}",
                                client=pki.client("system:tug-dns"))
    dnsp = DNSProcess("", work / "dns.log", "--kubeconfig", str(kubeconfig),
                      "--upstream", "127.0.0.77:9")
    try:
        dnsp.start()
        with httpx.Client(base_url=api.url, timeout=10) as insecure:
            yield insecure, dnsp
    finally:
        dnsp.stop()
        api.stop()


def test_serves_services_with_the_kube_dns_role(secure_dns):
    insecure, dnsp = secure_dns
    ip = create_service(insecure, "default", "web")["spec"]["clusterIP"]
    answered(dnsp, "web.default.svc.cluster.local", "A", [f"A {ip}"])
