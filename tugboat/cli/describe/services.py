"""`tug describe service` and `endpoints`: the Service's type, IPs and ports beside the
ready addresses its EndpointSlices hold for each port (describeService,
describeEndpoints)."""

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


def _endpoints_for(slices: list[Obj] | None, port_name: str | None) -> str:
    """kubectl's formatEndpointSlices: the ready endpoints of the port, at most three,
    then how many more ready ones there are."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    limit, count, more = 3, 0, False
    for s in slices:
        ports = s.get("ports") or []
        targets = [None] if not ports else [p.get("port") for p in ports
                                             if (p.get("name") or "") == (port_name or "")]
        for port in targets:
            for ep in s.get("endpoints") or []:
                if len(shown) == limit:
                    more = True
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                count += 1
                if not more:
                    addr = (ep.get("addresses") or [""])[0]
                    if port is None:
                        shown.append(addr)
                    else:
                        shown.append(f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}")
    out = ",".join(shown)
    return f"{out} + {count - limit} more..." if more else out


def describe_service(session: Session, w: PrefixWriter, svc: Obj) -> None:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    try:  # kubectl 1.32 reads the Service's EndpointSlices, not its Endpoints
        slices = session.request(
            "GET", f"/apis/discovery.k8s.io/v1/namespaces/{meta.get('namespace')}/"
                   "endpointslices",
            params={"labelSelector": f"kubernetes.io/service-name={meta.get('name')}"}
        ).get("items")
    except ApiError:
        slices = None
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
        w.write(0, f"Endpoints:\t{_endpoints_for(slices, port.get('name'))}\n")
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
