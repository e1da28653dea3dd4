"""WorkQueue: client-go semantics — dedupe, processing exclusion, delays, rate limiting,
shutdown."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.client import ExponentialRateLimiter, ShutDown, WorkQueue

pytestmark = pytest.mark.anyio
WAIT = 5.0


async def get(queue: WorkQueue) -> object:
    return await asyncio.wait_for(queue.get(), WAIT)


async def test_dedupes_while_queued() -> None:
    q = WorkQueue()
    for key in ("a", "b", "a", "a"):
        q.add(key)
    assert len(q) == 2
    assert [await get(q), await get(q)] == ["a", "b"]
    assert len(q) == 0


async def test_a_key_in_processing_is_not_handed_out_again() -> None:
    q = WorkQueue()
    q.add("a")
    assert await get(q) == "a"
    q.add("a")
    q.add("a")
    assert len(q) == 0  # not available to a second worker while the first holds it
    second = asyncio.ensure_future(q.get())
    q.add("b")
    assert await asyncio.wait_for(second, WAIT) == "b"
    q.done("a")
    assert len(q) == 1  # re-added while processing: queued again once done
    assert await get(q) == "a"
    q.done("a")
    assert len(q) == 0


async def test_done_without_readd_does_not_requeue() -> None:
    q = WorkQueue()
    q.add("a")
    await get(q)
    q.done("a")
    assert len(q) == 0


async def test_add_after_orders_by_due_time() -> None:
    q = WorkQueue()
    q.add_after("slow", 0.06)
    q.add_after("fast", 0.02)
    q.add("now")
    assert len(q) == 1
    assert [await get(q), await get(q), await get(q)] == ["now", "fast", "slow"]


async def test_add_after_keeps_the_earliest_time() -> None:
    q = WorkQueue()
    q.add_after("a", 60)
    q.add_after("a", 0.01)
    q.add_after("a", 30)
    assert await get(q) == "a"


def test_rate_limiter_backoff_grows_and_forget_resets() -> None:
    limiter = ExponentialRateLimiter(base=0.01, cap=0.05)
    assert [limiter.when("k") for _ in range(5)] == [0.01, 0.02, 0.04, 0.05, 0.05]
    assert limiter.num_requeues("k") == 5
    assert limiter.when("other") == 0.01
    limiter.forget("k")
    assert limiter.num_requeues("k") == 0
    assert limiter.when("k") == 0.01


async def test_add_rate_limited_delays_and_counts() -> None:
    q = WorkQueue(ExponentialRateLimiter(base=0.01, cap=1.0))
    q.add_rate_limited("a")
    assert len(q) == 0
    assert await get(q) == "a"
    assert q.num_requeues("a") == 1
    q.done("a")
    q.add_rate_limited("a")
    assert q.num_requeues("a") == 2
    assert await get(q) == "a"
    q.forget("a")
    assert q.num_requeues("a") == 0


async def test_shutdown_wakes_workers_and_refuses_keys() -> None:
    q = WorkQueue()
    workers = [asyncio.ensure_future(q.get()) for _ in range(3)]
    q.add_after("later", 60)
    q.shutdown()
    for w in workers:
        with pytest.raises(ShutDown):
            await asyncio.wait_for(w, WAIT)
    q.add("a")
    assert len(q) == 0 and q.shutting_down
    with pytest.raises(ShutDown):
        await get(q)
