"""The Store contract (tugboat/store/interface.py), run against every implementation in
conftest.BACKENDS: preconditions, revisions, lists, compaction, concurrent writers and
persistence. Watches have their own suite (test_store_watch_contract.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tugboat.store import (
    Compacted,
    Conflict,
    KeyExists,
    KeyNotFound,
    KeyValue,
    Store,
)

from .conftest import Backend

pytestmark = pytest.mark.anyio


def keys(kvs: list[KeyValue]) -> list[str]:
    return [kv.key for kv in kvs]


# Single-key operations


async def test_create_then_get(store: Store) -> None:
    created = await store.create("/pods/a", b"one")
    assert created.key == "/pods/a" and created.value == b"one"
    assert created.create_revision == created.mod_revision > 0
    assert await store.get("/pods/a") == created
    assert await store.current_revision() == created.mod_revision


async def test_create_of_a_live_key_raises_key_exists(store: Store) -> None:
    await store.create("/pods/a", b"one")
    with pytest.raises(KeyExists) as raised:
        await store.create("/pods/a", b"two")
    assert raised.value.key == "/pods/a"
    assert (await store.get("/pods/a")).value == b"one"


async def test_update_with_the_expected_revision(store: Store) -> None:
    created = await store.create("/pods/a", b"one")
    updated = await store.update("/pods/a", b"two", created.mod_revision)
    assert updated.value == b"two"
    assert updated.mod_revision > created.mod_revision
    assert updated.create_revision == created.create_revision
    assert await store.get("/pods/a") == updated


async def test_update_with_a_stale_revision_conflicts(store: Store) -> None:
    created = await store.create("/pods/a", b"one")
    updated = await store.update("/pods/a", b"two", created.mod_revision)
    with pytest.raises(Conflict) as raised:
        await store.update("/pods/a", b"lost", created.mod_revision)
    assert (raised.value.expected, raised.value.actual) == (created.mod_revision,
                                                             updated.mod_revision)
    assert await store.get("/pods/a") == updated


async def test_update_with_revision_zero_is_unconditional(store: Store) -> None:
    await store.create("/pods/a", b"one")
    await store.update("/pods/a", b"two", 0)
    updated = await store.update("/pods/a", b"three", 0)
    assert (await store.get("/pods/a")) == updated and updated.value == b"three"


@pytest.mark.parametrize("operation", ["get", "update", "delete"])
async def test_an_absent_key_raises_key_not_found(store: Store, operation: str) -> None:
    calls = {"get": lambda: store.get("/pods/x"),
             "update": lambda: store.update("/pods/x", b"v", 0),
             "delete": lambda: store.delete("/pods/x")}
    with pytest.raises(KeyNotFound) as raised:
        await calls[operation]()
    assert raised.value.key == "/pods/x"


async def test_delete_returns_the_last_value_at_a_new_revision(store: Store) -> None:
    created = await store.create("/pods/a", b"one")
    updated = await store.update("/pods/a", b"two", 0)
    deleted = await store.delete("/pods/a", updated.mod_revision)
    assert deleted.value == b"two" and deleted.create_revision == created.create_revision
    assert deleted.mod_revision > updated.mod_revision
    assert await store.current_revision() == deleted.mod_revision
    with pytest.raises(KeyNotFound):
        await store.get("/pods/a")
    with pytest.raises(KeyNotFound):
        await store.update("/pods/a", b"three", 0)


async def test_delete_with_a_stale_revision_conflicts(store: Store) -> None:
    created = await store.create("/pods/a", b"one")
    await store.update("/pods/a", b"two", 0)
    with pytest.raises(Conflict):
        await store.delete("/pods/a", created.mod_revision)
    assert (await store.get("/pods/a")).value == b"two"


async def test_a_deleted_key_can_be_created_again(store: Store) -> None:
    await store.create("/pods/a", b"one")
    await store.delete("/pods/a")
    again = await store.create("/pods/a", b"two")
    assert again.create_revision == again.mod_revision
    assert await store.get("/pods/a") == again


async def test_revisions_strictly_increase(store: Store) -> None:
    a = await store.create("/pods/a", b"1")
    b = await store.create("/pods/b", b"1")
    a2 = await store.update("/pods/a", b"2", a.mod_revision)
    b2 = await store.delete("/pods/b")
    c = await store.create("/pods/c", b"1")
    revisions = [kv.mod_revision for kv in (a, b, a2, b2, c)]
    assert revisions == sorted(set(revisions))
    assert await store.current_revision() == c.mod_revision


# Lists


async def test_list_is_sorted_and_stays_under_its_prefix(store: Store) -> None:
    for key in ["/a/b/z", "/a/bc/x", "/a/b/m", "/a/a/y", "/a/b/a", "/a/b"]:
        await store.create(key, key.encode())
    listed, revision = await store.list("/a/b/")
    assert keys(listed) == ["/a/b/a", "/a/b/m", "/a/b/z"]
    assert [kv.value for kv in listed] == [b"/a/b/a", b"/a/b/m", b"/a/b/z"]
    assert revision == await store.current_revision()
    everything, _ = await store.list("")
    assert keys(everything) == sorted(["/a/b/z", "/a/bc/x", "/a/b/m", "/a/a/y", "/a/b/a",
                                       "/a/b"])


async def test_list_skips_deleted_keys(store: Store) -> None:
    await store.create("/p/a", b"1")
    await store.create("/p/b", b"1")
    await store.delete("/p/a")
    assert keys((await store.list("/p/"))[0]) == ["/p/b"]


async def test_list_at_an_older_revision(store: Store) -> None:
    a = await store.create("/p/a", b"a1")
    b = await store.create("/p/b", b"b1")
    then = b.mod_revision
    await store.update("/p/a", b"a2", a.mod_revision)
    await store.delete("/p/b")
    await store.create("/p/c", b"c1")
    old, revision = await store.list("/p/", then)
    assert revision == then
    assert old == [a, b]
    now, _ = await store.list("/p/")
    assert [(kv.key, kv.value) for kv in now] == [("/p/a", b"a2"), ("/p/c", b"c1")]


# Compaction


async def test_list_before_the_compacted_revision_raises(store: Store) -> None:
    first = await store.create("/p/a", b"1")
    for value in [b"2", b"3", b"4"]:
        await store.update("/p/a", value, 0)
    target = await store.current_revision() - 1
    await store.compact(target)
    assert await store.compacted_revision() == target
    with pytest.raises(Compacted) as raised:
        await store.list("/p/", first.mod_revision)
    assert (raised.value.requested, raised.value.compacted) == (first.mod_revision, target)
    await store.list("/p/", target)  # the compacted revision itself is still readable


async def test_current_values_survive_compaction(store: Store) -> None:
    a = await store.create("/p/a", b"a1")
    a = await store.update("/p/a", b"a2", a.mod_revision)
    b = await store.create("/p/b", b"b1")
    gone = await store.create("/p/gone", b"x")
    await store.delete("/p/gone", gone.mod_revision)
    c = await store.create("/p/c", b"c1")
    c = await store.update("/p/c", b"c2", c.mod_revision)
    current = await store.current_revision()
    await store.compact(current)
    assert (await store.list("/p/"))[0] == [a, b, c]
    assert await store.get("/p/a") == a
    with pytest.raises(KeyNotFound):
        await store.get("/p/gone")
    assert await store.current_revision() == current
    after = await store.create("/p/d", b"d1")
    assert after.mod_revision > current
    assert (await store.update("/p/a", b"a3", a.mod_revision)).value == b"a3"


# Concurrency and group commit


async def test_concurrent_creates_all_succeed_with_distinct_revisions(store: Store) -> None:
    created = await asyncio.gather(*(store.create(f"/c/{i}", b"v") for i in range(200)))
    revisions = [kv.mod_revision for kv in created]
    assert len(set(revisions)) == 200
    assert keys((await store.list("/c/"))[0]) == sorted(f"/c/{i}" for i in range(200))
    assert await store.current_revision() == max(revisions)


async def test_a_failed_op_fails_alone(store: Store) -> None:
    taken = await store.create("/c/taken", b"old")
    stale = await store.create("/c/stale", b"old")
    await store.update("/c/stale", b"newer", 0)
    ops = [store.create(f"/c/{i}", b"v") for i in range(20)]
    ops.insert(7, store.create("/c/taken", b"new"))
    ops.insert(13, store.update("/c/stale", b"lost", stale.mod_revision))
    results = await asyncio.gather(*ops, return_exceptions=True)
    assert isinstance(results.pop(13), Conflict)
    assert isinstance(results.pop(7), KeyExists)
    assert all(isinstance(r, KeyValue) for r in results)
    assert len({r.mod_revision for r in results}) == 20
    assert await store.get("/c/taken") == taken
    assert (await store.get("/c/stale")).value == b"newer"


async def test_ops_on_one_key_apply_in_submission_order(store: Store) -> None:
    create, update, delete = await asyncio.gather(
        store.create("/c/k", b"1"), store.update("/c/k", b"2", 0), store.delete("/c/k"))
    assert create.mod_revision < update.mod_revision < delete.mod_revision
    assert delete.value == b"2"


# Persistence


async def test_reopening_finds_everything(store: Store, backend: Backend,
                                          tmp_path: Path) -> None:
    a = await store.create("/p/a", b"a1")
    a = await store.update("/p/a", b"a2", a.mod_revision)
    b = await store.create("/p/b", b"b1")
    await store.delete("/p/b", b.mod_revision)
    c = await store.create("/p/c", b"c1")
    await store.compact(a.mod_revision)
    current = await store.current_revision()
    await store.close()

    reopened = backend.build(tmp_path)
    await reopened.start()
    try:
        assert (await reopened.list("/p/"))[0] == [a, c]
        assert await reopened.current_revision() == current
        assert await reopened.compacted_revision() == a.mod_revision
        assert (await reopened.create("/p/d", b"")).mod_revision == current + 1
    finally:
        await reopened.close()


async def test_close_commits_the_writes_already_submitted(store: Store, backend: Backend,
                                                          tmp_path: Path) -> None:
    creates = [store.create(f"/p/{i}", b"v") for i in range(50)]
    *created, _ = await asyncio.gather(*creates, store.close())
    reopened = backend.build(tmp_path)
    await reopened.start()
    try:
        assert (await reopened.list("/p/"))[0] == sorted(created, key=lambda kv: kv.key)
    finally:
        await reopened.close()
