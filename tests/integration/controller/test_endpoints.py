"""The endpoints controller against a real API server: a Service's Endpoints follow its
pods' readiness (S7), resolve named target ports, and go with the Service."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import set_pod_status
from tests.support.processes import wait_until
from tugboat.client import NotFound, SyncApiClient


def pod(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "web", "image": "busybox:1.35",
                                     "ports": [{"name": "http", "containerPort": 8080}]}]}}


def addresses(kube: SyncApiClient, ns: str, name: str) -> tuple[set[str], set[str]]:
    ep = kube.get("endpoints", name, ns)
    ready, not_ready = set(), set()
    for s in ep.get("subsets") or []:
        ready |= {a["targetRef"]["name"] for a in s.get("addresses") or []}
        not_ready |= {a["targetRef"]["name"] for a in s.get("notReadyAddresses") or []}
    return ready, not_ready


def test_endpoints_follow_readiness(kube: SyncApiClient, ns: str) -> None:
    kube.create("services", {"metadata": {"name": "web", "labels": {"tier": "front"}}, "spec": {
        "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80,
                                               "targetPort": "http"}]}}, ns)
    a = kube.create("pods", pod("a", {"app": "web"}), ns)
    b = kube.create("pods", pod("b", {"app": "web"}), ns)
    kube.create("pods", pod("other", {"app": "db"}), ns)
    set_pod_status(kube, a, "Running", True, "10.1.0.1")
    set_pod_status(kube, b, "Running", False, "10.1.0.2")
    wait_until(lambda: addresses(kube, ns, "web") == ({"a"}, {"b"}), 15, "a ready, b not")
    ep = kube.get("endpoints", "web", ns)
    assert ep["metadata"]["labels"] == {"tier": "front"}
    (subset,) = ep["subsets"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert subset["addresses"][0]["ip"] == "10.1.0.1"
    set_pod_status(kube, a, "Running", False)  # a readiness probe starts failing (S7)
    set_pod_status(kube, b, "Running", True)
    wait_until(lambda: addresses(kube, ns, "web") == ({"b"}, {"a"}), 15, "swapped")
    kube.delete("pods", "b", ns)
    wait_until(lambda: addresses(kube, ns, "web") == (set(), {"a"}), 15, "b removed")
    kube.delete("services", "web", ns)

    def gone() -> bool:
        try:
            kube.get("endpoints", "web", ns)
        except NotFound:
            return True
        return False

    wait_until(gone, 15, "endpoints deleted with the service")


def test_service_without_selector_keeps_manual_endpoints(kube: SyncApiClient, ns: str) -> None:
    kube.create("services", {"metadata": {"name": "ext"}, "spec": {"ports": [{"port": 80}]}},
                ns)
    manual = {"metadata": {"name": "ext"}, "subsets": [{"addresses": [{"ip": "192.0.2.1"}],
                                                        "ports": [{"port": 80}]}]}
    kube.create("endpoints", manual, ns)
    kube.create("services", {"metadata": {"name": "probe"}, "spec": {
        "selector": {"app": "none"}, "ports": [{"port": 80}]}}, ns)
    wait_until(lambda: kube.get("endpoints", "probe", ns) is not None, 15, "controller ran")
    assert kube.get("endpoints", "ext", ns)["subsets"][0]["addresses"][0]["ip"] == "192.0.2.1"
