"""Faults an unlucky operator meets: a corrupt, damaged or empty database (one line, exit
code 1, never an empty cluster by surprise), a disk that fills up (writes other than
deletes refused above a reserve, /readyz says so, all well again once there is room), a
watch cache that fails (503 and a failing /readyz meanwhile, a committed write still
acknowledged, then recovery), and a large object updated often (memory stays bounded)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.kube import assert_status, configmap
from tests.support.faultystore import FaultyStore
from tests.support.processes import ApiServerProcess, free_port, wait_until
from tugboat.apiserver.app import build_app
from tugboat.store import open_store


def expect(resp: httpx.Response, code: int) -> None:
    assert resp.status_code == code, (resp.status_code, resp.text[:500])


def refused_start(db: Path, *flags: str) -> str:
    """Start a server on `db` that must refuse: its one line of output."""
    done = subprocess.run([sys.executable, "-m", "tugboat.apiserver", "--port", str(free_port()),
                           "--store", f"sqlite:///{db}", *flags],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def stored_database(folder: Path) -> Path:
    """A real database with some objects in it, the server stopped."""
    server = ApiServerProcess(folder)
    server.start()
    with httpx.Client(base_url=server.url) as c:
        for i in range(200):
            assert c.post("/api/v1/namespaces/default/configmaps",
                          json=configmap(f"cm-{i}", v="x" * 2000)).status_code == 201
    server.stop()
    return server.db


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(os.urandom(64 * 1024))
    line = refused_start(db)
    assert str(db) in line and "cannot be used as a database" in line


def test_a_damaged_database_is_refused(tmp_path: Path) -> None:
    db = stored_database(tmp_path)
    with open(db, "r+b") as f:  # scribble over pages in the middle, header intact
        f.seek(db.stat().st_size // 2)
        f.write(os.urandom(16 * 4096))
    line = refused_start(db)
    assert str(db) in line and ("damaged" in line or "cannot be used" in line)


def test_an_empty_database_is_refused_unless_allowed(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.touch()
    line = refused_start(db)
    assert "is empty (0 bytes)" in line and "--allow-empty-store" in line
    server = ApiServerProcess(tmp_path, extra=["--allow-empty-store"])
    server.start()  # ready: the empty database became a cluster, as asked
    server.stop()
    server = ApiServerProcess(tmp_path)  # now it has its marker: no flag needed
    server.start()
    server.stop()


def test_a_database_without_the_marker_or_data_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE other (x)")
        conn.commit()
    assert "is not a Tugboat store" in refused_start(db)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 32 MiB tmpfs, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)]).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)])


def fill(path: Path, leave: int) -> None:
    """Grow `path` until `leave` bytes are free on its disk (0: until the disk is full)."""
    st = os.statvfs(path.parent)
    want = st.f_bavail * st.f_frsize - leave
    with open(path, "ab") as f:
        with contextlib.suppress(OSError):  # ENOSPC: full, as asked
            while want > 0:
                want -= f.write(b"\0" * min(want, 1 << 20))
                f.flush()


def test_a_full_disk_refuses_writes_but_deletes_and_recovers(tmp_path: Path,
                                                              small_disk: Path) -> None:
    server = ApiServerProcess(tmp_path, extra=["--store", f"sqlite:///{small_disk}/state.db",
                                               "--storage-reserve", "8Mi"])
    server.start()
    filler = small_disk / "filler"
    try:
        with httpx.Client(base_url=server.url, timeout=15) as c:
            cms = "/api/v1/namespaces/default/configmaps"
            for name in ("keep", "drop-1", "drop-2"):
                expect(c.post(cms, json=configmap(name)), 201)
            fill(filler, 4 << 20)
            wait_until(lambda: c.get("/readyz").status_code == 503, 10, "/readyz to fail")
            r = c.get("/readyz")
            assert "[-]disk-space failed: reason withheld" in r.text.splitlines()
            assert r.text.endswith("readyz check failed")
            assert "below the reserve of 8.0Mi" in c.get("/readyz/disk-space").text
            refused = assert_status(c.post(cms, json=configmap("new")), 507,
                                    "InsufficientStorage")
            assert "out of disk space" in refused["message"]
            expect(c.delete(f"{cms}/drop-1"), 200)  # deletes still free space
            assert c.get("/livez").status_code == 200  # a restart would not help

            fill(filler, 0)  # not a byte left: a write fails honestly, nothing crashes
            r = c.delete(f"{cms}/drop-2")
            assert r.status_code == 200 or (r.status_code >= 500 and
                                            r.json()["kind"] == "Status"), r.text

            filler.unlink()
            wait_until(lambda: c.get("/readyz").status_code == 200, 15, "/readyz to recover")
            expect(c.post(cms, json=configmap("new")), 201)
            assert c.get(f"{cms}/keep").status_code == 200
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def faulty_server(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, FaultyStore]]:
    inner = open_store(f"sqlite:///{tmp_path}/state.db")
    store = FaultyStore(inner)
    app = build_app(store, storage=inner)  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://tugboat") as c:
            yield c, store


async def until_status(c: httpx.AsyncClient, path: str, code: int) -> httpx.Response:
    async with asyncio.timeout(20):
        while (r := await c.get(path)).status_code != code:
            await asyncio.sleep(0.05)
    return r


@pytest.mark.anyio
async def test_a_failed_watch_cache_answers_503_then_recovers(tmp_path: Path) -> None:
    async with faulty_server(tmp_path) as (c, store):
        cms = "/api/v1/namespaces/default/configmaps"
        assert (await c.get("/readyz")).status_code == 200
        store.watch_broken = True
        # The write commits, the cache breaks on its event: the writer still hears 201.
        created = await c.post(cms, json=configmap("during"))
        assert created.status_code == 201, created.text
        r = await until_status(c, "/readyz", 503)
        assert "[-]watch-cache failed: reason withheld" in r.text.splitlines()
        assert "injected" in (await c.get("/readyz/watch-cache")).text
        listed = await c.get(cms)
        body = assert_status(listed, 503, "ServiceUnavailable")  # not an empty list
        assert listed.headers["Retry-After"] == "1"
        assert body["details"]["retryAfterSeconds"] == 1
        assert (await c.get("/livez")).status_code == 200  # not yet: it may recover

        store.watch_broken = False
        await until_status(c, "/readyz", 200)
        got = await c.get(f"{cms}/during")
        assert got.status_code == 200
        assert got.json()["metadata"]["resourceVersion"] == \
            created.json()["metadata"]["resourceVersion"]


@pytest.mark.anyio
async def test_a_failed_relist_keeps_serving_the_old_state_after_recovery(
        tmp_path: Path) -> None:
    async with faulty_server(tmp_path) as (c, store):
        cms = "/api/v1/namespaces/default/configmaps"
        assert (await c.post(cms, json=configmap("before"))).status_code == 201
        from tugboat.store import Compacted

        store.list_faults.append(MemoryError())  # the relist runs out of memory once
        store.watch_faults.append(Compacted(1, 2))
        store.watch_broken = True  # end the running watch: the next one is compacted
        await c.post(cms, json=configmap("trigger"))
        store.watch_broken = False
        await until_status(c, "/readyz", 200)
        names = [o["metadata"]["name"] for o in (await c.get(cms)).json()["items"]]
        assert names == ["before", "trigger"]
        assert not store.list_faults and not store.watch_faults


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_a_large_object_updated_often_keeps_memory_bounded(tmp_path: Path) -> None:
    """A 900 KiB ConfigMap updated 300 times: ~270 MB of changes, of which the watch cache
    keeps --watch-cache-bytes' worth."""
    server = ApiServerProcess(tmp_path, extra=["--watch-cache-bytes", "8Mi"])
    server.start()
    try:
        assert server.proc is not None
        with httpx.Client(base_url=server.url, timeout=30) as c:
            cms = "/api/v1/namespaces/default/configmaps"
            expect(c.post(cms, json=configmap("big", v="0")), 201)
            before = rss(server.proc.pid)
            for i in range(300):
                body = configmap("big", v=str(i) * (900 * 1024 // len(str(i))))
                expect(c.put(f"{cms}/big", json=body), 200)
            grown = rss(server.proc.pid) - before
            assert grown < 120 * 1024 * 1024, f"RSS grew by {grown >> 20} MiB"
            # A watch from the first revision was dropped: 410 Expired, as Kubernetes.
            w = c.get(cms, params={"watch": "1", "resourceVersion": "2",
                                   "timeoutSeconds": "1"})
            assert '"code":410' in w.text.replace(" ", "")
    finally:
        server.stop()
