"""Plain API objects for the DNS tests: Services, EndpointSlices and Namespaces as the
informers would hand them over, and an index filled with them."""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Namespace, Service
from tugboat.api.discovery import LABEL_SERVICE_NAME, EndpointSlice
from tugboat.dns.index import DNSIndex


def service(name: str, ns: str = "default", *, cluster_ip: str | None = "10.96.0.10",
            ports: list[dict[str, Any]] | None = None, **spec: Any) -> Service:
    body: dict[str, Any] = {"ports": ports if ports is not None else
                            [{"name": "http", "port": 80, "protocol": "TCP"}], **spec}
    if cluster_ip is not None:
        body["clusterIP"] = cluster_ip
        body["clusterIPs"] = [cluster_ip]
    return Service.model_validate({"metadata": {"name": name, "namespace": ns}, "spec": body})


def endpoint(address: str, *, ready: bool | None = True, hostname: str | None = None
             ) -> dict[str, Any]:
    ep: dict[str, Any] = {"addresses": [address]}
    if ready is not None:
        ep["conditions"] = {"ready": ready}
    if hostname:
        ep["hostname"] = hostname
    return ep


def endpoint_slice(svc: str, endpoints: list[dict[str, Any]], ns: str = "default", *,
                   name: str | None = None, ports: list[dict[str, Any]] | None = None,
                   address_type: str = "IPv4") -> EndpointSlice:
    return EndpointSlice.model_validate({
        "metadata": {"name": name or f"{svc}-abcde", "namespace": ns,
                     "labels": {LABEL_SERVICE_NAME: svc}},
        "addressType": address_type, "endpoints": endpoints,
        "ports": ports if ports is not None else
        [{"name": "http", "port": 8080, "protocol": "TCP"}]})


def namespace(name: str) -> Namespace:
    return Namespace.model_validate({"metadata": {"name": name}})


def index_of(*objects: Service | EndpointSlice | Namespace) -> DNSIndex:
    index = DNSIndex()
    for obj in objects:
        if isinstance(obj, Service):
            index.set_service(obj)
        elif isinstance(obj, EndpointSlice):
            index.set_slice(obj)
        else:
            index.set_namespace(obj)
    return index
