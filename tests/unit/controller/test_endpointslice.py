"""The endpointslice controller's reconcile against fake informers: it waits for its
cache to show the slices it wrote, but not for ever."""

from __future__ import annotations

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.endpointslice import STALE_GIVE_UP, STALE_RETRY, EndpointSliceController

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
