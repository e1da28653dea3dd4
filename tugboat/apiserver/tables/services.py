"""Printers for services, endpoints and endpoint slices (kubectl's printService,
printEndpoints and printEndpointSlice): the columns people read to see where traffic
goes — cluster IP, external IP by service type, "port:nodePort/protocol", and the first
three endpoint addresses.
"""

from __future__ import annotations

import ipaddress

from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    format_labels,
    get,
    name,
    name_column,
)

SERVICE_COLUMNS = (
    name_column(),
    column("Type", "type determines how the Service is exposed."),
    column("Cluster-IP", "clusterIP is the IP address of the service and is usually "
                         "assigned randomly."),
    column("External-IP", "externalIPs is a list of IP addresses for which nodes in the "
                          "cluster will also accept traffic for this service."),
    column("Port(s)", "The list of ports that are exposed by this service."),
    age_column(),
    column("Selector", "Route service traffic to pods with label keys and values matching "
                       "this selector.", priority=1),
)


def _load_balancer_ips(svc: Obj) -> list[str]:
    # A sorted set, as loadBalancerStatusStringer builds it; the server prints wide, so
    # the list is never truncated.
    found = set()
    for ing in get(svc, "status", "loadBalancer", "ingress") or []:
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    return sorted(found)


def external_ip(svc: Obj) -> str:
    """getServiceExternalIP: what EXTERNAL-IP shows for each service type."""
    type_ = get(svc, "spec", "type") or "ClusterIP"
    external = get(svc, "spec", "externalIPs") or []
    if type_ in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if type_ == "LoadBalancer":
        ips = _load_balancer_ips(svc) + list(external)
        return ",".join(ips) or "<pending>"
    if type_ == "ExternalName":
        return get(svc, "spec", "externalName") or ""
    return "<unknown>"


def _ports(svc: Obj) -> str:
    pieces = []
    for port in get(svc, "spec", "ports") or []:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port', 0)}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port', 0)}/{protocol}")
    return ",".join(pieces) or "<none>"


def _cluster_ip(svc: Obj) -> str:
    ips = get(svc, "spec", "clusterIPs") or []
    # Older writers set only clusterIP; the apiserver would have mirrored it to clusterIPs.
    return (ips[0] if ips else get(svc, "spec", "clusterIP")) or "<none>"


def service_cells(svc: Obj, now: float) -> list[Cell]:
    return [
        name(svc),
        get(svc, "spec", "type") or "ClusterIP",
        _cluster_ip(svc),
        external_ip(svc),
        _ports(svc),
        age(svc, now),
        format_labels(get(svc, "spec", "selector")),
    ]


ENDPOINTS_COLUMNS = (
    name_column(),
    column("Endpoints", "The set of all endpoints is the union of all subsets."),
    age_column(),
)

MAX_ENDPOINTS = 3


def _host_port(ip: str, port: int) -> str:
    # net.JoinHostPort brackets IPv6 literals.
    try:
        v6 = isinstance(ipaddress.ip_address(ip), ipaddress.IPv6Address)
    except ValueError:
        v6 = ":" in ip
    return f"[{ip}]:{port}" if v6 else f"{ip}:{port}"


def format_endpoints(ep: Obj) -> str:
    """formatEndpoints: ready addresses × ports, the first three, then " + N more...".
    Not-ready addresses are not listed, as in kubectl."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        # Headless services may have addresses without ports.
        pairs = ([(ip, None) for ip in addresses] if not ports else
                 [(ip, p.get("port", 0)) for p in ports for ip in addresses])
        count += len(pairs)
        for ip, port in pairs:
            if len(shown) == MAX_ENDPOINTS:
                break
            shown.append(ip if port is None else _host_port(ip, port))
    text = ",".join(shown)
    if count > MAX_ENDPOINTS:
        return f"{text} + {count - MAX_ENDPOINTS} more..."
    return text


def endpoints_cells(ep: Obj, now: float) -> list[Cell]:
    return [name(ep), format_endpoints(ep), age(ep, now)]


ENDPOINT_SLICE_COLUMNS = (
    name_column(),
    column("AddressType", "addressType specifies the type of address carried by this "
                          "EndpointSlice. All addresses in this slice must be the same type."),
    column("Ports", "ports specifies the list of network ports exposed by each endpoint in "
                    "this slice."),
    column("Endpoints", "endpoints is a list of unique endpoints in this slice."),
    age_column(),
)


def _first_three(values: list[str]) -> str:
    """listWithMoreString: three, then " + N more...", or <unset> for none."""
    text = ",".join(values[:MAX_ENDPOINTS])
    if len(values) > MAX_ENDPOINTS:
        return f"{text} + {len(values) - MAX_ENDPOINTS} more..."
    return text or "<unset>"


def endpoint_slice_cells(s: Obj, now: float) -> list[Cell]:
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in s.get("ports") or []]
    addresses = [a for e in s.get("endpoints") or [] for a in e.get("addresses") or []]
    return [name(s), s.get("addressType") or "", _first_three(ports),
            _first_three(addresses), age(s, now)]


PRINTERS = {
    "services": Printer(SERVICE_COLUMNS, service_cells),
    "endpoints": Printer(ENDPOINTS_COLUMNS, endpoints_cells),
    "endpointslices": Printer(ENDPOINT_SLICE_COLUMNS, endpoint_slice_cells),
}
