"""Cluster names answered by a real tug-dns from a real API server's Services and
EndpointSlices: what a pod's resolver would get back, and how fast changes show."""

from __future__ import annotations

from typing import Any

import dns.message
import dns.rcode
import dns.reversename
import httpx

from tests.integration.dns.conftest import DNSProcess
from tests.support.processes import wait_until

UPDATE_WITHIN = 3.0  # seconds from an API write to the new answer, on a loaded machine


def records(response: dns.message.Message) -> list[str]:
    return sorted(f"{rr.rdtype.name} {rd.to_text()}" for rr in response.answer for rd in rr)


def create_service(client: httpx.Client, ns: str, name: str, **spec: Any) -> dict[str, Any]:
    spec.setdefault("ports", [{"name": "http", "port": 80, "protocol": "TCP"}])
    r = client.post(f"/api/v1/namespaces/{ns}/services",
                    json={"metadata": {"name": name}, "spec": spec})
    assert r.status_code == 201, r.text
    return r.json()


def put_slice(client: httpx.Client, ns: str, service: str, endpoints: list[dict[str, Any]],
              port: int = 8080) -> dict[str, Any]:
    body = {"metadata": {"name": f"{service}-1",
                         "labels": {"kubernetes.io/service-name": service}},
            "addressType": "IPv4", "endpoints": endpoints,
            "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}
    url = f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices"
    current = client.get(f"{url}/{service}-1")
    if current.status_code == 200:
        body["metadata"]["resourceVersion"] = current.json()["metadata"]["resourceVersion"]
        r = client.put(f"{url}/{service}-1", json=body)
    else:
        r = client.post(url, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def answered(dnsp: DNSProcess, name: str, rdtype: str, expected: list[str]) -> None:
    wait_until(lambda: records(dnsp.query(name, rdtype)) == expected, UPDATE_WITHIN,
               f"{name} {rdtype} -> {expected}")


def test_a_service_resolves_to_its_cluster_ip(tugdns: DNSProcess, client, ns):
    ip = create_service(client, ns, "web")["spec"]["clusterIP"]
    answered(tugdns, f"web.{ns}.svc.cluster.local", "A", [f"A {ip}"])
    response = tugdns.query(f"web.{ns}.svc.cluster.local", "A")
    assert response.answer[0].ttl == 5
    # the same over TCP
    assert records(tugdns.query(f"web.{ns}.svc.cluster.local", "A", tcp=True)) == [f"A {ip}"]


def test_the_kubernetes_service_resolves(tugdns: DNSProcess):
    assert records(tugdns.query("kubernetes.default.svc.cluster.local")) == ["A 10.96.0.1"]


def test_srv_for_a_named_port(tugdns: DNSProcess, client, ns):
    ip = create_service(client, ns, "web")["spec"]["clusterIP"]
    answered(tugdns, f"_http._tcp.web.{ns}.svc.cluster.local", "SRV",
             [f"SRV 0 100 80 web.{ns}.svc.cluster.local."])
    response = tugdns.query(f"_http._tcp.web.{ns}.svc.cluster.local", "SRV")
    assert [rd.to_text() for rr in response.additional for rd in rr] == [ip]


def test_headless_service_answers_ready_endpoints(tugdns: DNSProcess, client, ns):
    create_service(client, ns, "db", clusterIP="None")
    put_slice(client, ns, "db", [
        {"addresses": ["10.244.0.5"], "conditions": {"ready": True}, "hostname": "db-0"},
        {"addresses": ["10.244.0.6"], "conditions": {"ready": True}},
        {"addresses": ["10.244.0.7"], "conditions": {"ready": False}}])
    answered(tugdns, f"db.{ns}.svc.cluster.local", "A", ["A 10.244.0.5", "A 10.244.0.6"])
    assert records(tugdns.query(f"db-0.db.{ns}.svc.cluster.local")) == ["A 10.244.0.5"]
    assert records(tugdns.query(f"_http._tcp.db.{ns}.svc.cluster.local", "SRV")) == [
        f"SRV 0 50 8080 10-244-0-6.db.{ns}.svc.cluster.local.",
        f"SRV 0 50 8080 db-0.db.{ns}.svc.cluster.local."]
    # readiness changes: the unready endpoint becomes ready, the others go away
    put_slice(client, ns, "db", [
        {"addresses": ["10.244.0.7"], "conditions": {"ready": True}}])
    answered(tugdns, f"db.{ns}.svc.cluster.local", "A", ["A 10.244.0.7"])


def test_ptr_for_cluster_ips_and_headless_endpoints(tugdns: DNSProcess, client, ns):
    ip = create_service(client, ns, "web")["spec"]["clusterIP"]
    create_service(client, ns, "db", clusterIP="None")
    put_slice(client, ns, "db", [{"addresses": ["10.244.1.9"], "hostname": "db-0"}])
    answered(tugdns, dns.reversename.from_address(ip).to_text(), "PTR",
             [f"PTR web.{ns}.svc.cluster.local."])
    answered(tugdns, "9.1.244.10.in-addr.arpa", "PTR",
             [f"PTR db-0.db.{ns}.svc.cluster.local."])


def test_missing_names_are_nxdomain_with_the_soa(tugdns: DNSProcess, ns):
    response = tugdns.query(f"nope.{ns}.svc.cluster.local")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert [rr.rdtype.name for rr in response.authority] == ["SOA"]
    assert response.authority[0].name.to_text() == "cluster.local."
    # the namespace itself exists: no data, not NXDOMAIN
    response = tugdns.query(f"{ns}.svc.cluster.local")
    assert response.rcode() == dns.rcode.NOERROR and not response.answer


def test_a_name_that_exists_without_the_type_is_nodata(tugdns: DNSProcess, client, ns):
    create_service(client, ns, "web")
    answered(tugdns, f"web.{ns}.svc.cluster.local", "AAAA", [])
    response = tugdns.query(f"web.{ns}.svc.cluster.local", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert [rr.rdtype.name for rr in response.authority] == ["SOA"]


def test_external_name_is_a_cname_followed_upstream(tugdns: DNSProcess, client, ns):
    create_service(client, ns, "search", type="ExternalName",
                   externalName="search.example.test", ports=[])
    answered(tugdns, f"search.{ns}.svc.cluster.local", "A",
             ["A 192.0.2.20", "CNAME search.example.test."])


def test_pod_names_echo_the_address(tugdns: DNSProcess, ns):
    assert records(tugdns.query(f"10-244-3-4.{ns}.pod.cluster.local")) == ["A 10.244.3.4"]


def test_deleting_a_service_makes_its_name_nxdomain(tugdns: DNSProcess, client, ns):
    ip = create_service(client, ns, "gone")["spec"]["clusterIP"]
    answered(tugdns, f"gone.{ns}.svc.cluster.local", "A", [f"A {ip}"])
    assert client.delete(f"/api/v1/namespaces/{ns}/services/gone").status_code == 200
    wait_until(lambda: tugdns.query(f"gone.{ns}.svc.cluster.local").rcode()
               == dns.rcode.NXDOMAIN, UPDATE_WITHIN, "NXDOMAIN after the delete")
