"""The cluster zone's answers, from plain objects: Kubernetes' DNS specification, case by
case, as CoreDNS's kubernetes plugin gives them."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from tests.unit.dns.objects import endpoint, endpoint_slice, index_of, namespace, service
from tugboat.dns.kubernetes import Answer, KubernetesZone

NODATA, NXDOMAIN = "NOERROR/nodata", "NXDOMAIN"


def cluster() -> KubernetesZone:
    return KubernetesZone(index_of(
        namespace("default"), namespace("empty"),
        service("web", cluster_ip="10.96.0.10",
                ports=[{"name": "http", "port": 80, "protocol": "TCP"},
                       {"name": "dns", "port": 53, "protocol": "UDP"}]),
        endpoint_slice("web", [endpoint("10.1.0.1"), endpoint("10.1.0.2")]),
        service("db", cluster_ip="None", ports=[{"name": "pg", "port": 5432}]),
        endpoint_slice("db", [endpoint("10.1.0.5", hostname="db-0"),
                              endpoint("10.1.0.6"), endpoint("10.1.0.7", ready=False)],
                       ports=[{"name": "pg", "port": 5433, "protocol": "TCP"}]),
        service("empty-headless", cluster_ip="None"),
        service("search", cluster_ip=None, type="ExternalName",
                externalName="search.example.org"),
        service("alias", cluster_ip=None, type="ExternalName",
                externalName="web.default.svc.cluster.local"),
        service("v6", cluster_ip="fd00::10")))


def ask(zone: KubernetesZone, name: str, rdtype: str) -> Answer | None:
    return zone.resolve(dns.name.from_text(name), dns.rdatatype.from_text(rdtype))


def summary(answer: Answer | None) -> str | list[str] | None:
    """NXDOMAIN, NOERROR/nodata, or the answer's records as text, sorted."""
    if answer is None:
        return None
    if answer.rcode == dns.rcode.NXDOMAIN:
        return NXDOMAIN
    if not answer.answer:
        return NODATA
    return sorted(f"{rr.rdtype.name} {rd.to_text()}" for rr in answer.answer for rd in rr)


@pytest.mark.parametrize("name, rdtype, expected", [
    # a ClusterIP Service: its address, whatever the case of the question
    ("web.default.svc.cluster.local.", "A", ["A 10.96.0.10"]),
    ("WEB.Default.SVC.cluster.local.", "A", ["A 10.96.0.10"]),
    ("web.default.svc.cluster.local.", "AAAA", NODATA),
    ("web.default.svc.cluster.local.", "TXT", NODATA),
    ("v6.default.svc.cluster.local.", "AAAA", ["AAAA fd00::10"]),
    ("v6.default.svc.cluster.local.", "A", NODATA),
    # SRV per named port, and on the bare service name for all of them
    ("_http._tcp.web.default.svc.cluster.local.", "SRV",
     ["SRV 0 100 80 web.default.svc.cluster.local."]),
    ("_dns._udp.web.default.svc.cluster.local.", "SRV",
     ["SRV 0 100 53 web.default.svc.cluster.local."]),
    ("_http._udp.web.default.svc.cluster.local.", "SRV", NXDOMAIN),
    ("_nope._tcp.web.default.svc.cluster.local.", "SRV", NXDOMAIN),
    ("_http._tcp.web.default.svc.cluster.local.", "A", NODATA),
    ("web.default.svc.cluster.local.", "SRV",
     ["SRV 0 50 53 web.default.svc.cluster.local.",
      "SRV 0 50 80 web.default.svc.cluster.local."]),
    # a headless Service: its ready endpoints, by name too
    ("db.default.svc.cluster.local.", "A", ["A 10.1.0.5", "A 10.1.0.6"]),
    ("db-0.db.default.svc.cluster.local.", "A", ["A 10.1.0.5"]),
    ("10-1-0-6.db.default.svc.cluster.local.", "A", ["A 10.1.0.6"]),
    ("10-1-0-7.db.default.svc.cluster.local.", "A", NXDOMAIN),  # not ready
    ("db-1.db.default.svc.cluster.local.", "A", NXDOMAIN),
    ("10-1-0-1.web.default.svc.cluster.local.", "A", NXDOMAIN),  # not headless
    ("_pg._tcp.db.default.svc.cluster.local.", "SRV",
     ["SRV 0 50 5433 10-1-0-6.db.default.svc.cluster.local.",
      "SRV 0 50 5433 db-0.db.default.svc.cluster.local."]),
    ("empty-headless.default.svc.cluster.local.", "A", NXDOMAIN),  # kubernetes/dns#245
    ("db.default.svc.cluster.local.", "AAAA", NODATA),
    # ExternalName: a CNAME, whatever the type
    ("search.default.svc.cluster.local.", "A", ["CNAME search.example.org."]),
    ("search.default.svc.cluster.local.", "AAAA", ["CNAME search.example.org."]),
    # names that do not exist, and parents that do
    ("nope.default.svc.cluster.local.", "A", NXDOMAIN),
    ("web.other.svc.cluster.local.", "A", NXDOMAIN),
    ("default.svc.cluster.local.", "A", NODATA),
    ("empty.svc.cluster.local.", "A", NODATA),
    ("nowhere.svc.cluster.local.", "A", NXDOMAIN),
    ("svc.cluster.local.", "A", NODATA),
    ("cluster.local.", "A", NODATA),
    ("foo.cluster.local.", "A", NXDOMAIN),
    ("a.b.web.default.svc.cluster.local.", "A", NXDOMAIN),
    # pods: the address echoed (pods insecure)
    ("10-1-0-9.default.pod.cluster.local.", "A", ["A 10.1.0.9"]),
    ("fd00--9.default.pod.cluster.local.", "AAAA", ["AAAA fd00::9"]),
    ("10-1-0-9.default.pod.cluster.local.", "AAAA", NODATA),
    ("not-an-ip.default.pod.cluster.local.", "A", NXDOMAIN),
    # the specification's version
    ("dns-version.cluster.local.", "TXT", ['TXT "1.1.0"']),
    # reverse names of what we know; others are not ours
    ("10.0.96.10.in-addr.arpa.", "PTR", ["PTR web.default.svc.cluster.local."]),
    ("5.0.1.10.in-addr.arpa.", "PTR", ["PTR db-0.db.default.svc.cluster.local."]),
    ("6.0.1.10.in-addr.arpa.", "PTR", ["PTR 10-1-0-6.db.default.svc.cluster.local."]),
    ("10.0.96.10.in-addr.arpa.", "A", NODATA),
    ("8.8.8.8.in-addr.arpa.", "PTR", None),
    ("example.com.", "A", None),
])
def test_answers(name, rdtype, expected):
    assert summary(ask(cluster(), name, rdtype)) == expected


def test_negative_answers_carry_the_zone_soa_with_the_ttl_as_minimum():
    for name, rdtype in (("nope.default.svc.cluster.local.", "A"),
                         ("web.default.svc.cluster.local.", "AAAA")):
        answer = ask(cluster(), name, rdtype)
        assert answer is not None
        [soa] = answer.authority
        assert soa.name == dns.name.from_text("cluster.local.")
        assert soa.ttl == 5 and soa[0].minimum == 5
        assert soa[0].mname == dns.name.from_text("ns.dns.cluster.local.")


def test_records_live_five_seconds_unless_told_otherwise():
    answer = ask(cluster(), "web.default.svc.cluster.local.", "A")
    assert answer is not None and answer.answer[0].ttl == 5
    zone = KubernetesZone(index_of(service("web")), ttl=30)
    assert ask(zone, "web.default.svc.cluster.local.", "A").answer[0].ttl == 30


def test_srv_additionals_hold_the_targets_addresses():
    answer = ask(cluster(), "_pg._tcp.db.default.svc.cluster.local.", "SRV")
    assert answer is not None
    assert sorted(f"{rr.name} {rd}" for rr in answer.additional for rd in rr) == [
        "10-1-0-6.db.default.svc.cluster.local. 10.1.0.6",
        "db-0.db.default.svc.cluster.local. 10.1.0.5"]


def test_the_owner_name_is_the_question_as_asked():
    answer = ask(cluster(), "WEB.default.svc.cluster.local.", "A")
    assert answer is not None and answer.answer[0].name.to_text() == (
        "WEB.default.svc.cluster.local.")


def test_another_cluster_domain():
    zone = KubernetesZone(index_of(service("web")), "corp.internal")
    assert summary(ask(zone, "web.default.svc.corp.internal.", "A")) == ["A 10.96.0.10"]
    assert ask(zone, "web.default.svc.cluster.local.", "A") is None
