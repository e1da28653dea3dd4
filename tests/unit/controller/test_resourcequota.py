"""The resourcequota controller against fake informers and a recording client: status gets
the spec's hard limits and the usage of the objects the quota selects (terminal pods
charge no compute, scoped quotas only their pods, count/<kind> of uninformed kinds from a
list); a change of a pod re-queues its namespace's quotas; an up-to-date status is not
written again."""

from __future__ import annotations

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.context import ControllerContext
from tugboat.controller.resourcequota import ResourceQuotaController

pytestmark = pytest.mark.anyio


def setup() -> tuple[ControllerContext, ResourceQuotaController]:
    ctx = context()
    return ctx, ResourceQuotaController(ctx)


def add_pod(ctx: ControllerContext, name: str, cpu: str, phase: str = "Running",
            ns: str = "ns") -> None:
    ctx.informers["pods"].add({
        "metadata": {"name": name, "namespace": ns},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
        "status": {"phase": phase}})


def add_quota(ctx: ControllerContext, name: str, hard: dict, **spec: object) -> None:
    ctx.informers["resourcequotas"].add({"metadata": {"name": name, "namespace": "ns"},
                                         "spec": {"hard": hard, **spec}})


def written(ctx: ControllerContext) -> list[dict]:
    return [c[2]["status"] for c in ctx.client.writes(  # type: ignore[attr-defined]
        "update/status", "resourcequotas")]


async def test_status_sums_what_the_quota_selects() -> None:
    ctx, rq = setup()
    add_pod(ctx, "a", "500m")
    add_pod(ctx, "b", "250m")
    add_pod(ctx, "done", "4", phase="Succeeded")
    add_pod(ctx, "elsewhere", "1", ns="other")
    add_quota(ctx, "q", {"pods": "10", "requests.cpu": "2", "count/pods": "10",
                         "count/deployments.apps": "3"})
    ctx.client.lists["deployments"] = {"items": [  # type: ignore[attr-defined]
        {"metadata": {"name": "d", "namespace": "ns"}}]}
    await rq.reconcile("ns/q")
    assert written(ctx) == [{
        "hard": {"pods": "10", "requests.cpu": "2", "count/pods": "10",
                 "count/deployments.apps": "3"},
        "used": {"count/deployments.apps": "1", "count/pods": "3", "pods": "2",
                 "requests.cpu": "750m"}}]


async def test_scoped_quota_and_requeue_on_pod_changes() -> None:
    ctx, rq = setup()
    add_quota(ctx, "be", {"pods": "5"}, scopes=["BestEffort"])
    queued: list[str] = []
    rq.queue.add = queued.append  # type: ignore[method-assign]
    ctx.informers["pods"].add({"metadata": {"name": "x", "namespace": "ns"},
                               "spec": {"containers": [{"name": "c"}]}})
    add_pod(ctx, "sized", "1")
    add_pod(ctx, "elsewhere", "1", ns="other")
    assert queued == ["ns/be", "ns/be"]
    await rq.reconcile("ns/be")
    assert written(ctx)[-1]["used"] == {"pods": "1"}


async def test_an_up_to_date_status_is_not_written() -> None:
    ctx, rq = setup()
    ctx.informers["resourcequotas"].add({
        "metadata": {"name": "q", "namespace": "ns"}, "spec": {"hard": {"pods": "1"}},
        "status": {"hard": {"pods": "1"}, "used": {"pods": "0"}}})
    await rq.reconcile("ns/q")
    await rq.reconcile("ns/gone")
    assert written(ctx) == []
