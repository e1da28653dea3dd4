"""Which Service ports the proxy programs, and the endpoints their slices name."""

from __future__ import annotations

from typing import Any

from tugboat.api.discovery import EndpointSlice
from tugboat.api.service import Service
from tugboat.proxy.serviceports import EndpointInfo, service_ports


def svc(name: str, **spec: Any) -> Service:
    spec.setdefault("clusterIP", "10.96.0.10")
    spec.setdefault("ports", [{"name": "http", "port": 80, "protocol": "TCP"}])
    return Service.model_validate({"metadata": {"name": name, "namespace": "default"},
                                   "spec": spec})


def eps(service: str, *endpoints: dict[str, Any], port_name: str = "http",
        address_type: str = "IPv4") -> EndpointSlice:
    return EndpointSlice.model_validate({
        "metadata": {"name": f"{service}-x", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": service}},
        "addressType": address_type, "endpoints": list(endpoints),
        "ports": [{"name": port_name, "port": 8080, "protocol": "TCP"}]})


def ep(ip: str, **conditions: bool) -> dict[str, Any]:
    return {"addresses": [ip], "conditions": conditions, "nodeName": "n1"}


def test_headless_and_external_name_services_are_not_proxied() -> None:
    ports = service_ports([svc("headless", clusterIP="None"),
                           svc("ext", type="ExternalName", externalName="example.org",
                               clusterIP=None)], [])
    assert ports == []


def test_endpoints_come_from_the_services_slices_matched_by_port_name() -> None:
    [sp] = service_ports([svc("web")], [eps("web", ep("10.244.0.2", ready=True)),
                                        eps("other", ep("10.244.0.9")),
                                        eps("web", ep("10.244.0.3"), port_name="metrics")])
    assert sp.port_name_string == "default/web:http"
    assert sp.endpoints == (EndpointInfo("10.244.0.2", 8080, "n1", True, True, False),)


def test_conditions_nil_ready_means_ready_and_terminating_is_kept() -> None:
    [sp] = service_ports([svc("web")], [eps(
        "web", {"addresses": ["10.244.0.2"]},
        ep("10.244.0.3", ready=False, serving=True, terminating=True),
        ep("10.244.0.4", ready=False))])
    assert [(e.ip, e.ready, e.serving, e.terminating) for e in sp.endpoints] == [
        ("10.244.0.2", True, True, False), ("10.244.0.3", False, True, True),
        ("10.244.0.4", False, False, False)]


def test_an_address_in_two_slices_counts_once_and_ipv6_slices_are_ignored() -> None:
    [sp] = service_ports([svc("web")], [eps("web", ep("10.244.0.2")),
                                        eps("web", ep("10.244.0.2")),
                                        eps("web", ep("fd00::2"), address_type="IPv6")])
    assert [e.ip for e in sp.endpoints] == ["10.244.0.2"]


def test_policies_affinity_and_node_port() -> None:
    [sp] = service_ports([svc("web", type="NodePort", externalTrafficPolicy="Local",
                              internalTrafficPolicy="Local", sessionAffinity="ClientIP",
                              sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}},
                              ports=[{"port": 80, "nodePort": 30080}])], [])
    assert (sp.node_port, sp.affinity_timeout, sp.external_local, sp.internal_local) == \
        (30080, 60, True, True)
    assert sp.port_name_string == "default/web" and sp.protocol == "tcp"
    [plain] = service_ports([svc("web", sessionAffinity="ClientIP",
                                 ports=[{"port": 80, "nodePort": 30080}])], [])
    assert plain.node_port is None  # a ClusterIP Service's stray nodePort is not opened
    assert plain.affinity_timeout == 10800
