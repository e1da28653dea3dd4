"""The watch cache keeps a bounded window (by count and by bytes, 410 past it), never
serves a half state, and recovers by itself from a failed relist or a dead store watch,
saying it is not current meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import orjson
import pytest

from tests.support.faultystore import FaultyStore
from tugboat.apiserver.watchcache import TooOld, WatchCache
from tugboat.store import Compacted, open_store

pytestmark = pytest.mark.anyio
KEY = "/registry/configmaps/default/"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[FaultyStore]:
    inner = open_store(f"sqlite:///{tmp_path}/state.db")
    await inner.start()
    yield FaultyStore(inner)
    await inner.close()


async def until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.01)


def configmap(name: str, size: int = 10) -> bytes:
    return orjson.dumps({"metadata": {"name": name, "namespace": "default"},
                         "data": {"k": "x" * size}})


async def test_the_window_is_bounded_by_bytes_and_older_revisions_are_expired(
        store: FaultyStore) -> None:
    cache = WatchCache(store, window_bytes=20_000)  # type: ignore[arg-type]
    await cache.start()
    try:
        first = await store.create(KEY + "big", configmap("big", 1000))
        rev = first.mod_revision
        for _ in range(60):  # ~60 KB of changes to one object
            rev = (await store.update(KEY + "big", configmap("big", 1000), rev)).mod_revision
        await until(lambda: cache.rev == rev)
        assert cache.bytes <= 20_000
        assert 10 <= len(cache.changes) <= 20
        with pytest.raises(TooOld):
            cache.watch(KEY, first.mod_revision)
        _, backlog = cache.watch(KEY, rev - 3)
        assert [c.rev for c in backlog] == [rev - 2, rev - 1, rev]
        assert cache.current
    finally:
        await cache.stop()


async def test_a_failed_relist_keeps_the_old_state_and_is_retried(store: FaultyStore) -> None:
    await store.create(KEY + "a", configmap("a"))
    cache = WatchCache(store)  # type: ignore[arg-type]
    await cache.start()
    try:
        # The watch falls behind compaction, and the relist that follows runs out of
        # memory once: the objects stay as they were, the cache says it is not current.
        store.watch_faults.append(Compacted(1, 2))
        store.list_faults.append(MemoryError())
        await cache.stop()
        cache._task = asyncio.create_task(cache._follow())  # follow again, with the faults
        await until(lambda: not cache.current)
        assert cache.get(KEY + "a") is not None
        assert cache.failure is not None
        await until(lambda: cache.current)
        assert not store.list_faults
        assert [o["metadata"]["name"] for o in cache.list(KEY)] == ["a"]
    finally:
        await cache.stop()


async def test_a_dead_store_watch_is_retried_and_writes_meanwhile_arrive(
        store: FaultyStore) -> None:
    cache = WatchCache(store)  # type: ignore[arg-type]
    await cache.start()
    try:
        store.watch_faults += [RuntimeError("the store hiccuped")] * 2
        await cache.stop()
        cache._task = asyncio.create_task(cache._follow())
        await until(lambda: cache.failure is not None)
        assert not await cache.wait_for(cache.rev + 1)  # not current: do not wait for it
        kv = await store.create(KEY + "during", configmap("during"))
        await until(lambda: cache.current)
        assert await cache.wait_for(kv.mod_revision)
        assert cache.get(KEY + "during") is not None
        assert cache.not_current_for() == 0
    finally:
        await cache.stop()


async def test_a_write_the_cache_does_not_see_in_time_marks_it_not_current(
        store: FaultyStore) -> None:
    cache = WatchCache(store)  # type: ignore[arg-type]
    await cache.start()
    try:
        assert not await cache.wait_for(cache.rev + 1, timeout=0.05)
        assert not cache.current and "not seen" in (cache.failure or "")
        await store.create(KEY + "late", configmap("late"))  # the cache catches up
        await until(lambda: cache.current)
    finally:
        await cache.stop()


async def test_a_watcher_that_stops_reading_is_dropped_past_the_window_bytes(
        store: FaultyStore) -> None:
    cache = WatchCache(store, window_bytes=20_000)  # type: ignore[arg-type]
    await cache.start()
    try:
        stuck, _ = cache.watch(KEY, None)
        rev = (await store.create(KEY + "big", configmap("big", 1000))).mod_revision
        for _ in range(60):  # ~60 KB of changes, never read
            rev = (await store.update(KEY + "big", configmap("big", 1000), rev)).mod_revision
        await until(lambda: cache.rev == rev)
        assert stuck.closed and stuck.queue.bytes <= 20_000 + 2_000
        assert cache.watcher_count == 0
    finally:
        await cache.stop()
