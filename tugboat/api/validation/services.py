"""Service and Endpoints validation (ValidateService, ValidateEndpoints): ports, protocols,
names, types, selectors and addresses."""

from __future__ import annotations

import ipaddress

from tugboat.api.service import Endpoints, EndpointSubset, Service, ServicePort
from tugboat.api.validation.containers import PROTOCOLS, validate_port_num_or_name
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    forbidden,
    immutable,
    invalid,
    not_supported,
    required,
)
from tugboat.api.validation.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_ip,
    is_valid_port_num,
)
from tugboat.api.validation.objectmeta import validate_conditions, validate_labels

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")


def _validate_service_port(sp: ServicePort, p: str, require_name: bool, names: set[str],
                           errs: Errors) -> None:
    if require_name and not sp.name:
        errs.append(required(f"{p}.name"))
    elif sp.name:
        for msg in is_dns1123_label(sp.name):
            errs.append(invalid(f"{p}.name", sp.name, msg))
        if sp.name in names:
            errs.append(duplicate(f"{p}.name", sp.name))
        names.add(sp.name)
    for msg in is_valid_port_num(sp.port):
        errs.append(invalid(f"{p}.port", sp.port, msg))
    if not sp.protocol:
        errs.append(required(f"{p}.protocol"))
    elif sp.protocol not in PROTOCOLS:
        errs.append(not_supported(f"{p}.protocol", sp.protocol, PROTOCOLS))
    if sp.targetPort is not None:
        validate_port_num_or_name(sp.targetPort, f"{p}.targetPort", errs)
    if sp.nodePort:
        for msg in is_valid_port_num(sp.nodePort):
            errs.append(invalid(f"{p}.nodePort", sp.nodePort, msg))


def _validate_ports(svc: Service, errs: Errors) -> None:
    spec = svc.spec
    ports = spec.ports or []
    if not ports and spec.clusterIP != "None" and spec.type != "ExternalName":
        errs.append(required("spec.ports"))
    names: set[str] = set()
    seen: set[tuple[int, str | None]] = set()
    for i, sp in enumerate(ports):
        p = f"spec.ports[{i}]"
        _validate_service_port(sp, p, len(ports) > 1, names, errs)
        if spec.type == "ClusterIP" and sp.nodePort:
            errs.append(forbidden(f"{p}.nodePort", "may not be used when `type` is 'ClusterIP'"))
        key = (sp.port, sp.protocol)
        if key in seen:
            errs.append(duplicate(p, {"port": sp.port, "protocol": sp.protocol}))
        seen.add(key)


def validate_service(svc: Service, old: Service | None, errs: Errors) -> None:
    spec = svc.spec
    if spec.type not in SERVICE_TYPES:
        errs.append(not_supported("spec.type", spec.type or "", SERVICE_TYPES))
    _validate_ports(svc, errs)
    validate_labels(spec.selector, "spec.selector", errs)
    if spec.sessionAffinity not in SESSION_AFFINITIES:
        errs.append(not_supported("spec.sessionAffinity", spec.sessionAffinity or "",
                                  SESSION_AFFINITIES))
    if spec.clusterIP and spec.clusterIP != "None":
        for msg in is_ip(spec.clusterIP):
            errs.append(invalid("spec.clusterIP", spec.clusterIP, msg))
    for i, ip in enumerate(spec.externalIPs or ()):
        for msg in is_ip(ip):
            errs.append(invalid(f"spec.externalIPs[{i}]", ip, msg))
    if spec.type == "ExternalName":
        if not spec.externalName:
            errs.append(required("spec.externalName"))
        else:
            for msg in is_dns1123_subdomain(spec.externalName.rstrip(".")):
                errs.append(invalid("spec.externalName", spec.externalName, msg))
    if old is not None and old.spec.clusterIP and spec.clusterIP and (
            spec.clusterIP != old.spec.clusterIP):
        errs.append(immutable("spec.clusterIP", spec.clusterIP))
    validate_conditions(svc.status.conditions, "status.conditions", errs)


def _validate_subset(ss: EndpointSubset, p: str, errs: Errors) -> None:
    if not ss.addresses and not ss.notReadyAddresses:
        errs.append(required(p, "must specify `addresses` or `notReadyAddresses`"))
    for field in ("addresses", "notReadyAddresses"):
        for j, addr in enumerate(getattr(ss, field) or ()):
            ap = f"{p}.{field}[{j}]"
            try:
                ipaddress.ip_address(addr.ip)
            except ValueError:
                errs.append(invalid(f"{ap}.ip", addr.ip, is_ip(addr.ip)[0]))
            if addr.hostname:
                for msg in is_dns1123_label(addr.hostname):
                    errs.append(invalid(f"{ap}.hostname", addr.hostname, msg))
            if addr.nodeName:
                for msg in is_dns1123_subdomain(addr.nodeName):
                    errs.append(invalid(f"{ap}.nodeName", addr.nodeName, msg))
    ports = ss.ports or []
    for j, port in enumerate(ports):
        pp = f"{p}.ports[{j}]"
        if len(ports) > 1 and not port.name:
            errs.append(required(f"{pp}.name"))
        elif port.name:
            for msg in is_dns1123_label(port.name):
                errs.append(invalid(f"{pp}.name", port.name, msg))
        for msg in is_valid_port_num(port.port):
            errs.append(invalid(f"{pp}.port", port.port, msg))
        if not port.protocol:
            errs.append(required(f"{pp}.protocol"))
        elif port.protocol not in PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", port.protocol, PROTOCOLS))


def validate_endpoints(ep: Endpoints, old: Endpoints | None, errs: Errors) -> None:
    for i, ss in enumerate(ep.subsets or ()):
        _validate_subset(ss, f"subsets[{i}]", errs)
