"""The query handler: which part answers, and the response's framing (flags, rcodes, the
client's size limit), with the zone from plain objects and a stand-in forwarder."""

from __future__ import annotations

import asyncio

import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rrset

from tests.unit.dns.objects import endpoint, endpoint_slice, index_of, service
from tugboat.dns.handler import QueryHandler
from tugboat.dns.kubernetes import KubernetesZone
from tugboat.dns.metrics import DNSMetrics


class StubForwarder:
    """Answers every forwarded question with 192.0.2.1, and remembers the questions."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def forward(self, query: dns.message.Message, tcp: bool = False
                      ) -> dns.message.Message:
        question = query.question[0]
        self.asked.append(f"{question.name} {dns.rdatatype.to_text(question.rdtype)}")
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", "192.0.2.1"))
        return response


def handler(*objects, synced: bool = True) -> tuple[QueryHandler, StubForwarder]:
    forwarder = StubForwarder()
    zone = KubernetesZone(index_of(*objects))
    return QueryHandler(zone, forwarder, DNSMetrics("dns://:53"), lambda: synced), forwarder


def exchange(h: QueryHandler, query: dns.message.Message | bytes, tcp: bool = False
             ) -> dns.message.Message | None:
    wire = query if isinstance(query, bytes) else query.to_wire()
    out = asyncio.run(h.handle(wire, tcp=tcp))
    return None if out is None else dns.message.from_wire(out)


def test_cluster_names_are_authoritative_and_others_forwarded():
    h, forwarder = handler(service("web"))
    response = exchange(h, dns.message.make_query("web.default.svc.cluster.local", "A"))
    assert response.flags & dns.flags.AA and response.flags & dns.flags.RA
    assert [rd.to_text() for rd in response.answer[0]] == ["10.96.0.10"]
    response = exchange(h, dns.message.make_query("example.org", "A"))
    assert not response.flags & dns.flags.AA
    assert forwarder.asked == ["example.org. A"]


def test_the_response_keeps_the_query_id():
    h, _ = handler(service("web"))
    query = dns.message.make_query("web.default.svc.cluster.local", "A")
    query.id = 4242
    assert exchange(h, query).id == 4242


def test_an_external_name_is_followed_to_its_addresses():
    h, forwarder = handler(service("search", cluster_ip=None, type="ExternalName",
                                   externalName="search.example.org"))
    response = exchange(h, dns.message.make_query("search.default.svc.cluster.local", "A"))
    assert [rr.rdtype.name for rr in response.answer] == ["CNAME", "A"]
    assert forwarder.asked == ["search.example.org. A"]


def test_an_external_name_inside_the_cluster_is_followed_locally():
    h, forwarder = handler(service("web"), service(
        "alias", cluster_ip=None, type="ExternalName",
        externalName="web.default.svc.cluster.local"))
    response = exchange(h, dns.message.make_query("alias.default.svc.cluster.local", "A"))
    assert [rd.to_text() for rr in response.answer for rd in rr] == [
        "web.default.svc.cluster.local.", "10.96.0.10"]
    assert forwarder.asked == []


def test_before_the_caches_sync_cluster_names_get_servfail_not_nxdomain():
    h, _ = handler(synced=False)
    response = exchange(h, dns.message.make_query("web.default.svc.cluster.local", "A"))
    assert response.rcode() == dns.rcode.SERVFAIL


def test_too_big_for_udp_is_truncated_and_whole_over_tcp():
    addresses = [f"10.1.{i // 200}.{i % 200 + 1}" for i in range(100)]
    h, _ = handler(service("big", cluster_ip="None"),
                   endpoint_slice("big", [endpoint(a) for a in addresses]))
    query = dns.message.make_query("big.default.svc.cluster.local", "A")
    udp = exchange(h, query)
    assert udp.flags & dns.flags.TC and not udp.answer
    tcp = exchange(h, query, tcp=True)
    assert not tcp.flags & dns.flags.TC and len(tcp.answer[0]) == 100
    edns = dns.message.make_query("big.default.svc.cluster.local", "A", use_edns=0,
                                  payload=4096)
    assert len(exchange(h, edns).answer[0]) == 100  # fits the client's EDNS buffer


def test_garbage_gets_formerr_and_too_short_gets_nothing():
    h, _ = handler()
    response = exchange(h, b"\x12\x34" + b"\x01\x00" + b"\x00\x01" + b"\x00" * 6 + b"\xff")
    assert response.id == 0x1234 and response.rcode() == dns.rcode.FORMERR
    assert exchange(h, b"\x00\x01") is None


def test_responses_sent_to_us_are_not_answered():
    h, _ = handler()
    query = dns.message.make_query("example.org", "A")
    assert exchange(h, dns.message.make_response(query)) is None


def test_other_opcodes_are_not_implemented():
    h, _ = handler()
    query = dns.message.make_query("example.org", "A")
    query.set_opcode(dns.opcode.NOTIFY)
    assert exchange(h, query).rcode() == dns.rcode.NOTIMP


def test_metrics_count_requests_by_type_and_rcode():
    h, _ = handler(service("web"))
    exchange(h, dns.message.make_query("web.default.svc.cluster.local", "A"))
    exchange(h, dns.message.make_query("nope.default.svc.cluster.local", "AAAA"))
    text = h.metrics.render().decode()
    assert ('coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",'
            'type="AAAA",zone="."} 1.0') in text
    assert ('coredns_dns_responses_total{plugin="kubernetes",rcode="NXDOMAIN",'
            'server="dns://:53",zone="."} 1.0') in text
    assert 'coredns_dns_request_duration_seconds_count{server="dns://:53",type="A"' in text
