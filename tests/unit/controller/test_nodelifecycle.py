"""The node lifecycle controller against fake informers and a recording client, on a
monotonic clock and a wall clock the test moves: a silent node is marked unreachable after
the grace period, or at once when it was already silent before this process saw it; pods
are evicted gracefully by the node's NoExecute taints, never force-deleted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.api.meta import parse_rfc3339
from tugboat.controller.context import ControllerContext
from tugboat.controller.nodelifecycle import NodeLifecycleController
from tugboat.controller.options import ControllerOptions
from tugboat.controller.tainteviction import OUT_OF_SERVICE, UNREACHABLE

pytestmark = pytest.mark.anyio
T0 = "2025-01-01T00:00:00Z"


def setup(seconds_since_t0: float = 0.0) -> tuple[ControllerContext, NodeLifecycleController]:
    """Grace 40 s, monitor period 5 s, eviction timeout 300 s; the wall clock at T0 plus
    `seconds_since_t0` and moving with the monotonic one."""
    ctx = context(ControllerOptions(node_monitor_grace_period=40, node_monitor_period=5,
                                    pod_eviction_timeout=300))
    offset = parse_rfc3339(T0).timestamp() + seconds_since_t0 - ctx.clock()
    ctx.wall = lambda: ctx.clock() + offset
    return ctx, NodeLifecycleController(ctx)


def move(ctx: ControllerContext, seconds: float) -> None:
    ctx.clock.now += seconds  # type: ignore[attr-defined]


def add_node(ctx: ControllerContext, name: str = "n1", heartbeat: str = T0,
             taints: list[dict[str, Any]] | None = None, lease: str | None = None) -> None:
    ctx.informers["nodes"].add({"metadata": {"name": name}, "spec": {"taints": taints},
                                "status": {"conditions": [{"type": "Ready", "status": "True",
                                                           "lastHeartbeatTime": heartbeat}]}})
    if lease:
        ctx.informers["leases"].add({"metadata": {"name": name, "namespace": "kube-node-lease"},
                                     "spec": {"renewTime": lease}})


def add_pod(ctx: ControllerContext, name: str, node: str = "n1", **spec: Any) -> None:
    meta: dict[str, Any] = {"name": name, "namespace": "ns"}
    if spec.pop("terminating", False):
        meta["deletionTimestamp"] = T0
    ctx.informers["pods"].add({"metadata": meta,
                               "spec": {"nodeName": node, "containers": [{"name": "c"}],
                                        **spec},
                               "status": {"phase": "Running", "conditions": [
                                   {"type": "Ready", "status": "True"}]}})


def ready_written(ctx: ControllerContext) -> str | None:
    writes = ctx.client.writes("update/status", "nodes")  # type: ignore[attr-defined]
    if not writes:
        return None
    return {c["type"]: c["status"] for c in writes[-1][2]["status"]["conditions"]}["Ready"]


def deleted(ctx: ControllerContext) -> list[tuple[str, dict[str, Any]]]:
    return [(d[2], d[3]) for d in ctx.client.writes("delete", "pods")]  # type: ignore[attr-defined]


async def test_silent_node_is_marked_unreachable_and_its_pods_evicted_gracefully() -> None:
    ctx, c = setup()
    add_node(ctx)
    add_pod(ctx, "p")
    add_pod(ctx, "daemon", tolerations=[{"key": UNREACHABLE, "operator": "Exists",
                                         "effect": "NoExecute"}])
    assert await c.reconcile("n1") == 45  # healthy: look again after the grace period
    assert ctx.client.calls == []  # type: ignore[attr-defined]
    move(ctx, 41)
    await c.reconcile("n1")
    assert ready_written(ctx) == "Unknown"
    taints = ctx.client.writes("patch", "nodes")[0][3]["spec"]["taints"]  # type: ignore[attr-defined]
    assert {(t["key"], t["effect"]) for t in taints} == {(UNREACHABLE, "NoSchedule"),
                                                         (UNREACHABLE, "NoExecute")}
    marked = {w[2]["metadata"]["name"]: w[2]["status"] for w in
              ctx.client.writes("update/status", "pods")}  # type: ignore[attr-defined]
    assert marked["p"]["phase"] == "Unknown"
    assert marked["p"]["conditions"][0]["status"] == "False"
    move(ctx, 299)
    await c.reconcile("n1")
    assert deleted(ctx) == []  # the default toleration: 300 s
    move(ctx, 1)
    await c.reconcile("n1")
    # graceful: no gracePeriodSeconds=0, the node may still be running it
    assert [(name, "grace_period_seconds" in opts) for name, opts in deleted(ctx)] == [
        ("p", False)]
    assert ctx.recorder.events[-1][1] == "TaintManagerEviction"  # type: ignore[attr-defined]


async def test_node_silent_since_before_the_controller_started_is_unreachable_at_once(
        ) -> None:
    ctx, c = setup(seconds_since_t0=600)  # the lease was last renewed ten minutes ago
    add_node(ctx, heartbeat=T0, lease="2025-01-01T00:00:00.000000Z")
    await c.reconcile("n1")
    assert ready_written(ctx) == "Unknown"


async def test_a_recent_lease_gets_only_the_rest_of_the_grace_period() -> None:
    ctx, c = setup(seconds_since_t0=30)
    add_node(ctx, heartbeat="2024-12-31T23:00:00Z", lease="2025-01-01T00:00:10.500000Z")
    assert await c.reconcile("n1") == pytest.approx(40 - 19.5 + 5)
    assert ctx.client.calls == []  # type: ignore[attr-defined]


async def test_a_kubelet_clock_ahead_of_ours_counts_as_now() -> None:
    ctx, c = setup(seconds_since_t0=-3600)
    add_node(ctx, lease="2025-01-01T00:00:00Z")
    assert await c.reconcile("n1") == 45


async def test_renewals_are_judged_on_our_clock_not_their_timestamps() -> None:
    """After the first sight a lagging kubelet clock does not matter: a changed renewTime
    is a heartbeat, whatever time it names."""
    ctx, c = setup(seconds_since_t0=10)
    add_node(ctx, lease="2025-01-01T00:00:05Z")
    await c.reconcile("n1")
    move(ctx, 30)
    add_node(ctx, lease="2024-06-01T00:00:00Z")  # renewed by a clock months behind
    move(ctx, 30)
    await c.reconcile("n1")
    assert ctx.client.calls == []  # type: ignore[attr-defined]


async def test_out_of_service_taint_evicts_pods_that_do_not_tolerate_it() -> None:
    ctx, c = setup()
    add_node(ctx, taints=[{"key": OUT_OF_SERVICE, "value": "nodeshutdown",
                           "effect": "NoExecute"}])
    add_pod(ctx, "plain")
    add_pod(ctx, "tolerant", tolerations=[{"key": OUT_OF_SERVICE, "operator": "Exists"}])
    add_pod(ctx, "brief", tolerations=[{"key": OUT_OF_SERVICE, "operator": "Equal",
                                        "value": "nodeshutdown", "effect": "NoExecute",
                                        "tolerationSeconds": 20}])
    add_pod(ctx, "going", terminating=True)
    assert await c.reconcile("n1") == 20
    assert [name for name, _ in deleted(ctx)] == ["plain"]
    add_pod(ctx, "plain", terminating=True)  # what the informer sees next
    move(ctx, 20)
    await c.reconcile("n1")
    assert [name for name, _ in deleted(ctx)] == ["plain", "brief"]
    assert not any("grace_period_seconds" in opts for _, opts in deleted(ctx))


async def test_mirror_pods_are_never_evicted() -> None:
    ctx, c = setup()
    add_node(ctx, taints=[{"key": "dedicated", "effect": "NoExecute"}])
    ctx.informers["pods"].add({"metadata": {"name": "static-n1", "namespace": "ns",
                                            "annotations": {"kubernetes.io/config.mirror": "x"}},
                               "spec": {"nodeName": "n1", "containers": [{"name": "c"}]}})
    await c.reconcile("n1")
    assert deleted(ctx) == []
