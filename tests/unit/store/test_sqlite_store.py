"""What only the SQLite store promises beyond the contract: acknowledged writes survive
kill -9, concurrent writes share transactions, an acknowledged write is already queued
for every watcher, history is read and compacted in bounded pieces, and the URL names a
file."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from tugboat.store import Compacted, StoreError, sqlite
from tugboat.store.sqlite import SQLiteStore
from tugboat.store.sqlite_queries import prefix_end

from .conftest import sqlite_url

pytestmark = pytest.mark.anyio
REPO = Path(__file__).resolve().parents[3]

WRITER = """
import asyncio, sys
from tugboat.store.sqlite import SQLiteStore

async def writer(store, n):
    for i in range(10**9):
        kv = await store.create(f"/d/{n}/{i}", b"v" * 200)
        print(kv.key, kv.mod_revision, flush=True)  # printed only once acknowledged

async def main():
    store = SQLiteStore(sys.argv[1])
    await store.start()
    await asyncio.gather(*(writer(store, n) for n in range(16)))

asyncio.run(main())
"""


def acked_by_killed_writer(url: str, kill_after: int) -> dict[str, int]:
    """Run WRITER, SIGKILL it once `kill_after` writes are acknowledged, and return every
    acknowledged key with its revision (including those still in the pipe)."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(kill_after)]
    proc.send_signal(signal.SIGKILL)
    # Read the rest through the same text wrapper: communicate(timeout=...) reads the raw
    # pipe and would skip what readline() had already buffered, starting mid-line.
    lines += proc.stdout.readlines()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    complete = [line.split() for line in lines if line.endswith("\n")]
    return {key: int(revision) for key, revision in complete}


async def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    acked = await anyio.to_thread.run_sync(acked_by_killed_writer, url, 2000)
    assert len(acked) >= 2000
    store = SQLiteStore(url)
    await store.start()
    try:
        found = {kv.key: kv.mod_revision for kv in (await store.list("/d/"))[0]}
    finally:
        await store.close()
    missing = {key: rev for key, rev in acked.items() if found.get(key) != rev}
    assert not missing


async def test_concurrent_writes_share_transactions(sqlite_store: SQLiteStore) -> None:
    await asyncio.gather(*(sqlite_store.create(f"/c/{i}", b"") for i in range(200)))
    stats = sqlite_store.commit_stats
    assert stats.ops == 200
    assert stats.batches <= 100  # a commit per write would be 200


async def test_an_acknowledged_write_is_already_queued_for_watchers(
        sqlite_store: SQLiteStore) -> None:
    watch = sqlite_store.watch("/w/", 0)
    marker = await sqlite_store.create("/w/marker", b"")
    with anyio.fail_after(10):
        assert (await anext(watch)).kv == marker  # history read: the watch is now live
    written = await sqlite_store.create("/w/a", b"")
    # Step the watch's coroutine by hand: it must finish without waiting for anything.
    step = anext(watch).__await__()
    with pytest.raises(StopIteration) as finished:
        step.send(None)
    assert finished.value.value.kv == written


async def test_leaving_a_watch_loop_unsubscribes(sqlite_store: SQLiteStore) -> None:
    await sqlite_store.create("/w/a", b"")
    async for _ in sqlite_store.watch("/w/", 0):
        assert sqlite_store.watchers == 1
        break
    assert sqlite_store.watchers == 0
    watch = sqlite_store.watch("/w/", 0)
    await watch.aclose()
    assert sqlite_store.watchers == 0


async def test_history_longer_than_a_page(sqlite_store: SQLiteStore,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "HISTORY_PAGE", 7)
    written = [await sqlite_store.create(f"/w/{i:02}", b"") for i in range(30)]
    watch = sqlite_store.watch("/w/", 0)
    written.append(await sqlite_store.create("/w/live", b""))
    with anyio.fail_after(10):
        assert [(await anext(watch)).kv for _ in written] == written


async def test_compaction_between_history_pages_ends_the_watch(
        sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "HISTORY_PAGE", 5)
    for i in range(20):
        await sqlite_store.create(f"/w/{i:02}", b"")
    watch = sqlite_store.watch("/w/", 0)
    with anyio.fail_after(10):
        first_page = [await anext(watch) for _ in range(5)]
        await sqlite_store.compact(15)
        with pytest.raises(Compacted):  # the rest of the history may be gone: no gap
            await anext(watch)
    assert first_page[-1].kv.mod_revision == 5
    assert sqlite_store.watchers == 0


def kv_rows(store: SQLiteStore) -> list[tuple[int, str, int]]:
    with sqlite3.connect(store.path) as db:
        return db.execute("SELECT id, name, deleted FROM kv ORDER BY id").fetchall()


async def test_compaction_drops_superseded_rows_a_window_at_a_time(
        sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "COMPACT_WINDOW", 3)
    kv = await sqlite_store.create("/p/a", b"0")
    for i in range(1, 10):
        kv = await sqlite_store.update("/p/a", str(i).encode(), kv.mod_revision)  # revs 2-10
    gone = await sqlite_store.create("/p/gone", b"")  # 11
    await sqlite_store.delete("/p/gone", gone.mod_revision)  # 12
    keep = await sqlite_store.create("/p/keep", b"")  # 13
    await sqlite_store.update("/p/a", b"late", kv.mod_revision)  # 14, after the target
    await sqlite_store.compact(13)
    assert kv_rows(sqlite_store) == [(10, "/p/a", 0), (13, "/p/keep", 0), (14, "/p/a", 0)]
    assert await sqlite_store.compacted_revision() == 13
    assert (await sqlite_store.list("/p/", 13))[0] == [kv, keep]


async def test_compacting_the_future_is_refused(sqlite_store: SQLiteStore) -> None:
    await sqlite_store.create("/p/a", b"")
    with pytest.raises(ValueError):
        await sqlite_store.compact(2)


async def test_a_closed_store_refuses_work(sqlite_store: SQLiteStore) -> None:
    await sqlite_store.close()
    with pytest.raises(StoreError):
        await sqlite_store.create("/p/a", b"")
    with pytest.raises(StoreError):
        await sqlite_store.get("/p/a")


async def test_the_database_is_a_wal_file_in_a_new_folder(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/deep/er/state.db")
    await store.start()
    await store.create("/p/a", b"")
    await store.close()
    with sqlite3.connect(tmp_path / "deep/er/state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:",
                                 "postgresql://localhost/tugboat"])
def test_only_a_sqlite_file_is_accepted(url: str) -> None:
    with pytest.raises(ValueError):
        SQLiteStore(url)


@pytest.mark.parametrize(("prefix", "end"), [
    ("/a/b/", "/a/b0"),
    ("/a/b", "/a/c"),
    ("", None),
    ("/a\U0010ffff", "/b"),
    ("\U0010ffff", None),
    ("/\ud7ff", "/\ue000"),
])
def test_prefix_end_bounds_exactly_the_keys_under_a_prefix(prefix: str,
                                                           end: str | None) -> None:
    assert prefix_end(prefix) == end
