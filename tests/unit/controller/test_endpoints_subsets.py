"""Endpoints subsets from a Service and its pods (pure)."""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Pod, Service
from tugboat.controller.endpoints import subsets


def service(**spec: Any) -> Service:
    return Service.model_validate({"metadata": {"name": "s"}, "spec": {
        "selector": {"app": "a"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}],
        **spec}})


def pod(name: str, ip: str | None, ready: bool, port: int = 8080, **meta: Any) -> Pod:
    return Pod.model_validate({
        "metadata": {"name": name, "namespace": "ns", "uid": f"u-{name}", **meta},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "ports": [
            {"name": "web", "containerPort": port}]}]},
        "status": {"phase": "Running", "podIP": ip, "conditions": [
            {"type": "Ready", "status": "True" if ready else "False"}]}})


def test_ready_and_not_ready_share_a_subset() -> None:
    (subset,) = subsets(service(), [pod("b", "10.0.0.2", False), pod("a", "10.0.0.1", True),
                                    pod("c", "10.0.0.3", True)])
    assert [a["ip"] for a in subset["addresses"]] == ["10.0.0.1", "10.0.0.3"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.0.0.2"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert subset["addresses"][0]["targetRef"] == {"kind": "Pod", "namespace": "ns",
                                                   "name": "a", "uid": "u-a"}
    assert subset["addresses"][0]["nodeName"] == "n1"


def test_pods_with_different_ports_get_different_subsets() -> None:
    out = subsets(service(), [pod("a", "10.0.0.1", True), pod("b", "10.0.0.2", True, 9090)])
    assert sorted(s["ports"][0]["port"] for s in out) == [8080, 9090]


def test_left_out() -> None:
    terminating = pod("t", "10.0.0.4", True, deletionTimestamp="2025-01-01T00:00:00Z")
    assert subsets(service(), [pod("noip", None, True), terminating]) == []
    published = subsets(service(publishNotReadyAddresses=True), [pod("x", "10.0.0.5", False)])
    assert [a["ip"] for a in published[0]["addresses"]] == ["10.0.0.5"]
    numeric = subsets(service(ports=[{"port": 80}]), [pod("a", "10.0.0.1", True)])
    assert numeric[0]["ports"] == [{"port": 80, "protocol": "TCP"}]
