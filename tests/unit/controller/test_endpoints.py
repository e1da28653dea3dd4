"""The endpoints controller's reconcile against fake informers: the Endpoints it writes
carry the last-change-trigger-time of the change behind them, and an unchanged Endpoints
object is not rewritten for the annotation alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.endpoints import EndpointsController
from tugboat.controller.triggertime import TRIGGER_TIME

pytestmark = pytest.mark.anyio


def web_pod(ready: bool, since: str) -> dict[str, Any]:
    return {"metadata": {"name": "a", "namespace": "ns", "uid": "uid-a",
                         "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "conditions": [
                {"type": "Ready", "status": "True" if ready else "False",
                 "lastTransitionTime": since}]}}


async def test_endpoints_carry_the_trigger_time_only_when_written() -> None:
    ctx = context()
    c = EndpointsController(ctx)
    ctx.informers["services"].add({
        "metadata": {"name": "web", "namespace": "ns",
                     "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    ctx.informers["pods"].add(web_pod(True, "2025-01-01T00:00:05Z"))
    await c.reconcile("ns/web")
    ((_, _, created),) = ctx.client.writes("create", "endpoints")
    assert created["metadata"]["annotations"] == {TRIGGER_TIME: "2025-01-01T00:00:00Z"}
    ctx.informers["endpoints"].add(created)
    # the pod turns unready: the rewrite is dated by its Ready transition
    ctx.informers["pods"].add(web_pod(False, "2025-01-01T00:07:00Z"))
    await c.reconcile("ns/web")
    ((_, _, updated),) = ctx.client.writes("update", "endpoints")
    assert updated["subsets"][0]["notReadyAddresses"][0]["ip"] == "10.0.0.1"
    assert updated["metadata"]["annotations"] == {TRIGGER_TIME: "2025-01-01T00:07:00Z"}
    ctx.informers["endpoints"].add(updated)
    # a Ready transition that changes no address (a blip seen only as a later time):
    # nothing to write, so no write for the annotation
    ctx.informers["pods"].add(web_pod(False, "2025-01-01T00:09:00Z"))
    await c.reconcile("ns/web")
    assert len(ctx.client.writes("update", "endpoints")) == 1
