"""Reconciles of the pod-owning controllers (ReplicaSet/RC, Job, DaemonSet) against fake
informers and a recording client: what they create, delete and report, and that
expectations keep a burst of reconciles from overshooting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import FakeClient, context
from tugboat.controller.daemonset import DaemonSetController
from tugboat.controller.job import JobController
from tugboat.controller.replicaset import ReplicaSetController
from tugboat.controller.replicationcontroller import ReplicationControllerController

pytestmark = pytest.mark.anyio
TEMPLATE = {"metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.35"}]}}


def rs(replicas: int) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "ns", "generation": 1},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "a"}},
                     "template": TEMPLATE}}


def owned_pod(name: str, owner: Any, phase: str = "Running", ready: bool = False,
              **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "ns", "labels": {"app": "a"},
                         "ownerReferences": [{"apiVersion": owner.apiVersion,
                                              "kind": owner.kind, "name": owner.metadata.name,
                                              "uid": owner.metadata.uid, "controller": True}]},
            "spec": {"containers": [{"name": "c"}], **spec},
            "status": {"phase": phase, "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"}]}}


def created(client: FakeClient) -> list[dict[str, Any]]:
    return [c[2] for c in client.writes("create", "pods")]


async def test_replicaset_creates_missing_pods_once() -> None:
    ctx = context()
    c = ReplicaSetController(ctx)
    owner = ctx.informers["replicasets"].add(rs(3))
    await c.reconcile("ns/web")
    pods = created(ctx.client)
    assert len(pods) == 3
    assert pods[0]["metadata"]["generateName"] == "web-"
    assert pods[0]["metadata"]["ownerReferences"][0]["uid"] == owner.metadata.uid
    await c.reconcile("ns/web")  # the informer has not shown them yet: no overshoot
    assert len(created(ctx.client)) == 3
    for i, p in enumerate(pods):
        ctx.informers["pods"].add({**p, "metadata": {**p["metadata"], "name": f"web-{i}"}})
    assert c.expectations.satisfied("ns/web")
    await c.reconcile("ns/web")
    assert len(created(ctx.client)) == 3
    status = ctx.client.writes("update/status", "replicasets")[-1][2]["status"]
    assert status["replicas"] == 3 and status["observedGeneration"] == 1


async def test_replicaset_deletes_the_least_valuable_pods() -> None:
    ctx = context()
    c = ReplicaSetController(ctx)
    owner = ctx.informers["replicasets"].add(rs(1))
    ctx.informers["pods"].add(owned_pod("ready", owner, ready=True, nodeName="n"))
    ctx.informers["pods"].add(owned_pod("pending", owner, "Pending", nodeName="n"))
    ctx.informers["pods"].add(owned_pod("done", owner, "Succeeded"))
    await c.reconcile("ns/web")
    assert [d[2] for d in ctx.client.writes("delete", "pods")] == ["pending"]
    assert ctx.recorder.events[-1][1] == "SuccessfulDelete"


async def test_replication_controller_uses_its_map_selector() -> None:
    ctx = context()
    c = ReplicationControllerController(ctx)
    ctx.informers["replicationcontrollers"].add({
        "metadata": {"name": "rc", "namespace": "ns"},
        "spec": {"replicas": 2, "selector": {"app": "a"}, "template": TEMPLATE}})
    ctx.informers["pods"].add({"metadata": {"name": "orphan", "namespace": "ns",
                                            "labels": {"app": "a"}},
                               "spec": {"containers": [{"name": "c"}]}})
    ctx.client.objects[("replicationcontrollers", "ns", "rc")] = {
        "metadata": {"uid": ctx.informers["replicationcontrollers"].get("rc", "ns")
                     .metadata.uid}}
    await c.reconcile("ns/rc")
    adopt = ctx.client.writes("patch", "pods")
    assert adopt and adopt[0][2] == "orphan"
    assert adopt[0][3]["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    assert len(created(ctx.client)) == 1


async def test_job_runs_parallelism_then_completes() -> None:
    ctx = context()
    c = JobController(ctx)
    job = ctx.informers["jobs"].add({
        "metadata": {"name": "j", "namespace": "ns"},
        "spec": {"completions": 3, "parallelism": 2, "selector": {"matchLabels": {"app": "a"}},
                 "template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                   "restartPolicy": "Never"}}}})
    await c.reconcile("ns/j")
    assert len(created(ctx.client)) == 2
    c.expectations.forget("ns/j")
    for i in range(3):
        ctx.informers["pods"].add(owned_pod(f"p{i}", job, "Succeeded"))
    await c.reconcile("ns/j")
    status = ctx.client.writes("update/status", "jobs")[-1][2]["status"]
    assert status["succeeded"] == 3
    assert [x["type"] for x in status["conditions"]] == ["Complete"]


async def test_job_backoff_limit() -> None:
    ctx = context()
    c = JobController(ctx)
    job = ctx.informers["jobs"].add({
        "metadata": {"name": "j", "namespace": "ns"},
        "spec": {"backoffLimit": 1, "selector": {"matchLabels": {"app": "a"}},
                 "template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                   "restartPolicy": "Never"}}}})
    ctx.informers["pods"].add(owned_pod("f1", job, "Failed"))
    assert await c.reconcile("ns/j") == 10.0  # the replacement waits out the backoff
    assert created(ctx.client) == []
    ctx.clock.now += 10  # type: ignore[attr-defined]
    await c.reconcile("ns/j")
    assert len(created(ctx.client)) == 1
    ctx.informers["pods"].add(owned_pod("f2", job, "Failed"))
    await c.reconcile("ns/j")
    failed = ctx.client.writes("update/status", "jobs")[-1][2]["status"]["conditions"][0]
    assert (failed["type"], failed["reason"]) == ("Failed", "BackoffLimitExceeded")


async def test_daemonset_one_pod_per_eligible_node() -> None:
    ctx = context()
    c = DaemonSetController(ctx)
    ds = ctx.informers["daemonsets"].add({
        "metadata": {"name": "d", "namespace": "ns"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE}})
    for name, taints in (("a", None), ("b", None),
                         ("c", [{"key": "x", "effect": "NoSchedule"}])):
        ctx.informers["nodes"].add({"metadata": {"name": name}, "spec": {"taints": taints}})
    ctx.informers["pods"].add(owned_pod("extra", ds, nodeName="gone"))
    await c.reconcile("ns/d")
    assert sorted(p["spec"]["nodeName"] for p in created(ctx.client)) == ["a", "b"]
    assert [d[2] for d in ctx.client.writes("delete", "pods")] == ["extra"]
    status = ctx.client.writes("update/status", "daemonsets")[-1][2]["status"]
    assert status["desiredNumberScheduled"] == 2 and status["numberMisscheduled"] == 0
