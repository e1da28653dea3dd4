"""The endpointslice controller's reconcile against fake informers: it waits for its
cache to show the slices it wrote, but not for ever; what it writes carries the
last-change-trigger-time of the change behind it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.endpointslice import STALE_GIVE_UP, STALE_RETRY, EndpointSliceController
from tugboat.controller.triggertime import TRIGGER_TIME

pytestmark = pytest.mark.anyio


async def test_a_write_the_cache_never_shows_is_waited_for_only_so_long() -> None:
    ctx = context()
    c = EndpointSliceController(ctx)
    ctx.informers["services"].add({
        "metadata": {"name": "web", "namespace": "ns"},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}})
    assert await c.reconcile("ns/web") is None
    assert len(ctx.client.writes("create", "endpointslices")) == 1  # the placeholder
    # The cache does not have it yet: no second slice, a retry soon instead.
    assert await c.reconcile("ns/web") == STALE_RETRY
    assert len(ctx.client.writes("create", "endpointslices")) == 1
    # Someone deleted it before the informer ever saw it: past the give-up time the
    # Service is planned again instead of being retried for good.
    ctx.clock.now += STALE_GIVE_UP + 1  # type: ignore[attr-defined]
    assert await c.reconcile("ns/web") is None
    assert len(ctx.client.writes("create", "endpointslices")) == 2


def web_pod(ready: bool, since: str) -> dict[str, Any]:
    return {"metadata": {"name": "a", "namespace": "ns", "uid": "uid-a",
                         "labels": {"app": "web"}},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "conditions": [
                {"type": "Ready", "status": "True" if ready else "False",
                 "lastTransitionTime": since}]}}


async def test_a_pod_turning_unready_stamps_its_slice_with_the_transition() -> None:
    ctx = context()
    c = EndpointSliceController(ctx)
    ctx.informers["services"].add({
        "metadata": {"name": "web", "namespace": "ns",
                     "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    ctx.informers["pods"].add(web_pod(True, "2025-01-01T00:00:05Z"))
    assert await c.reconcile("ns/web") is None
    ((_, _, created),) = ctx.client.writes("create", "endpointslices")
    # first sight of the Service: its creation is the change
    assert created["metadata"]["annotations"] == {TRIGGER_TIME: "2025-01-01T00:00:00Z"}
    ctx.informers["endpointslices"].add(created)
    ctx.informers["pods"].add(web_pod(False, "2025-01-01T00:07:00Z"))
    assert await c.reconcile("ns/web") is None
    ((_, _, updated),) = ctx.client.writes("update", "endpointslices")
    assert updated["endpoints"][0]["conditions"]["ready"] is False
    assert updated["metadata"]["annotations"] == {TRIGGER_TIME: "2025-01-01T00:07:00Z"}
    # the cache catches up; a later Ready transition that leaves the endpoint as it was
    # (a blip between syncs) is no reason to rewrite the slice for its annotation
    ctx.informers["endpointslices"].add({**updated, "metadata": {
        **updated["metadata"], "resourceVersion": "2"}})
    ctx.informers["pods"].add(web_pod(False, "2025-01-01T00:09:00Z"))
    assert await c.reconcile("ns/web") is None
    assert len(ctx.client.writes("update", "endpointslices")) == 1
