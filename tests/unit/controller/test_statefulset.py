"""The StatefulSet controller's decisions: ordered and parallel creation, scale-down from
the highest ordinal, a RollingUpdate from the top down to the partition, OnDelete,
minReadySeconds against a fake clock, the status revisions; and the pods it stamps
(name, hostname, subdomain, identity labels, claim volumes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.api.apps import StatefulSet
from tugboat.api.defaults import apply_defaults
from tugboat.api.pod import Pod
from tugboat.controller.statefulset import StatefulSetController, new_claims
from tugboat.controller.statefulsetcontrol import plan, status

NOW = 1_000_000.0


def format_rfc3339(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
TEMPLATE = {"metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                     "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}}
CLAIMS = [{"metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}]


def sts_wire(replicas: int = 3, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "ns", "generation": 1, "uid": "set-uid"},
            "spec": {"replicas": replicas, "serviceName": "nginx",
                     "selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE,
                     "volumeClaimTemplates": CLAIMS, **spec}}


def make_sts(replicas: int = 3, **spec: Any) -> StatefulSet:
    s = StatefulSet.model_validate(sts_wire(replicas, **spec))
    apply_defaults(s)
    return s


def pod(ordinal: int, rev: str = "r1", phase: str = "Running", ready: bool = True,
        ready_at: float = NOW - 100, terminating: bool = False) -> Pod:
    meta: dict[str, Any] = {"name": f"web-{ordinal}", "namespace": "ns", "uid": f"p{ordinal}",
                            "labels": {"app": "a", "controller-revision-hash": rev}}
    if terminating:
        meta["deletionTimestamp"] = format_rfc3339(NOW)
    return Pod.model_validate({"metadata": meta, "spec": {"containers": [{"name": "c"}]},
                               "status": {"phase": phase, "conditions": [{
                                   "type": "Ready", "status": "True" if ready else "False",
                                   "lastTransitionTime": format_rfc3339(ready_at)}]}})


def pods(*items: Pod) -> dict[int, Pod]:
    return {int(p.metadata.name.rsplit("-", 1)[1]): p for p in items}


def names(items: list[Pod]) -> list[str]:
    return [p.metadata.name for p in items]


def test_ordered_ready_creates_one_at_a_time_waiting_for_ready() -> None:
    s = make_sts()
    assert plan(s, {}, "r1", "r1", NOW).create == [(0, "r1")]
    waiting = plan(s, pods(pod(0, phase="Pending", ready=False)), "r1", "r1", NOW)
    assert waiting.create == [] and waiting.delete == []
    assert plan(s, pods(pod(0, ready=False)), "r1", "r1", NOW).create == []
    assert plan(s, pods(pod(0)), "r1", "r1", NOW).create == [(1, "r1")]
    assert plan(s, pods(pod(0), pod(1)), "r1", "r1", NOW).create == [(2, "r1")]
    done = plan(s, pods(pod(0), pod(1), pod(2)), "r1", "r1", NOW)
    assert done.create == [] and done.delete == []


def test_parallel_creates_all_at_once() -> None:
    s = make_sts(podManagementPolicy="Parallel")
    assert plan(s, {}, "r1", "r1", NOW).create == [(0, "r1"), (1, "r1"), (2, "r1")]
    got = plan(s, pods(pod(1, phase="Pending", ready=False)), "r1", "r1", NOW)
    assert got.create == [(0, "r1"), (2, "r1")]


def test_min_ready_seconds_waits_on_the_clock() -> None:
    s = make_sts(minReadySeconds=30)
    fresh = pods(pod(0, ready_at=NOW - 10))
    got = plan(s, fresh, "r1", "r1", NOW)
    assert got.create == [] and got.requeue == pytest.approx(20.1)
    assert plan(s, fresh, "r1", "r1", NOW + 21).create == [(1, "r1")]


def test_scale_down_from_the_highest_ordinal() -> None:
    five = pods(*(pod(i) for i in range(5)))
    assert names(plan(make_sts(), five, "r1", "r1", NOW).delete) == ["web-4"]
    going = pods(*(pod(i) for i in range(4)), pod(4, terminating=True))
    assert plan(make_sts(), going, "r1", "r1", NOW).delete == []  # waits for web-4
    parallel = make_sts(podManagementPolicy="Parallel")
    assert names(plan(parallel, five, "r1", "r1", NOW).delete) == ["web-4", "web-3"]
    unhealthy = pods(pod(0), pod(1, ready=False), pod(2), pod(3))
    assert plan(make_sts(), unhealthy, "r1", "r1", NOW).delete == []


def test_failed_pods_are_replaced() -> None:
    got = plan(make_sts(), pods(pod(0), pod(1, phase="Failed", ready=False)), "r1", "r1", NOW)
    assert names(got.delete) == ["web-1"]


def test_rolling_update_goes_down_to_the_partition_one_at_a_time() -> None:
    s = make_sts()
    old = pods(pod(0), pod(1), pod(2))
    assert names(plan(s, old, "r1", "r2", NOW).delete) == ["web-2"]
    assert plan(s, pods(pod(0), pod(1)), "r1", "r2", NOW).create == [(2, "r2")]
    recreated = pods(pod(0), pod(1), pod(2, rev="r2", ready=False))
    assert plan(s, recreated, "r1", "r2", NOW).delete == []  # waits for web-2 to be ready
    assert names(plan(s, pods(pod(0), pod(1), pod(2, rev="r2")), "r1", "r2",
                      NOW).delete) == ["web-1"]
    partitioned = make_sts(updateStrategy={"type": "RollingUpdate",
                                           "rollingUpdate": {"partition": 2}})
    assert plan(partitioned, pods(pod(0), pod(1), pod(2, rev="r2")), "r1", "r2",
                NOW).delete == []
    # below the partition a missing pod comes back at the current revision
    assert plan(partitioned, pods(pod(1), pod(2, rev="r2")), "r1", "r2",
                NOW).create == [(0, "r1")]


def test_on_delete_leaves_old_pods() -> None:
    s = make_sts(updateStrategy={"type": "OnDelete"})
    assert plan(s, pods(pod(0), pod(1), pod(2)), "r1", "r2", NOW).delete == []
    assert plan(s, pods(pod(1), pod(2)), "r1", "r2", NOW).create == [(0, "r2")]


def test_status_moves_the_current_revision_when_the_update_is_done() -> None:
    s = make_sts()
    mid = status(s, [pod(0), pod(1), pod(2, rev="r2")], "r1", "r2", NOW)
    assert (mid["replicas"], mid["readyReplicas"], mid["currentReplicas"],
            mid["updatedReplicas"]) == (3, 3, 2, 1)
    assert (mid["currentRevision"], mid["updateRevision"]) == ("r1", "r2")
    done = status(s, [pod(i, rev="r2") for i in range(3)], "r1", "r2", NOW)
    assert done["currentRevision"] == "r2" and done["currentReplicas"] == 3
    assert done["observedGeneration"] == 1 and done["availableReplicas"] == 3


@pytest.mark.anyio
async def test_reconcile_stamps_identity_and_claims() -> None:
    ctx = context()
    c = StatefulSetController(ctx)
    wire = sts_wire()
    obj = StatefulSet.model_validate(wire)
    apply_defaults(obj)
    ctx.informers["statefulsets"].add(obj.wire())
    await c.reconcile("ns/web")
    made = [w[2] for w in ctx.client.writes("create", "pods")]
    assert [p["metadata"]["name"] for p in made] == ["web-0"]
    p = made[0]
    labels = p["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-0"
    assert labels["apps.kubernetes.io/pod-index"] == "0"
    assert labels["controller-revision-hash"].startswith("web-")
    assert (p["spec"]["hostname"], p["spec"]["subdomain"]) == ("web-0", "nginx")
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}} in \
        p["spec"]["volumes"]
    assert p["metadata"]["ownerReferences"][0]["uid"] == "set-uid"
    st = ctx.client.writes("update/status", "statefulsets")[-1][2]["status"]
    assert st["updateRevision"] == st["currentRevision"] == labels["controller-revision-hash"]
    assert ("Normal", "SuccessfulCreate",
            "create Pod web-0 in StatefulSet web successful") in ctx.recorder.events


def test_claims_follow_the_retention_policy() -> None:
    [kept] = new_claims(make_sts(), 1)
    assert kept["metadata"]["name"] == "data-web-1"
    assert kept["metadata"]["labels"] == {"app": "a"}
    assert "ownerReferences" not in kept["metadata"] and "status" not in kept
    assert kept["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    [owned] = new_claims(make_sts(persistentVolumeClaimRetentionPolicy={
        "whenDeleted": "Delete", "whenScaled": "Retain"}), 0)
    assert owned["metadata"]["ownerReferences"][0]["uid"] == "set-uid"


@pytest.mark.anyio
async def test_a_forgotten_current_revision_recreates_at_the_update_revision() -> None:
    ctx = context()
    c = StatefulSetController(ctx)
    obj = make_sts(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 3}})
    wire = obj.wire()
    wire["status"] = {"replicas": 0, "currentRevision": "web-before-a-restart"}
    ctx.informers["statefulsets"].add(wire)
    await c.reconcile("ns/web")
    [made] = [w[2] for w in ctx.client.writes("create", "pods")]
    st = ctx.client.writes("update/status", "statefulsets")[-1][2]["status"]
    assert made["metadata"]["labels"]["controller-revision-hash"] == st["updateRevision"]
    assert st["currentRevision"] == "web-before-a-restart"
