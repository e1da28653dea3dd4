"""The cluster's DNS Service, as kubeadm's CoreDNS add-on publishes it: `kube-dns` in
kube-system with the ClusterIP 10.96.0.10 (the tenth address of the Service CIDR, the
kubelet's --cluster-dns), ports 53/UDP `dns` and 53/TCP `dns-tcp`. Tugboat's DNS server is a
daemon on the host rather than a pod, so the Service has no selector and `tug up` writes its
EndpointSlice itself — the host's advertise address and the DNS server's unprivileged port —
labelled as managed by tug up, so the endpointslice controller leaves it alone. The service
proxy then carries a pod's query from 10.96.0.10:53 to the daemon.
"""

from __future__ import annotations

from typing import Any

from tugboat.client import SyncApiClient
from tugboat.client.errors import AlreadyExists, NotFound

NAMESPACE, NAME = "kube-system", "kube-dns"
CLUSTER_DNS_IP = "10.96.0.10"
SLICE_NAME = "kube-dns-host"
MANAGED_BY = "tug-up"
LABELS = {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS",
          "kubernetes.io/cluster-service": "true"}


def service() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": LABELS},
            "spec": {"clusterIP": CLUSTER_DNS_IP,
                     "ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                               {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}}


def endpoint_slice(address: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": SLICE_NAME, "namespace": NAMESPACE,
                         "labels": {"kubernetes.io/service-name": NAME,
                                    "endpointslice.kubernetes.io/managed-by": MANAGED_BY}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
            "ports": [{"name": "dns", "port": port, "protocol": "UDP"},
                      {"name": "dns-tcp", "port": port, "protocol": "TCP"}]}


def _ensure(client: SyncApiClient, resource: str, body: dict[str, Any]) -> None:
    """Create `body`, or bring an existing object's content in line (a previous run on
    another port or address); its identity and ClusterIP stay."""
    name = body["metadata"]["name"]
    # Looked up first: creating a Service that exists with the same ClusterIP is refused
    # for the address (422, "already allocated") before the name is ever compared.
    try:
        current = client.get(resource, name, NAMESPACE)
    except NotFound:
        try:
            client.create(resource, body, NAMESPACE)
            return
        except AlreadyExists:  # created meanwhile
            current = client.get(resource, name, NAMESPACE)
    merged = {**current, **{k: v for k, v in body.items() if k not in ("metadata", "spec")}}
    merged["metadata"] = {**current["metadata"], "labels": body["metadata"]["labels"]}
    if "spec" in body:
        merged["spec"] = {**current["spec"], "ports": body["spec"]["ports"]}
    if merged != current:
        client.update(resource, merged, NAMESPACE)


def publish(client: SyncApiClient, address: str, port: int) -> None:
    """The kube-dns Service and its endpoint (`address`:`port`, where tug-dns listens)."""
    _ensure(client, "services", service())
    _ensure(client, "endpointslices", endpoint_slice(address, port))
