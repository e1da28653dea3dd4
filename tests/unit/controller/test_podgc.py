"""Pod GC against fake informers and a recording client: pods are force-deleted only when
their node is known gone — deleted (after the quarantine and a live GET), or out of
service and not Ready (terminating pods only) — and never when it is merely unreachable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.context import ControllerContext
from tugboat.controller.options import ControllerOptions
from tugboat.controller.podgc import PodGCController
from tugboat.controller.tainteviction import OUT_OF_SERVICE

pytestmark = pytest.mark.anyio


def setup() -> tuple[ControllerContext, PodGCController]:
    ctx = context(ControllerOptions(node_monitor_grace_period=40))
    return ctx, PodGCController(ctx)


def add_node(ctx: ControllerContext, name: str, ready: str, *taint_keys: str) -> None:
    ctx.informers["nodes"].add({
        "metadata": {"name": name},
        "spec": {"taints": [{"key": k, "value": "nodeshutdown", "effect": "NoExecute"}
                            for k in taint_keys] or None},
        "status": {"conditions": [{"type": "Ready", "status": ready}]}})


def add_pod(ctx: ControllerContext, name: str, node: str, terminating: bool = False) -> None:
    meta: dict[str, Any] = {"name": name, "namespace": "ns"}
    if terminating:
        meta["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    ctx.informers["pods"].add({"metadata": meta, "spec": {"nodeName": node,
                                                          "containers": [{"name": "c"}]}})


def force_deleted(ctx: ControllerContext) -> list[str]:
    calls = ctx.client.writes("delete", "pods")  # type: ignore[attr-defined]
    assert all(c[3]["grace_period_seconds"] == 0 for c in calls)
    return [c[2] for c in calls]


async def test_pods_of_a_deleted_node_go_after_the_quarantine() -> None:
    ctx, gc = setup()
    add_pod(ctx, "a", "gone")
    add_pod(ctx, "b", "gone", terminating=True)
    assert await gc.reconcile("gone") == 40
    assert force_deleted(ctx) == []
    ctx.clock.now += 40  # type: ignore[attr-defined]
    assert await gc.reconcile("gone") is None  # the live GET answers 404
    assert force_deleted(ctx) == ["a", "b"]


async def test_a_node_the_cache_has_not_seen_yet_keeps_its_pods() -> None:
    ctx, gc = setup()
    add_pod(ctx, "a", "late")
    ctx.client.objects[("nodes", None, "late")] = {"metadata": {"name": "late"}}  # type: ignore[attr-defined]
    await gc.reconcile("late")
    ctx.clock.now += 41  # type: ignore[attr-defined]
    await gc.reconcile("late")
    assert force_deleted(ctx) == []


async def test_a_node_that_comes_back_within_the_quarantine_keeps_its_pods() -> None:
    ctx, gc = setup()
    add_pod(ctx, "a", "flaky")
    await gc.reconcile("flaky")
    add_node(ctx, "flaky", "True")
    await gc.reconcile("flaky")
    ctx.clock.now += 41  # type: ignore[attr-defined]
    await gc.reconcile("flaky")
    assert force_deleted(ctx) == [] and gc.missing_since == {}


async def test_out_of_service_node_loses_its_terminating_pods() -> None:
    ctx, gc = setup()
    add_node(ctx, "down", "Unknown", OUT_OF_SERVICE)
    add_pod(ctx, "terminating", "down", terminating=True)
    add_pod(ctx, "tolerant", "down")
    await gc.reconcile("down")
    assert force_deleted(ctx) == ["terminating"]


@pytest.mark.parametrize(("ready", "taints"), [
    ("Unknown", ()),  # unreachable, maybe partitioned: it may still run the pod
    ("True", (OUT_OF_SERVICE,)),  # the taint on a node that is Ready: not believed
])
async def test_terminating_pods_are_kept_while_the_node_may_run_them(
        ready: str, taints: tuple[str, ...]) -> None:
    ctx, gc = setup()
    add_node(ctx, "n", ready, *taints)
    add_pod(ctx, "terminating", "n", terminating=True)
    await gc.reconcile("n")
    assert force_deleted(ctx) == []


async def test_a_terminating_pod_wakes_its_node() -> None:
    ctx, gc = setup()
    add_node(ctx, "n", "True")
    assert await gc.queue.get() == "n"
    gc.queue.done("n")
    add_pod(ctx, "p", "n")
    assert len(gc.queue) == 0  # a running pod on a node that exists: nothing to look at
    add_pod(ctx, "p", "n", terminating=True)
    assert len(gc.queue) == 1
    ctx.informers["pods"].remove("ns/p")
    assert gc.bound == {}
