"""The SQLite store's file: made 0600 with a marker, an empty or unmarked one refused
unless allowed, one from before the marker (with data) adopted, and the readiness probe
commits without adding a revision."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
from pathlib import Path

import pytest

from tugboat.store.sqlite import SQLiteStore
from tugboat.store.sqlite_schema import MARKER, UnusableDatabase

from .conftest import sqlite_url

pytestmark = pytest.mark.anyio


def modes(db: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in db.parent.glob(db.name + "*")}


async def test_a_new_database_is_private_and_marked(tmp_path: Path) -> None:
    store = SQLiteStore(sqlite_url(tmp_path))
    await store.start()
    await store.create("/a", b"1")
    assert set(modes(store.path).values()) == {0o600} and len(modes(store.path)) == 3
    await store.close()
    with contextlib.closing(sqlite3.connect(store.path)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = ?", (MARKER,)).fetchone()


async def test_the_probe_commits_without_a_revision(sqlite_store: SQLiteStore) -> None:
    await sqlite_store.create("/a", b"1")
    before = await sqlite_store.current_revision()
    await sqlite_store.probe()
    assert await sqlite_store.current_revision() == before
    assert sqlite_store.data_dir == sqlite_store.path.parent


def test_an_empty_file_is_refused_unless_allowed(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    path = SQLiteStore(url).path
    path.parent.mkdir(parents=True)
    path.touch(mode=0o644)
    with pytest.raises(UnusableDatabase, match="is empty"):
        SQLiteStore(url).prepare()
    SQLiteStore(url, allow_empty=True).prepare()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    SQLiteStore(url).prepare()  # marked now


def test_a_database_from_before_the_marker_is_adopted(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = SQLiteStore(url)
    store.prepare()
    with contextlib.closing(sqlite3.connect(store.path)) as conn:
        conn.execute("INSERT INTO kv (name, created, deleted, create_revision, prev_revision,"
                     " value) VALUES ('/a', 1, 0, 1, 0, x'31')")
        conn.execute("DELETE FROM meta WHERE name = ?", (MARKER,))
        conn.commit()
    SQLiteStore(url).prepare()  # has data: a Tugboat store from before the marker


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    path = SQLiteStore(url).path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 1000)
    with pytest.raises(UnusableDatabase) as e:
        SQLiteStore(url).prepare()
    assert "\n" not in str(e.value) and "cannot be used as a database" in str(e.value)
