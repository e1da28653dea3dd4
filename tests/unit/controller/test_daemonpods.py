"""Daemon pod placement: tolerations, node selector, node affinity and taints."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Node, PodTemplateSpec, Taint, Toleration
from tugboat.controller.daemonpods import (
    placement,
    tolerates,
    untolerated,
    with_daemon_tolerations,
)


def node(name: str = "n", labels: dict[str, str] | None = None,
         taints: list[dict[str, Any]] | None = None) -> Node:
    return Node.model_validate({"metadata": {"name": name, "labels": labels or {}},
                                "spec": {"taints": taints}})


def template(**spec: Any) -> PodTemplateSpec:
    return with_daemon_tolerations(PodTemplateSpec.model_validate(
        {"spec": {"containers": [{"name": "c", "image": "i"}], **spec}}))


@pytest.mark.parametrize(("toleration", "taint", "want"), [
    ({"key": "a", "operator": "Exists"}, {"key": "a", "effect": "NoSchedule"}, True),
    ({"key": "a", "value": "x"}, {"key": "a", "value": "x", "effect": "NoSchedule"}, True),
    ({"key": "a", "value": "y"}, {"key": "a", "value": "x", "effect": "NoSchedule"}, False),
    ({"operator": "Exists"}, {"key": "anything", "effect": "NoExecute"}, True),
    ({"key": "a", "operator": "Exists", "effect": "NoExecute"},
     {"key": "a", "effect": "NoSchedule"}, False),
    ({"key": "b", "operator": "Exists"}, {"key": "a", "effect": "NoSchedule"}, False),
])
def test_tolerates(toleration: dict[str, Any], taint: dict[str, Any], want: bool) -> None:
    assert tolerates(Toleration.model_validate(toleration), Taint.model_validate(taint)) is want


def test_daemon_tolerations_added_once() -> None:
    t = template(tolerations=[{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                               "effect": "NoExecute"}])
    keys = [(x.key, x.effect) for x in t.spec.tolerations or []]
    assert keys.count(("node.kubernetes.io/unreachable", "NoExecute")) == 1
    assert ("node.kubernetes.io/not-ready", "NoExecute") in keys
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") not in keys
    host = template(hostNetwork=True)
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") in [
        (x.key, x.effect) for x in host.spec.tolerations or []]


def test_placement() -> None:
    plain = template()
    assert placement(plain, node()) == (True, True)
    assert placement(plain, node(taints=[{"key": "x", "effect": "NoSchedule"}])) == (False, True)
    assert placement(plain, node(taints=[{"key": "x", "effect": "NoExecute"}])) == (False, False)
    assert placement(plain, node(taints=[{"key": "x", "effect": "PreferNoSchedule"}])) \
        == (True, True)
    assert placement(plain, node(taints=[{"key": "node.kubernetes.io/unreachable",
                                          "effect": "NoExecute"}])) == (True, True)
    gpu = template(nodeSelector={"gpu": "yes"})
    assert placement(gpu, node(labels={"gpu": "yes"}))[0]
    assert placement(gpu, node()) == (False, False)


def test_required_node_affinity() -> None:
    aff = template(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["z1"]},
                                  {"key": "cores", "operator": "Gt", "values": ["4"]}]}]}}})
    assert placement(aff, node("a"))[0]
    assert not placement(aff, node("b"))[0]
    assert placement(aff, node("b", {"zone": "z2", "cores": "8"}))[0]
    assert not placement(aff, node("b", {"zone": "z1", "cores": "8"}))[0]
    assert not placement(aff, node("b", {"cores": "2"}))[0]


def test_untolerated() -> None:
    taints = [Taint(key="a", effect="NoSchedule"), Taint(key="b", effect="NoExecute")]
    assert [t.key for t in untolerated(taints, [], ("NoSchedule",))] == ["a"]
