"""Pod workers: one sync per pod at a time, wake-ups folded, pods in parallel, failures
retried, requeue after the delay a sync asks for."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.kubelet.podworkers import PodWorkers

pytestmark = pytest.mark.anyio


async def test_serialized_per_pod_parallel_across_pods() -> None:
    running: dict[str, int] = {}
    peak: dict[str, int] = {}
    calls: list[str] = []
    gate = asyncio.Event()

    async def sync(uid: str) -> float | None:
        running[uid] = running.get(uid, 0) + 1
        peak[uid] = max(peak.get(uid, 0), running[uid])
        calls.append(uid)
        await gate.wait()
        running[uid] -= 1
        return None

    workers = PodWorkers(sync, concurrency=4)
    task = asyncio.create_task(workers.run())
    for uid in ("a", "a", "b", "a"):
        workers.enqueue(uid)
    await asyncio.sleep(0.05)
    assert sorted(calls) == ["a", "b"]  # both pods at once, "a" once so far
    workers.enqueue("a")  # woken while syncing: one more sync afterwards
    gate.set()
    await asyncio.sleep(0.05)
    assert calls.count("a") == 2 and peak == {"a": 1, "b": 1}
    workers.stop()
    await asyncio.wait_for(task, 2)


async def test_requeue_after_and_retry() -> None:
    calls: list[str] = []

    async def sync(uid: str) -> float | None:
        calls.append(uid)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return 0.05 if len(calls) == 2 else None

    workers = PodWorkers(sync, concurrency=1)
    task = asyncio.create_task(workers.run())
    workers.enqueue("p")
    for _ in range(100):
        if len(calls) >= 3:
            break
        await asyncio.sleep(0.02)
    assert calls == ["p", "p", "p"]
    workers.stop()
    await asyncio.wait_for(task, 2)
