"""What the proxy programs, per Service port: its ClusterIP, NodePort, policies and the
endpoints its EndpointSlices name. kube-proxy's ServicePort and Endpoint, read from the
API objects once so the rule writer works on plain values. Pure functions: headless and
ExternalName Services have no virtual IP and are skipped, as kube-proxy skips them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tugboat.api.discovery import LABEL_SERVICE_NAME, EndpointSlice
from tugboat.api.service import Service

DEFAULT_AFFINITY_TIMEOUT = 10800  # seconds; ClientIPConfig.timeoutSeconds' default (3h)


@dataclass(frozen=True, order=True)
class EndpointInfo:
    ip: str
    port: int
    node_name: str | None = None
    ready: bool = True
    serving: bool = True
    terminating: bool = False

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class ServicePortInfo:
    namespace: str
    name: str
    port_name: str
    protocol: str  # lower case, as iptables' -p takes it
    cluster_ip: str
    port: int
    node_port: int | None = None
    affinity_timeout: int | None = None  # seconds when sessionAffinity is ClientIP
    external_local: bool = False
    internal_local: bool = False
    endpoints: tuple[EndpointInfo, ...] = ()

    @property
    def port_name_string(self) -> str:
        """kube-proxy's ServicePortName: "ns/name:port", or "ns/name" for an unnamed port."""
        suffix = f":{self.port_name}" if self.port_name else ""
        return f"{self.namespace}/{self.name}{suffix}"


def has_virtual_ip(svc: Service) -> bool:
    spec = svc.spec
    return (spec.type or "ClusterIP") != "ExternalName" and bool(spec.clusterIP) \
        and spec.clusterIP != "None"


def service_ports(services: Iterable[Service],
                  slices: Iterable[EndpointSlice]) -> list[ServicePortInfo]:
    """Every proxied port of every Service, with its endpoints, in a stable order."""
    by_service: dict[tuple[str, str], list[EndpointSlice]] = {}
    for s in slices:
        owner = (s.metadata.labels or {}).get(LABEL_SERVICE_NAME)
        if owner and (s.addressType or "IPv4") == "IPv4":
            by_service.setdefault((s.metadata.namespace or "", owner), []).append(s)
    out: list[ServicePortInfo] = []
    for svc in services:
        if not has_virtual_ip(svc):
            continue
        ns, name = svc.metadata.namespace or "default", svc.metadata.name or ""
        spec = svc.spec
        timeout = None
        if spec.sessionAffinity == "ClientIP":
            config = (spec.sessionAffinityConfig or {}).get("clientIP") or {}
            timeout = int(config.get("timeoutSeconds") or DEFAULT_AFFINITY_TIMEOUT)
        for p in spec.ports or []:
            protocol = (p.protocol or "TCP").upper()
            out.append(ServicePortInfo(
                namespace=ns, name=name, port_name=p.name or "", protocol=protocol.lower(),
                cluster_ip=spec.clusterIP or "", port=p.port,
                node_port=p.nodePort if spec.type in ("NodePort", "LoadBalancer") else None,
                affinity_timeout=timeout,
                external_local=spec.externalTrafficPolicy == "Local",
                internal_local=spec.internalTrafficPolicy == "Local",
                endpoints=_endpoints(by_service.get((ns, name), []), p.name or "", protocol)))
    out.sort(key=lambda sp: (sp.port_name_string, sp.protocol))
    return out


def _endpoints(slices: list[EndpointSlice], port_name: str,
               protocol: str) -> tuple[EndpointInfo, ...]:
    """The slices' endpoints for one Service port, matched by port name and protocol;
    an address listed twice (two slices during a move) counts once."""
    found: dict[str, EndpointInfo] = {}
    for s in slices:
        port = next((sp.port for sp in s.ports or []
                     if (sp.name or "") == port_name and (sp.protocol or "TCP") == protocol),
                    None)
        if port is None:
            continue
        for ep in s.endpoints or []:
            if not ep.addresses:
                continue
            c = ep.conditions
            ready = c is None or c.ready is None or c.ready  # nil means ready
            serving = ready if c is None or c.serving is None else c.serving
            terminating = bool(c and c.terminating)
            info = EndpointInfo(ep.addresses[0], port, ep.nodeName, bool(ready),
                                bool(serving), terminating)
            found.setdefault(info.address, info)
    return tuple(sorted(found.values()))
