"""Service address allocation, as kube-apiserver does on create: a cluster IP from the
service range (10.96.0.0/16 here) and node ports from 30000–32767 for NodePort and
LoadBalancer services. Free values are found against the services in the watch cache."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable
from typing import Any

from tugboat.apiserver import errors

Obj = dict[str, Any]
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/16")
NODE_PORTS = range(30000, 32768)


def _used(services: Iterable[Obj]) -> tuple[set[str], set[int]]:
    ips, ports = set(), set()
    for s in services:
        spec = s.get("spec") or {}
        if spec.get("clusterIP"):
            ips.add(spec["clusterIP"])
        for p in spec.get("ports") or []:
            if p.get("nodePort"):
                ports.add(p["nodePort"])
    return ips, ports


def allocate_service(body: Obj, services: Iterable[Obj]) -> None:
    """Fill spec.clusterIP(s) and nodePorts left empty; a clash with a requested value
    is a 422 like Kubernetes' "provided IP is already allocated"."""
    spec = body.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return
    ips, ports = _used(services)
    ip = spec.get("clusterIP")
    if ip and ip != "None" and ip in ips:
        raise errors.ApiError(422, "Invalid", f'Service "{body["metadata"].get("name")}" is '
                              f'invalid: spec.clusterIPs: Invalid value: ["{ip}"]: failed to '
                              f'allocate IP {ip}: provided IP is already allocated')
    if not ip:
        hosts = SERVICE_CIDR.num_addresses - 2
        for _ in range(64):
            cand = str(SERVICE_CIDR.network_address + random.randint(10, hosts))
            if cand not in ips:
                spec["clusterIP"] = cand
                break
    if spec.get("clusterIP") and spec["clusterIP"] != "None":
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and not p.get("nodePort"):
                free = [n for n in random.sample(NODE_PORTS, 64) if n not in ports]
                if free:
                    p["nodePort"] = free[0]
                    ports.add(free[0])
