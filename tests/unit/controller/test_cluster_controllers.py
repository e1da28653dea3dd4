"""Reconciles of the controllers that do not own pods from a template — Deployment,
endpoints, garbage collector, namespace, HPA — against fake informers, a
recording client and a clock the test moves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.deployment import DeploymentController
from tugboat.controller.endpoints import EndpointsController
from tugboat.controller.garbagecollector import GarbageCollector
from tugboat.controller.namespace import NamespaceController
from tugboat.controller.podautoscaler import HorizontalPodAutoscalerController

pytestmark = pytest.mark.anyio
TEMPLATE = {"metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.35"}]}}


async def test_deployment_creates_first_revision() -> None:
    ctx = context()
    c = DeploymentController(ctx)
    ctx.informers["deployments"].add({
        "metadata": {"name": "web", "namespace": "ns", "generation": 1},
        "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE,
                 "strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}}})
    await c.reconcile("ns/web")
    (rs,) = [w[2] for w in ctx.client.writes("create", "replicasets")]
    assert rs["spec"]["replicas"] == 4
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    (patch,) = ctx.client.writes("patch", "deployments")
    assert patch[3] == {"metadata": {"annotations": {"deployment.kubernetes.io/revision": "1"}}}
    assert ctx.recorder.events[-1][1] == "ScalingReplicaSet"


async def test_endpoints_created_for_selected_pods() -> None:
    ctx = context()
    c = EndpointsController(ctx)
    ctx.informers["services"].add({"metadata": {"name": "s", "namespace": "ns"},
                                   "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}})
    for name, app in (("p1", "a"), ("p2", "b")):
        ctx.informers["pods"].add({"metadata": {"name": name, "namespace": "ns",
                                                "labels": {"app": app}},
                                   "spec": {"containers": [{"name": "c"}]},
                                   "status": {"phase": "Running", "podIP": "10.0.0.1",
                                              "conditions": [{"type": "Ready",
                                                              "status": "True"}]}})
    await c.reconcile("ns/s")
    (ep,) = [w[2] for w in ctx.client.writes("create", "endpoints")]
    assert [a["targetRef"]["name"] for a in ep["subsets"][0]["addresses"]] == ["p1"]


async def test_garbage_collector_deletes_orphaned_dependents() -> None:
    ctx = context()
    gc = GarbageCollector(ctx)
    owner = ctx.informers["replicasets"].add({"metadata": {"name": "rs", "namespace": "ns"}})
    ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "controller": True}
    ctx.informers["pods"].add({"metadata": {"name": "kept", "namespace": "ns",
                                            "ownerReferences": [{**ref,
                                                                 "uid": owner.metadata.uid}]},
                               "spec": {"containers": [{"name": "c"}]}})
    ctx.informers["pods"].add({"metadata": {"name": "dangling", "namespace": "ns",
                                            "ownerReferences": [{**ref, "uid": "gone"}]},
                               "spec": {"containers": [{"name": "c"}]}})
    await gc.reconcile(("pods", "ns/kept"))
    await gc.reconcile(("pods", "ns/dangling"))  # the live GET says 404
    assert [(d[2], d[3]["propagation_policy"]) for d in ctx.client.writes("delete")] == [
        ("dangling", "Background")]


async def test_garbage_collector_orphans_dependents() -> None:
    ctx = context()
    gc = GarbageCollector(ctx)
    owner = ctx.informers["replicasets"].add({"metadata": {
        "name": "rs", "namespace": "ns", "finalizers": ["orphan"],
        "deletionTimestamp": "2025-01-01T00:00:00Z"}})
    ctx.informers["pods"].add({"metadata": {"name": "p", "namespace": "ns", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
         "uid": owner.metadata.uid}]}, "spec": {"containers": [{"name": "c"}]}})
    await gc.reconcile(("replicasets", "ns/rs"))
    patches = [(p[1], p[3]["metadata"]) for p in ctx.client.writes("patch")]
    assert patches[0][0] == "pods" and patches[0][1]["ownerReferences"] is None
    assert patches[1][0] == "replicasets" and patches[1][1]["finalizers"] is None


async def test_namespace_emptied_then_finalized() -> None:
    ctx = context()
    c = NamespaceController(ctx)
    ctx.informers["namespaces"].add({"metadata": {"name": "gone",
                                                  "deletionTimestamp": "2025-01-01T00:00:00Z"},
                                     "spec": {"finalizers": ["kubernetes"]}})
    ctx.client.lists["configmaps"] = {"items": [{"metadata": {"name": "cm"}}]}
    assert await c.reconcile("gone") == 1.0
    assert [(d[1], d[2]) for d in ctx.client.writes("delete")] == [("configmaps", "cm")]
    ctx.client.lists.clear()
    assert await c.reconcile("gone") is None
    (fin,) = ctx.client.writes("update/finalize")
    assert fin[2]["spec"]["finalizers"] == []


async def test_hpa_scales_up_from_pod_metrics() -> None:
    ctx = context()
    c = HorizontalPodAutoscalerController(ctx)
    ctx.informers["horizontalpodautoscalers"].add({
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                    "name": "rs"}, "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 50}}}]}})
    ctx.client.objects[("scale", "ns", "rs")] = {"spec": {"replicas": 2},
                                                 "status": {"selector": "app=a"}}
    for name in ("p1", "p2"):
        ctx.informers["pods"].add(pod_with_request(name))
    ctx.client.lists["pods"] = {"items": [
        {"metadata": {"name": n}, "containers": [{"name": "c", "usage": {"cpu": "150m"}}]}
        for n in ("p1", "p2")]}
    assert await c.reconcile("ns/h") == 15.0
    assert ctx.client.writes("scale") == [("scale", "replicasets", "rs", 4)]  # ceil(2*150/50)
    status = ctx.client.writes("update/status")[-1][2]["status"]
    assert status["desiredReplicas"] == 4
    assert status["currentMetrics"][0]["resource"]["current"] == {
        "averageValue": "150m", "averageUtilization": 150}


def pod_with_request(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "ns", "labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}


async def test_hpa_without_metrics_still_enforces_bounds() -> None:
    ctx = context()
    c = HorizontalPodAutoscalerController(ctx)
    ctx.informers["horizontalpodautoscalers"].add({
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                    "name": "rs"}, "minReplicas": 1, "maxReplicas": 3}})
    ctx.client.objects[("scale", "ns", "rs")] = {"spec": {"replicas": 7},
                                                 "status": {"selector": "app=a"}}
    await c.reconcile("ns/h")  # no pods, no metrics
    assert ctx.client.writes("scale") == [("scale", "replicasets", "rs", 3)]
    status = ctx.client.writes("update/status")[-1][2]["status"]
    conds = {x["type"]: x for x in status["conditions"]}
    assert conds["ScalingActive"]["reason"] == "FailedGetResourceMetric"
    assert ctx.recorder.events[0][1] == "FailedGetResourceMetric"
