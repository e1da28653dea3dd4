"""The DNS server's view of the cluster: Services, their EndpointSlices and Namespaces,
indexed the way queries need them (CoreDNS's dnsController and its indexers).

Informer events feed it (`set_*` / `delete_*`); the resolver only reads it. Nothing here
touches the network, so unit tests fill it from plain objects.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from tugboat.api.core import Namespace, Service
from tugboat.api.discovery import LABEL_SERVICE_NAME, EndpointPort, EndpointSlice

HEADLESS = "None"  # spec.clusterIP of a headless Service


@dataclass(frozen=True)
class EndpointRecord:
    """One ready address of a Service, with the DNS label it is published under."""

    address: str
    hostname: str  # spec hostname, or the address with dashes (CoreDNS's endpointHostname)


def endpoint_hostname(address: str, hostname: str | None) -> str:
    if hostname:
        return hostname
    return address.replace(":", "-") if ":" in address else address.replace(".", "-")


def is_headless(svc: Service) -> bool:
    return svc.spec.clusterIP == HEADLESS


def cluster_ips(svc: Service) -> list[str]:
    """The Service's allocated ClusterIPs (none for headless and ExternalName ones)."""
    ips = svc.spec.clusterIPs or ([svc.spec.clusterIP] if svc.spec.clusterIP else [])
    return [ip for ip in ips if ip and ip != HEADLESS]


class DNSIndex:
    def __init__(self) -> None:
        self._services: dict[tuple[str, str], Service] = {}
        self._slices: dict[tuple[str, str], dict[str, EndpointSlice]] = {}
        self._namespaces: set[str] = set()
        self._reverse: dict[str, list[tuple[str | None, str, str]]] | None = None
        self.modified = int(time.time())  # the SOA serial, as CoreDNS's Modified()

    # --- fed by informers -------------------------------------------------------------

    def set_service(self, svc: Service) -> None:
        self._services[(_ns(svc), svc.metadata.name or "")] = svc
        self._changed()

    def delete_service(self, svc: Service) -> None:
        self._services.pop((_ns(svc), svc.metadata.name or ""), None)
        self._changed()

    def set_slice(self, eps: EndpointSlice) -> None:
        key = _slice_owner(eps)
        if key is not None:
            self._slices.setdefault(key, {})[eps.metadata.name or ""] = eps
            self._changed()

    def delete_slice(self, eps: EndpointSlice) -> None:
        key = _slice_owner(eps)
        slices = self._slices.get(key) if key is not None else None
        if slices is not None:
            slices.pop(eps.metadata.name or "", None)
            if not slices:
                del self._slices[key]  # type: ignore[arg-type]
            self._changed()

    def set_namespace(self, ns: Namespace) -> None:
        self._namespaces.add(ns.metadata.name or "")
        self._changed()

    def delete_namespace(self, ns: Namespace) -> None:
        self._namespaces.discard(ns.metadata.name or "")
        self._changed()

    def _changed(self) -> None:
        self._reverse = None
        self.modified = max(self.modified + 1, int(time.time()))

    # --- read by the resolver --------------------------------------------------------

    def service(self, namespace: str, name: str) -> Service | None:
        return self._services.get((namespace, name))

    def has_namespace(self, namespace: str) -> bool:
        return namespace in self._namespaces or any(
            ns == namespace for ns, _ in self._services)

    def ready_endpoints(self, namespace: str, name: str) -> list[EndpointRecord]:
        """Every ready address of the Service's slices, each once (an address may sit in
        two slices while the controller moves it)."""
        seen: dict[str, EndpointRecord] = {}
        for eps in self._slices.get((namespace, name), {}).values():
            for ep in eps.endpoints or []:
                if ep.conditions is not None and ep.conditions.ready is False:
                    continue  # nil means ready, as the API documents
                for address in ep.addresses:
                    seen.setdefault(address, EndpointRecord(
                        address, endpoint_hostname(address, ep.hostname)))
        return list(seen.values())

    def endpoint_ports(self, namespace: str, name: str) -> list[EndpointPort]:
        ports: dict[tuple[str | None, str | None], EndpointPort] = {}
        for eps in self._slices.get((namespace, name), {}).values():
            for port in eps.ports or []:
                ports.setdefault((port.name, port.protocol), port)
        return list(ports.values())

    def reverse(self, address: str) -> list[tuple[str | None, str, str]]:
        """(endpoint hostname or None for a ClusterIP, service, namespace) for an IP."""
        if self._reverse is None:
            self._reverse = self._build_reverse()
        return self._reverse.get(_canonical(address), [])

    def _build_reverse(self) -> dict[str, list[tuple[str | None, str, str]]]:
        reverse: dict[str, list[tuple[str | None, str, str]]] = {}
        for (ns, name), svc in self._services.items():
            for ip in cluster_ips(svc):
                reverse.setdefault(_canonical(ip), []).append((None, name, ns))
            if is_headless(svc):  # the spec publishes endpoint names for headless only
                for ep in self.ready_endpoints(ns, name):
                    reverse.setdefault(_canonical(ep.address), []).append(
                        (ep.hostname, name, ns))
        return reverse


def _ns(obj: Service) -> str:
    return obj.metadata.namespace or "default"


def _slice_owner(eps: EndpointSlice) -> tuple[str, str] | None:
    service = (eps.metadata.labels or {}).get(LABEL_SERVICE_NAME)
    return (eps.metadata.namespace or "default", service) if service else None


def _canonical(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address
