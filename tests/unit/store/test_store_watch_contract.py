"""The Store contract for watches, run against every implementation in conftest.BACKENDS:
history then live events, prefixes, compaction, and — the hard part — no event lost or
repeated while writers race a watch's switch from history to live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anyio
import pytest

from tugboat.store import Compacted, Event, KeyExists, Store

pytestmark = pytest.mark.anyio
WAIT = 10  # seconds: a generous bound on waiting for events, never a sleep


async def take(watch: AsyncIterator[Event], count: int) -> list[Event]:
    with anyio.fail_after(WAIT):
        return [await anext(watch) for _ in range(count)]


async def take_through(watch: AsyncIterator[Event], revision: int) -> list[Event]:
    """Events until the one at `revision` (inclusive)."""
    events: list[Event] = []
    with anyio.fail_after(WAIT):
        while not events or events[-1].kv.mod_revision < revision:
            events.append(await anext(watch))
    return events


async def test_watch_replays_history_then_follows_live_changes(store: Store) -> None:
    start = await store.current_revision()
    a = await store.create("/w/a", b"1")
    a2 = await store.update("/w/a", b"2", a.mod_revision)
    watch = store.watch("/w/", start)
    replayed = await take(watch, 2)
    assert [(e.type, e.kv, e.prev, e.created) for e in replayed] == [
        ("PUT", a, None, True), ("PUT", a2, a, False)]
    deleted = await store.delete("/w/a")
    b = await store.create("/w/b", b"1")
    live = await take(watch, 2)
    assert [(e.type, e.kv, e.prev, e.created) for e in live] == [
        ("DELETE", deleted, a2, False), ("PUT", b, None, True)]


async def test_watch_replays_deletions_with_their_last_value(store: Store) -> None:
    start = await store.current_revision()
    a = await store.create("/w/a", b"1")
    deleted = await store.delete("/w/a")
    events = await take(store.watch("/w/", start), 2)
    assert (events[1].type, events[1].kv, events[1].prev) == ("DELETE", deleted, a)
    assert deleted.value == b"1"


async def test_watch_filters_by_prefix(store: Store) -> None:
    start = await store.current_revision()
    await store.create("/w/b/1", b"")
    await store.create("/w/bc/1", b"")
    watch = store.watch("/w/b/", start)
    await store.create("/w/bc/2", b"")
    last = await store.create("/w/b/2", b"")
    events = await take_through(watch, last.mod_revision)
    assert [e.kv.key for e in events] == ["/w/b/1", "/w/b/2"]


async def test_watch_from_zero_replays_all_history(store: Store) -> None:
    a = await store.create("/w/a", b"")
    watch = store.watch("/w/", 0)
    b = await store.create("/w/b", b"")
    assert [e.kv for e in await take(watch, 2)] == [a, b]
    await store.compact(b.mod_revision)
    with pytest.raises(Compacted):
        await take(store.watch("/w/", 0), 1)


async def follow(store: Store, prefix: str, start: int, last_key: str) -> list[int]:
    """The revisions a watch delivers, up to the event for `last_key`."""
    revisions = []
    async for event in store.watch(prefix, start):
        if event.kv.key == last_key:
            return revisions
        revisions.append(event.kv.mod_revision)
    raise AssertionError("the watch ended early")


async def test_watch_has_no_gap_or_duplicate_under_concurrent_writes(store: Store) -> None:
    """Watches start while writers are mid-stream, so each one switches from history to
    live events under load; each must see exactly the revisions after its start."""
    expected: list[int] = []
    for i in range(30):  # some history to replay
        expected.append((await store.create(f"/w/pre{i}", b"")).mod_revision)
    followers: dict[int, asyncio.Task[list[int]]] = {}

    def start_watch() -> None:
        start = expected[len(expected) // 2]
        followers[start] = asyncio.create_task(follow(store, "/w/", start, "/w/done"))

    async def writer(n: int) -> None:
        for i in range(40):
            key = f"/w/{n}/{i % 5}"
            try:
                kv = await store.create(key, b"c")
            except KeyExists:
                kv = await (store.delete(key) if i % 3 else store.update(key, b"u", 0))
            expected.append(kv.mod_revision)
            await store.create(f"/other/{n}/{i}", b"")  # outside the watched prefix
            if n == 0 and i % 4 == 1:
                start_watch()

    await asyncio.gather(*(writer(n) for n in range(8)))
    await store.create("/w/done", b"")
    with anyio.fail_after(WAIT):
        delivered = {start: await task for start, task in followers.items()}
    assert len(delivered) >= 5
    for start, revisions in delivered.items():
        assert revisions == sorted(r for r in expected if r > start)


async def test_closing_a_watch_ends_it(store: Store) -> None:
    watch = store.watch("/w/", await store.current_revision())
    await store.create("/w/a", b"")
    await take(watch, 1)
    await watch.aclose()  # type: ignore[attr-defined]
    with pytest.raises(StopAsyncIteration):
        await anext(watch)


async def test_closing_the_store_ends_its_watches(store: Store) -> None:
    watch = store.watch("/w/", 0)
    await store.create("/w/a", b"")
    await take(watch, 1)  # past the history: the watch now waits for live events
    await store.close()
    with anyio.fail_after(WAIT), pytest.raises(StopAsyncIteration):
        await anext(watch)


async def test_watch_before_the_compacted_revision_raises(store: Store) -> None:
    first = await store.create("/w/a", b"1")
    await store.update("/w/a", b"2", 0)
    await store.compact(await store.current_revision())
    with pytest.raises(Compacted):
        await take(store.watch("/w/", first.mod_revision), 1)


async def test_watch_from_the_compacted_revision_sees_later_events(store: Store) -> None:
    await store.create("/p/a", b"1")
    target = (await store.update("/p/a", b"2", 0)).mod_revision
    later = await store.update("/p/a", b"3", 0)
    await store.compact(target)
    watch = store.watch("/p/", target)
    assert [e.kv for e in await take(watch, 1)] == [later]
