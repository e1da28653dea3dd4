"""EncryptingStore over the real SQLite store: configured resources are ciphertext
underneath and plaintext through every read (get, list, watch, delete), other resources
pass untouched, and an undecryptable value is never handed on as an object."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tugboat.apiserver.encryption import (
    DecryptionError,
    EncryptingStore,
    parse_encryption_config,
)
from tugboat.store import KeyNotFound
from tugboat.store.sqlite import SQLiteStore

pytestmark = pytest.mark.anyio

SECRET_KEY = "/registry/core/secrets/default/db"
POD_KEY = "/registry/core/pods/default/web"
SECRET = b'{"metadata":{"name":"db"},"data":{"password":"aHVudGVyMg=="}}'
POD = b'{"metadata":{"name":"web"}}'


def config(*providers: dict):
    return parse_encryption_config({
        "apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
        "resources": [{"resources": ["secrets"], "providers": list(providers)}]})


def secretbox(name: str, fill: bytes) -> dict:
    return {"secretbox": {"keys": [{"name": name,
                                    "secret": base64.b64encode(fill * 32).decode()}]}}


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    inner = SQLiteStore(f"sqlite:///{tmp_path}/state.db")
    await inner.start()
    yield inner
    await inner.close()


async def test_writes_are_ciphertext_underneath_and_plaintext_through_reads(
        sqlite: SQLiteStore) -> None:
    store = EncryptingStore(sqlite, config(secretbox("k1", b"a")))
    created = await store.create(SECRET_KEY, SECRET)
    assert created.value == SECRET
    await store.create(POD_KEY, POD)
    raw = await sqlite.get(SECRET_KEY)
    assert raw.value.startswith(b"k8s:enc:secretbox:v1:k1:") and b"aHVudGVyMg" not in raw.value
    assert (await sqlite.get(POD_KEY)).value == POD  # not configured: stored as is
    assert await store.get(SECRET_KEY) == created
    kvs, _ = await store.list("/registry/")
    assert [kv.value for kv in kvs] == [POD, SECRET]
    updated = await store.update(SECRET_KEY, SECRET + b" ", created.mod_revision)
    assert (await store.get(SECRET_KEY)).value == SECRET + b" "
    assert updated.mod_revision > created.mod_revision
    deleted = await store.delete(SECRET_KEY)
    assert deleted.value == SECRET + b" "


async def test_watch_decrypts_values_and_previous_values(sqlite: SQLiteStore) -> None:
    store = EncryptingStore(sqlite, config(secretbox("k1", b"a")))
    start = await store.current_revision()
    created = await store.create(SECRET_KEY, SECRET)
    await store.update(SECRET_KEY, b'{"v":2}', created.mod_revision)
    await store.delete(SECRET_KEY)
    seen = []
    events = store.watch("/registry/", start)
    async with asyncio.timeout(5):
        async for ev in events:
            seen.append((ev.type, ev.kv.value, ev.prev.value if ev.prev else None))
            if len(seen) == 3:
                break
    await events.aclose()
    assert seen == [("PUT", SECRET, None), ("PUT", b'{"v":2}', SECRET),
                    ("DELETE", b'{"v":2}', b'{"v":2}')]


async def test_after_rotation_and_after_decryption_old_values_still_read(
        sqlite: SQLiteStore) -> None:
    await EncryptingStore(sqlite, config(secretbox("k1", b"a"))).create(SECRET_KEY, SECRET)
    rotated = EncryptingStore(sqlite, config(secretbox("k2", b"b"), secretbox("k1", b"a")))
    assert (await rotated.get(SECRET_KEY)).value == SECRET
    kv = await rotated.update(SECRET_KEY, SECRET, 0)
    assert (await sqlite.get(SECRET_KEY)).value.startswith(b"k8s:enc:secretbox:v1:k2:")
    plain = EncryptingStore(sqlite, config({"identity": {}}, secretbox("k2", b"b")))
    assert (await plain.get(SECRET_KEY)).value == SECRET
    await plain.update(SECRET_KEY, SECRET, kv.mod_revision)
    assert (await sqlite.get(SECRET_KEY)).value == SECRET


async def test_an_unreadable_value_fails_its_get_and_is_left_out_of_lists(
        sqlite: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    await EncryptingStore(sqlite, config(secretbox("k1", b"a"))).create(SECRET_KEY, SECRET)
    await sqlite.create(POD_KEY, POD)
    lost = EncryptingStore(sqlite, config(secretbox("k2", b"b")))
    with pytest.raises(DecryptionError, match="no matching prefix found"):
        await lost.get(SECRET_KEY)
    kvs, _ = await lost.list("/registry/")
    assert [kv.key for kv in kvs] == [POD_KEY]
    assert SECRET_KEY in caplog.text and "no matching prefix found" in caplog.text
    with pytest.raises(KeyNotFound):
        await lost.get("/registry/core/secrets/default/absent")


async def test_rewrite_stale_moves_every_value_to_the_key_that_writes_now(
        sqlite: SQLiteStore) -> None:
    await EncryptingStore(sqlite, config({"identity": {}})).create(SECRET_KEY, SECRET)
    other = "/registry/core/secrets/kube-system/token"
    await EncryptingStore(sqlite, config(secretbox("k1", b"a"))).create(other, SECRET)
    await sqlite.create(POD_KEY, POD)
    rotated = EncryptingStore(sqlite, config(secretbox("k2", b"b"), secretbox("k1", b"a"),
                                             {"identity": {}}))
    assert await rotated.rewrite_stale() == 2
    for key in (SECRET_KEY, other):
        assert (await sqlite.get(key)).value.startswith(b"k8s:enc:secretbox:v1:k2:")
        assert (await rotated.get(key)).value == SECRET
    assert (await sqlite.get(POD_KEY)).value == POD
    assert await rotated.rewrite_stale() == 0

    decrypting = EncryptingStore(sqlite, config({"identity": {}}, secretbox("k2", b"b")))
    assert await decrypting.rewrite_stale() == 2
    assert (await sqlite.get(SECRET_KEY)).value == SECRET
