"""kube-apiserver's health output: always verbose on failure with reasons withheld, the
reason at the check's own path, and /livez failing only once the watch cache has not
recovered for CACHE_RECOVERY seconds."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from tugboat.apiserver import healthz
from tugboat.apiserver.healthz import Check, Reason
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import open_store

pytestmark = pytest.mark.anyio


async def broken() -> Reason:
    return "the disk is on fire"


def client(checks: list[Check]) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/readyz", healthz.root_handler("readyz", checks)),
                            Route("/readyz/{name:path}",
                                  healthz.single_handler("readyz", checks))])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")


async def test_a_failure_lists_every_check_and_withholds_the_reason() -> None:
    async with client([Check("ping", healthz.ping), Check("etcd", broken)]) as c:
        r = await c.get("/readyz")
        assert (r.status_code, r.text) == (
            503, "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed")
        r = await c.get("/readyz/etcd")
        assert (r.status_code, r.text) == (503, "internal server error: the disk is on fire\n")
        r = await c.get("/readyz", params={"exclude": "etcd"})
        assert (r.status_code, r.text) == (200, "ok")


async def test_livez_fails_once_the_cache_has_not_recovered_for_a_while(tmp_path: Path) -> None:
    now = [1000.0]
    cache = WatchCache(open_store(f"sqlite:///{tmp_path}/state.db"), clock=lambda: now[0])
    cache.ready.set()
    live = healthz.cache_recovering(cache, healthz.CACHE_RECOVERY)
    ready = healthz.cache_current(cache)
    assert (await live(), await ready()) == (None, None)
    cache._fail("following the store failed: boom")
    assert await ready() == "following the store failed: boom"
    now[0] += healthz.CACHE_RECOVERY - 1
    assert await live() is None
    now[0] += 2
    assert "has not been current for 61s" in (await live() or "")
