"""EndpointSlice validation (pkg/apis/discovery/validation): Kubernetes' bounds on a slice
(1000 endpoints, 100 addresses each, 100 ports), addresses checked against the slice's
addressType, port names unique DNS-1123 labels, and addressType required on create and
immutable after."""

from __future__ import annotations

import ipaddress

from tugboat.api.discovery import ADDRESS_TYPES, Endpoint, EndpointPort, EndpointSlice
from tugboat.api.validation.containers import PROTOCOLS
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    immutable,
    invalid,
    not_supported,
    required,
    too_many,
)
from tugboat.api.validation.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
)
from tugboat.api.validation.objectmeta import validate_labels

MAX_ENDPOINTS = 1000
MAX_ADDRESSES = 100
MAX_PORTS = 100
MAX_TOPOLOGY_LABELS = 16


def _endpoint_ip(value: str, version: int, path: str, errs: Errors) -> None:
    """IsValidIPv4Address/IsValidIPv6Address, then ValidateEndpointIP's special ranges."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        ip = None
    if ip is None or ip.version != version:
        errs.append(invalid(path, value, f"must be a valid IPv{version} address"))
        return
    if ip.is_unspecified:
        errs.append(invalid(path, value, "may not be unspecified (0.0.0.0, ::)"))
    if ip.is_loopback:
        errs.append(invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if ip.is_link_local:
        errs.append(invalid(path, value,
                            "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if ip.is_multicast and (ip in ipaddress.ip_network("224.0.0.0/24")
                            or ip in ipaddress.ip_network("ff02::/16")):
        errs.append(invalid(path, value, "may not be in the link-local multicast range "
                                         "(224.0.0.0/24, ff02::/10)"))


def _fqdn(value: str, path: str, errs: Errors) -> None:
    """IsFullyQualifiedDomainName: a DNS subdomain with at least two segments."""
    name = value.removesuffix(".")
    for msg in is_dns1123_subdomain(name):
        errs.append(invalid(path, value, msg))
        return
    if name.count(".") < 1:
        errs.append(invalid(path, value, "should be a domain with at least two segments "
                                         "separated by dots"))


def _validate_endpoint(ep: Endpoint, address_type: str | None, p: str, errs: Errors) -> None:
    ap = f"{p}.addresses"
    if not ep.addresses:
        errs.append(required(ap, "must contain at least 1 address"))
    elif len(ep.addresses) > MAX_ADDRESSES:
        errs.append(too_many(ap, len(ep.addresses), MAX_ADDRESSES))
    for i, addr in enumerate(ep.addresses):
        if address_type == "IPv4":
            _endpoint_ip(addr, 4, f"{ap}[{i}]", errs)
        elif address_type == "IPv6":
            _endpoint_ip(addr, 6, f"{ap}[{i}]", errs)
        elif address_type == "FQDN":
            _fqdn(addr, f"{ap}[{i}]", errs)
    if ep.nodeName is not None:
        for msg in is_dns1123_subdomain(ep.nodeName):
            errs.append(invalid(f"{p}.nodeName", ep.nodeName, msg))
    topology = ep.deprecatedTopology or {}
    if len(topology) > MAX_TOPOLOGY_LABELS:
        errs.append(too_many(f"{p}.deprecatedTopology", len(topology), MAX_TOPOLOGY_LABELS))
    validate_labels(ep.deprecatedTopology, f"{p}.deprecatedTopology", errs)
    if ep.hostname is not None:
        for msg in is_dns1123_label(ep.hostname):
            errs.append(invalid(f"{p}.hostname", ep.hostname, msg))


def _validate_ports(ports: list[EndpointPort], errs: Errors) -> None:
    if len(ports) > MAX_PORTS:
        errs.append(too_many("ports", len(ports), MAX_PORTS))
    names: set[str] = set()
    for i, port in enumerate(ports):
        p = f"ports[{i}]"
        name = port.name or ""
        if name:
            for msg in is_dns1123_label(name):
                errs.append(invalid(f"{p}.name", name, msg))
        if name in names:
            errs.append(duplicate(f"{p}.name", name))
        names.add(name)
        if port.protocol is None:
            errs.append(required(f"{p}.protocol"))
        elif port.protocol not in PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", port.protocol, PROTOCOLS))
        if port.port is not None and not 0 <= port.port <= 65535:
            errs.append(invalid(f"{p}.port", port.port,
                                "must be between 0 and 65535, inclusive"))
        if port.appProtocol is not None:
            for msg in is_qualified_name(port.appProtocol):
                errs.append(invalid(f"{p}.appProtocol", port.appProtocol, msg))


def validate_endpoint_slice(s: EndpointSlice, old: EndpointSlice | None,
                            errs: Errors) -> None:
    if old is None:  # ValidateEndpointSliceCreate
        if not s.addressType:
            errs.append(required("addressType"))
        elif s.addressType not in ADDRESS_TYPES:
            errs.append(not_supported("addressType", s.addressType, ADDRESS_TYPES))
    elif s.addressType != old.addressType:
        errs.append(immutable("addressType", s.addressType))
    endpoints = s.endpoints or []
    if len(endpoints) > MAX_ENDPOINTS:
        errs.append(too_many("endpoints", len(endpoints), MAX_ENDPOINTS))
    for i, ep in enumerate(endpoints):
        _validate_endpoint(ep, s.addressType, f"endpoints[{i}]", errs)
    _validate_ports(s.ports or [], errs)
