"""`tug describe service` and `endpoints`: the Service's type, IPs and ports beside the
addresses its Endpoints hold for each port (describeService, describeEndpoints)."""

from __future__ import annotations

from typing import Any

from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    labels_multiline,
    selector_text,
)
from tugboat.cli.session import Session
from tugboat.client import ApiError

Obj = dict[str, Any]


def _endpoints_for(endpoints: Obj | None, port_name: str | None) -> str:
    out = []
    for subset in (endpoints or {}).get("subsets") or []:
        for port in subset.get("ports") or []:
            if (port.get("name") or "") != (port_name or ""):
                continue
            for addr in subset.get("addresses") or []:
                out.append(f"{addr.get('ip')}:{port.get('port')}")
    return ",".join(out) or "<none>"


def describe_service(session: Session, w: PrefixWriter, svc: Obj) -> None:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    try:
        endpoints = session.request("GET", f"/api/v1/namespaces/{meta.get('namespace')}/"
                                           f"endpoints/{meta.get('name')}")
    except ApiError:
        endpoints = None
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_text(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type') or 'ClusterIP'}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP') or ''}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        w.write(0, f"Port:\t{name}\t{port.get('port')}/{port.get('protocol') or 'TCP'}\n")
        target = port.get("targetPort", port.get("port"))
        w.write(0, f"TargetPort:\t{target}/{port.get('protocol') or 'TCP'}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{port.get('protocol') or 'TCP'}\n")
        w.write(0, f"Endpoints:\t{_endpoints_for(endpoints, port.get('name'))}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or 'None'}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")


def describe_endpoints(session: Session, w: PrefixWriter, ep: Obj) -> None:
    meta = ep.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        ports = subset.get("ports") or []
        if ports:
            w.write(1, "Ports:\n    Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ports:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port')}\t"
                           f"{p.get('protocol') or 'TCP'}\n")
        w.write(0, "\n")
