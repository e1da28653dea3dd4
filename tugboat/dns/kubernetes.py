"""Names under the cluster domain, answered from the DNS index: CoreDNS's kubernetes plugin,
following Kubernetes' DNS-based service discovery specification.

- `<svc>.<ns>.svc.<zone>`: A/AAAA of the ClusterIPs; every ready endpoint address for a
  headless Service (NXDOMAIN when it has none); a CNAME for an ExternalName Service; SRV
  for each named port.
- `<host>.<svc>.<ns>.svc.<zone>`: a headless Service's endpoint, by hostname or dashed IP.
- `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV, with the targets' addresses as additionals.
- `<a-b-c-d>.<ns>.pod.<zone>`: the address echoed (CoreDNS's `pods insecure`).
- PTR for ClusterIPs and headless endpoint addresses; other reverse names are not ours.
- `dns-version.<zone>` TXT: the specification's version.

A name in the zone that does not exist is NXDOMAIN, one that exists without the asked type
is NOERROR with no answer; both carry the zone's SOA in the authority section.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.rrset

from tugboat.dns.index import DNSIndex, cluster_ips, is_headless

DEFAULT_TTL = 5  # CoreDNS's default for the kubernetes plugin
SPEC_VERSION = "1.1.0"

A, AAAA, SRV, PTR, CNAME = (dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.SRV,
                            dns.rdatatype.PTR, dns.rdatatype.CNAME)
REVERSE_ZONES = (dns.name.from_text("in-addr.arpa."), dns.name.from_text("ip6.arpa."))


@dataclass
class Answer:
    """The sections of an authoritative response."""

    rcode: int = dns.rcode.NOERROR
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """One address record a query resolves to: the name it lives at and the address."""

    name: dns.name.Name
    address: str


class KubernetesZone:
    def __init__(self, index: DNSIndex, domain: str = "cluster.local", ttl: int = DEFAULT_TTL):
        self.index = index
        self.zone = dns.name.from_text(domain)
        self.ttl = ttl

    def owns(self, qname: dns.name.Name) -> bool:
        return qname.is_subdomain(self.zone)

    def resolve(self, qname: dns.name.Name, qtype: int) -> Answer | None:
        """The response for a question, or None when the name is not ours to answer (names
        outside the zone, reverse names of addresses we do not know)."""
        if qname.is_subdomain(self.zone):
            labels = [label.decode("ascii", "replace").lower()
                      for label in qname.relativize(self.zone).labels]
            return self._in_zone(qname, qtype, labels)
        if any(qname.is_subdomain(z) for z in REVERSE_ZONES):
            return self._reverse(qname, qtype)
        return None

    # --- the zone's names --------------------------------------------------------------

    def _in_zone(self, qname: dns.name.Name, qtype: int, labels: list[str]) -> Answer:
        if not labels:  # the apex
            if qtype == dns.rdatatype.SOA:
                return Answer(answer=[self._soa()])
            if qtype == dns.rdatatype.NS:
                return Answer(answer=[self._rrset(qname, dns.rdatatype.NS,
                                                  [f"ns.dns.{self.zone}"])])
            return self._nodata()
        if labels == ["dns-version"]:
            if qtype == dns.rdatatype.TXT:
                return Answer(answer=[self._rrset(qname, dns.rdatatype.TXT,
                                                  [f'"{SPEC_VERSION}"'])])
            return self._nodata()
        kind, rest = labels[-1], labels[:-1]
        if kind == "svc":
            return self._service_names(qname, qtype, rest)
        if kind == "pod":
            return self._pod_names(qname, qtype, rest)
        return self._nxdomain()

    def _service_names(self, qname: dns.name.Name, qtype: int, rest: list[str]) -> Answer:
        if not rest:
            return self._nodata()
        if len(rest) == 1:  # <ns>.svc
            return self._nodata() if self.index.has_namespace(rest[0]) else self._nxdomain()
        if len(rest) == 2:
            return self._service(qname, qtype, rest[0], rest[1])
        if len(rest) == 3:
            return self._endpoint(qname, qtype, rest[0], rest[1], rest[2])
        if len(rest) == 4 and rest[0].startswith("_") and rest[1].startswith("_"):
            return self._port_srv(qname, qtype, rest[0][1:], rest[1][1:], rest[2], rest[3])
        return self._nxdomain()

    def _service(self, qname: dns.name.Name, qtype: int, name: str, ns: str) -> Answer:
        svc = self.index.service(ns, name)
        if svc is None:
            return self._nxdomain()
        if svc.spec.type == "ExternalName":
            if not svc.spec.externalName:
                return self._nodata()
            target = dns.name.from_text(svc.spec.externalName)
            return Answer(answer=[self._rrset(qname, CNAME, [target.to_text()])])
        if is_headless(svc) and not self.index.ready_endpoints(ns, name):
            # The specification (kubernetes/dns#245) follows kube-dns and CoreDNS here:
            # a headless Service without ready endpoints is NXDOMAIN, not NODATA.
            return self._nxdomain()
        if qtype in (A, AAAA):
            addresses = ([ep.address for ep in self.index.ready_endpoints(ns, name)]
                         if is_headless(svc) else cluster_ips(svc))
            return self._addresses(qname, qtype, addresses)
        if qtype == SRV:
            ports = [p.name for p in svc.spec.ports or [] if p.name]
            records = self._srv_records(svc_name=name, ns=ns, port_names=ports, protocol=None)
            return self._srv_answer(qname, records)
        return self._nodata()

    def _endpoint(self, qname: dns.name.Name, qtype: int, host: str, name: str,
                  ns: str) -> Answer:
        svc = self.index.service(ns, name)
        if svc is None or not is_headless(svc):
            return self._nxdomain()
        addresses = [ep.address for ep in self.index.ready_endpoints(ns, name)
                     if ep.hostname.lower() == host]
        if not addresses:
            return self._nxdomain()
        return self._addresses(qname, qtype, addresses)

    def _port_srv(self, qname: dns.name.Name, qtype: int, port: str, proto: str, name: str,
                  ns: str) -> Answer:
        svc = self.index.service(ns, name)
        if svc is None or svc.spec.type == "ExternalName":
            return self._nxdomain()
        records = self._srv_records(svc_name=name, ns=ns, port_names=[port], protocol=proto)
        if not records:
            return self._nxdomain()
        return self._srv_answer(qname, records) if qtype == SRV else self._nodata()

    def _srv_records(self, *, svc_name: str, ns: str, port_names: list[str],
                     protocol: str | None) -> list[tuple[int, _Target]]:
        """(port, target) pairs: the Service's name and port for a ClusterIP Service, each
        ready endpoint and its target port for a headless one."""
        svc = self.index.service(ns, svc_name)
        assert svc is not None
        base = dns.name.from_text(f"{svc_name}.{ns}.svc", self.zone)
        wanted = {p.lower() for p in port_names}

        def matches(name: str | None, proto: str | None) -> bool:
            return (bool(name) and name.lower() in wanted
                    and (protocol is None or (proto or "TCP").lower() == protocol))

        if not is_headless(svc):
            ips = cluster_ips(svc)
            return [(p.port, _Target(base, ip)) for p in svc.spec.ports or []
                    if matches(p.name, p.protocol) for ip in ips[:1]]
        endpoints = self.index.ready_endpoints(ns, svc_name)
        return [(p.port, _Target(dns.name.Name((ep.hostname.encode(),) + base.labels),
                                 ep.address))
                for p in self.index.endpoint_ports(ns, svc_name)
                if p.port is not None and matches(p.name, p.protocol) for ep in endpoints]

    def _srv_answer(self, qname: dns.name.Name, records: list[tuple[int, _Target]]) -> Answer:
        if not records:
            return self._nodata()
        weight = max(1, 100 // len(records))
        srv = self._rrset(qname, SRV, [f"0 {weight} {port} {target.name}"
                                       for port, target in records])
        additional: dict[tuple[dns.name.Name, int], list[str]] = {}
        for _, target in records:
            rdtype = A if ipaddress.ip_address(target.address).version == 4 else AAAA
            values = additional.setdefault((target.name, rdtype), [])
            if target.address not in values:
                values.append(target.address)
        return Answer(answer=[srv], additional=[self._rrset(name, rdtype, values)
                                                for (name, rdtype), values in additional.items()])

    def _pod_names(self, qname: dns.name.Name, qtype: int, rest: list[str]) -> Answer:
        if len(rest) <= 1:  # pod.<zone> and <ns>.pod.<zone> exist as parents
            return self._nodata()
        if len(rest) != 2:
            return self._nxdomain()
        address = _undash(rest[0])
        return self._addresses(qname, qtype, [address]) if address else self._nxdomain()

    # --- reverse names -----------------------------------------------------------------

    def _reverse(self, qname: dns.name.Name, qtype: int) -> Answer | None:
        try:
            address = dns.reversename.to_address(qname)
        except (dns.exception.SyntaxError, ValueError):
            return None
        owners = self.index.reverse(address)
        if not owners:
            return None  # not ours: fall through to the upstream resolvers
        if qtype != PTR:
            return Answer()
        names = [".".join(p for p in (host, svc, ns, "svc") if p) for host, svc, ns in owners]
        return Answer(answer=[self._rrset(qname, PTR, [dns.name.from_text(n, self.zone)
                                                       .to_text() for n in names])])

    # --- building blocks ---------------------------------------------------------------

    def _addresses(self, qname: dns.name.Name, qtype: int, addresses: list[str]) -> Answer:
        version = 4 if qtype == A else 6 if qtype == AAAA else 0
        matching = sorted({a for a in addresses if ipaddress.ip_address(a).version == version},
                          key=ipaddress.ip_address)
        if not matching:
            return self._nodata()
        return Answer(answer=[self._rrset(qname, qtype, matching)])

    def _rrset(self, name: dns.name.Name, rdtype: int, values: list[str]) -> dns.rrset.RRset:
        return dns.rrset.from_text_list(name, self.ttl, dns.rdataclass.IN, rdtype, values)

    def _soa(self) -> dns.rrset.RRset:
        serial = self.index.modified & 0xFFFFFFFF
        return self._rrset(self.zone, dns.rdatatype.SOA, [
            f"ns.dns.{self.zone} hostmaster.{self.zone} {serial} 7200 1800 86400 {self.ttl}"])

    def _nodata(self) -> Answer:
        return Answer(authority=[self._soa()])

    def _nxdomain(self) -> Answer:
        return Answer(rcode=dns.rcode.NXDOMAIN, authority=[self._soa()])


def _undash(label: str) -> str | None:
    """The address in a pod name label: 10-1-2-3 or fd00--1 (dashes for dots or colons)."""
    for text in (label.replace("-", "."), label.replace("-", ":")):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            continue
    return None
