"""What the endpointslice controller wants for one Service, as a plan of creates, updates
and deletes (pkg/controller/endpointslice's reconciler): each selected pod becomes an
endpoint with ready/serving/terminating conditions, pods are grouped by their resolved
ports, and each group is packed into slices of at most `max_per_slice` endpoints.
Endpoints stay in the slice that already holds them so a change rewrites one slice, not
all of them; a Service with no endpoints keeps one empty placeholder slice, as Kubernetes'
does. Every slice written carries the sync's last-change-trigger-time (triggertime), but
a slice is never written for the annotation alone: it only rides along with a real
change. Pure functions over wire dicts, so the packing is unit-tested without a server."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from tugboat.api.discovery import CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME
from tugboat.controller.controllerref import new_controller_ref
from tugboat.controller.endpoints import target_port
from tugboat.controller.podconditions import is_ready, is_terminal
from tugboat.controller.triggertime import annotate

MAX_ENDPOINTS_PER_SLICE = 100  # kube-controller-manager's --max-endpoints-per-slice
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_HEADLESS = "service.kubernetes.io/headless"

PortsKey = tuple[tuple[str, int, str, str], ...]  # (name, port, protocol, appProtocol)


@dataclass
class Plan:
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)


def address_type(service: Any) -> str:
    families = service.spec.ipFamilies or ["IPv4"]
    return "IPv6" if families[0] == "IPv6" else "IPv4"


def endpoint_ports(service: Any, pod: Any) -> PortsKey:
    ports = []
    for sp in service.spec.ports or []:
        port = target_port(sp, pod)
        if port is not None:
            ports.append((sp.name or "", port, sp.protocol or "TCP", sp.appProtocol or ""))
    return tuple(sorted(ports))


def ports_wire(key: PortsKey) -> list[dict[str, Any]]:
    return [{"name": n, "port": p, "protocol": proto, **({"appProtocol": a} if a else {})}
            for n, p, proto, a in key]


def endpoint(service: Any, pod: Any, zones: dict[str, str]) -> dict[str, Any]:
    serving = is_ready(pod)
    terminating = pod.metadata.deletionTimestamp is not None
    # Never ready while terminating, unless the Service publishes not-ready addresses.
    ready = bool(service.spec.publishNotReadyAddresses) or (serving and not terminating)
    ep: dict[str, Any] = {
        "addresses": [pod.status.podIP],
        "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
        "targetRef": {"kind": "Pod", "namespace": pod.metadata.namespace,
                      "name": pod.metadata.name, "uid": pod.metadata.uid}}
    if pod.spec.hostname and pod.spec.subdomain == service.metadata.name:
        ep["hostname"] = pod.spec.hostname
    if pod.spec.nodeName:
        ep["nodeName"] = pod.spec.nodeName
        if zones.get(pod.spec.nodeName):
            ep["zone"] = zones[pod.spec.nodeName]
    return ep


def desired_endpoints(service: Any, pods: list[Any], zones: dict[str, str]
                      ) -> dict[PortsKey, list[dict[str, Any]]]:
    """The selected pods' endpoints, grouped by resolved ports. Terminal pods and pods
    without an address have none; terminating pods stay, marked terminating."""
    groups: dict[PortsKey, list[dict[str, Any]]] = {}
    for pod in pods:
        if not pod.status.podIP or is_terminal(pod):
            continue
        if address_type(service) == "IPv6" and ":" not in pod.status.podIP:
            continue
        groups.setdefault(endpoint_ports(service, pod), []).append(
            endpoint(service, pod, zones))
    for eps in groups.values():
        eps.sort(key=lambda e: e["addresses"][0])
    return groups


def slice_labels(service: Any) -> dict[str, str]:
    labels = {k: v for k, v in (service.metadata.labels or {}).items()
              if k not in (LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS)}
    labels[LABEL_SERVICE_NAME] = service.metadata.name
    labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
    if service.spec.clusterIP == "None":
        labels[LABEL_HEADLESS] = ""
    return labels


def _uid(ep: dict[str, Any]) -> str:
    return (ep.get("targetRef") or {}).get("uid") or ep["addresses"][0]


def _ports_key(s: dict[str, Any]) -> PortsKey:
    return tuple(sorted((p.get("name") or "", p.get("port") or 0, p.get("protocol") or "TCP",
                         p.get("appProtocol") or "") for p in s.get("ports") or []))


def _with(s: dict[str, Any], endpoints: list[dict[str, Any]], ports: PortsKey,
          labels: dict[str, str], owner: dict[str, Any]) -> dict[str, Any] | None:
    """`s` rewritten to hold `endpoints`, or None when it already does."""
    meta = s["metadata"]
    if (s.get("endpoints") or []) == endpoints and _ports_key(s) == ports \
            and (meta.get("labels") or {}) == labels \
            and any(r.get("uid") == owner["uid"] for r in meta.get("ownerReferences") or []):
        return None
    out = {**s, "endpoints": endpoints, "ports": ports_wire(ports)}
    refs = [r for r in meta.get("ownerReferences") or [] if not r.get("controller")]
    out["metadata"] = {**meta, "labels": labels, "ownerReferences": refs + [owner]}
    return out


def plan(service: Any, groups: dict[PortsKey, list[dict[str, Any]]],
         existing: list[dict[str, Any]], max_per_slice: int = MAX_ENDPOINTS_PER_SLICE,
         trigger_time: _dt.datetime | None = None) -> Plan:
    """The writes that turn the Service's `existing` managed slices into `groups`, each
    stamped with `trigger_time` (None clears a stale one, as Kubernetes does)."""
    out = Plan()
    labels = slice_labels(service)
    owner = new_controller_ref(service)
    addr_type = address_type(service)
    mine = sorted((s for s in existing if s.get("addressType") == addr_type),
                  key=lambda s: s["metadata"]["name"])
    out.delete += [s["metadata"]["name"] for s in existing
                   if s.get("addressType") != addr_type]
    spare: list[dict[str, Any]] = []  # slices whose port group is gone: reused or deleted
    kept = 0
    for key in sorted(set(groups) | {_ports_key(s) for s in mine}):
        wanted = {_uid(e): e for e in groups.get(key, [])}
        placed: set[str] = set()
        fills: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for s in (s for s in mine if _ports_key(s) == key):
            eps = []
            for e in s.get("endpoints") or []:
                uid = _uid(e)
                if uid in wanted and uid not in placed and len(eps) < max_per_slice:
                    eps.append(wanted[uid])
                    placed.add(uid)
            fills.append((s, eps))
        rest = [e for uid, e in wanted.items() if uid not in placed]
        for _s, eps in fills:  # top up slices with room before making new ones
            while rest and len(eps) < max_per_slice:
                eps.append(rest.pop(0))
        for s, eps in fills:
            if not eps:
                spare.append(s)
                continue
            kept += 1
            eps.sort(key=lambda e: e["addresses"][0])
            changed = _with(s, eps, key, labels, owner)
            if changed is not None:
                out.update.append(changed)
        for i in range(0, len(rest), max_per_slice):
            kept += 1
            out.create.append(new_slice(service, addr_type, key, labels, owner,
                                        rest[i:i + max_per_slice]))
    if kept == 0:  # the placeholder: one empty slice, so readers see the Service is known
        if spare:
            changed = _with(spare[0], [], (), labels, owner)
            if changed is not None:
                out.update.append(changed)
            spare = spare[1:]
        else:
            out.create.append(new_slice(service, addr_type, (), labels, owner, []))
    out.delete += [s["metadata"]["name"] for s in spare]
    for body in out.create + out.update:
        annotate(body["metadata"], trigger_time)
    return out


def new_slice(service: Any, addr_type: str, ports: PortsKey, labels: dict[str, str],
              owner: dict[str, Any], endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"generateName": f"{service.metadata.name}-",
                         "namespace": service.metadata.namespace, "labels": labels,
                         "ownerReferences": [owner]},
            "addressType": addr_type, "endpoints": endpoints, "ports": ports_wire(ports)}
