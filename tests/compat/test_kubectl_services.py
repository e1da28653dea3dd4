"""Real kubectl against Services with EndpointSlices: `kubectl describe svc` reads the
Service's slices (by the kubernetes.io/service-name label) and lists the ready endpoints
of each port."""

from __future__ import annotations

import re
from typing import Any

from tests.compat.conftest import Kubectl, Rest

MANAGED = {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}


def endpoint(ip: str, ready: bool) -> dict[str, Any]:
    return {"addresses": [ip], "conditions": {"ready": ready, "serving": ready,
                                              "terminating": False}}


def test_describe_svc_lists_ready_endpoints(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"},
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
    labels = {"kubernetes.io/service-name": "web", **MANAGED}
    for name, eps in (("web-a", [endpoint("10.1.0.1", True), endpoint("10.1.0.9", False)]),
                      ("web-b", [endpoint("10.1.0.2", True)])):
        rest.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "labels": labels}, "addressType": "IPv4",
            "endpoints": eps, "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})
    out = kubectl.ok("describe", "svc", "web")
    line = re.search(r"^Endpoints:\s+(\S+)$", out, re.M)
    assert line, out
    assert sorted(line.group(1).split(",")) == ["10.1.0.1:8080", "10.1.0.2:8080"], out


def test_describe_svc_without_endpoints(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    out = kubectl.ok("describe", "svc", "web")
    assert re.search(r"^Endpoints:\s+<none>$", out, re.M), out


def test_get_endpointslices_columns(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    labels = {"kubernetes.io/service-name": "web", **MANAGED}
    rest.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-a", "labels": labels}, "addressType": "IPv4",
        "endpoints": [endpoint(f"10.1.0.{i}", True) for i in range(1, 6)],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})
    rest.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-b", "labels": labels}, "addressType": "IPv4",
        "endpoints": [], "ports": []})
    lines = kubectl.ok("get", "endpointslices").splitlines()
    assert lines[0].split() == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert lines[1].split()[:-1] == ["web-a", "IPv4", "8080", "10.1.0.1,10.1.0.2,10.1.0.3",
                                     "+", "2", "more..."]
    assert lines[2].split()[:-1] == ["web-b", "IPv4", "<unset>", "<unset>"]
