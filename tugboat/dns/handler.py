"""One query in, one response out, whatever carried it (CoreDNS's plugin chain, in the
order of Kubernetes' default Corefile): names under the cluster domain and the reverse
names of known addresses are the kubernetes zone's, everything else is forwarded. An
ExternalName's CNAME is followed, so a client gets the target's addresses in one answer.
Responses too big for the client's UDP buffer go out truncated, so it retries over TCP.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from tugboat.dns.forward import Forwarder, servfail
from tugboat.dns.kubernetes import Answer, KubernetesZone
from tugboat.dns.metrics import DNSMetrics

log = logging.getLogger(__name__)

UDP_MIN = 512  # what a client without EDNS can take (RFC 1035)
TCP_MAX = 65535


class QueryHandler:
    def __init__(self, zone: KubernetesZone, forwarder: Forwarder, metrics: DNSMetrics,
                 synced: Callable[[], bool]):
        self.zone = zone
        self.forwarder = forwarder
        self.metrics = metrics
        self._synced = synced

    async def handle(self, wire: bytes, *, tcp: bool, ipv6: bool = False) -> bytes | None:
        """The response's wire form, or None to send nothing (not a query at all)."""
        start = time.monotonic()
        try:
            query = dns.message.from_wire(wire)
        except dns.message.ShortHeader:
            return None
        except Exception:  # anything unparseable past the header: FORMERR, as CoreDNS
            return _formerr(wire)
        if query.flags & dns.flags.QR:
            return None  # a response sent to us; answering it could start a loop
        response, plugin = await self._respond(query, tcp)
        qtype = (dns.rdatatype.to_text(query.question[0].rdtype) if query.question
                 else "other")
        self.metrics.observe(proto="tcp" if tcp else "udp", family="2" if ipv6 else "1",
                             qtype=qtype, rcode=dns.rcode.to_text(response.rcode()),
                             plugin=plugin, seconds=time.monotonic() - start)
        return _render(query, response, TCP_MAX if tcp else _udp_size(query))

    async def _respond(self, query: dns.message.Message, tcp: bool
                       ) -> tuple[dns.message.Message, str]:
        if query.opcode() != dns.opcode.QUERY:
            return _reply(query, dns.rcode.NOTIMP), ""
        if len(query.question) != 1:
            return _reply(query, dns.rcode.FORMERR), ""
        question = query.question[0]
        answer = None
        if question.rdclass == dns.rdataclass.IN:
            answer = self.zone.resolve(question.name, question.rdtype)
        if answer is None:
            return await self.forwarder.forward(query, tcp), "forward"
        if not self._synced():  # an empty cache would answer NXDOMAIN for what exists
            return servfail(query), "kubernetes"
        await self._follow_cname(question.name, question.rdtype, answer, tcp)
        response = _reply(query, answer.rcode)
        response.flags |= dns.flags.AA
        response.answer, response.authority = answer.answer, answer.authority
        response.additional = answer.additional
        return response, "kubernetes"

    async def _follow_cname(self, qname: dns.name.Name, qtype: int, answer: Answer,
                            tcp: bool) -> None:
        if qtype == dns.rdatatype.CNAME or not answer.answer:
            return
        last = answer.answer[-1]
        if last.rdtype != dns.rdatatype.CNAME or last.name != qname:
            return
        target = last[0].target
        if self.zone.owns(target):
            inner = self.zone.resolve(target, qtype)
            if inner is not None:
                answer.answer += [rr for rr in inner.answer if rr.rdtype != dns.rdatatype.CNAME]
            return
        upstream = await self.forwarder.forward(dns.message.make_query(target, qtype), tcp)
        answer.answer += upstream.answer


def _reply(query: dns.message.Message, rcode: int) -> dns.message.Message:
    response = dns.message.make_response(query, recursion_available=True)
    response.set_rcode(rcode)
    return response


def _udp_size(query: dns.message.Message) -> int:
    return max(UDP_MIN, query.payload) if query.edns >= 0 else UDP_MIN


def _render(query: dns.message.Message, response: dns.message.Message, max_size: int
            ) -> bytes:
    response.id = query.id
    try:
        return response.to_wire(max_size=max_size)
    except dns.exception.TooBig:
        truncated = _reply(query, response.rcode())
        truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
        return truncated.to_wire(max_size=max_size)


def _formerr(wire: bytes) -> bytes:
    response = dns.message.Message(id=int.from_bytes(wire[:2], "big"))
    response.flags = dns.flags.QR
    response.set_rcode(dns.rcode.FORMERR)
    return response.to_wire()
