"""EncryptingStore: the Store interface with values of the configured resources
encrypted on the way in and decrypted on the way out (Kubernetes' value transformers,
which sit between the registry and etcd). Keys, revisions and every precondition are the
inner store's; only the bytes change, so this works over any Store implementation.

A stored value that no configured provider can read (its key was dropped from the
file, or the data is corrupt) is never handed on as an object. A read of that one key
raises DecryptionError, the API's 500. A collection read — a list or the watch that feeds
the apiserver's watch cache, which spans every resource — leaves it out and logs an
error naming the key, so one unreadable Secret does not stop the whole API server; the
object stays in the database untouched until the right key is configured again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from tugboat.apiserver.encryption.config import EncryptionConfig
from tugboat.apiserver.encryption.transformers import TransformerChain, TransformError
from tugboat.store import Conflict, KeyNotFound, KeyValue, Store
from tugboat.store.interface import Event, StoreError

log = logging.getLogger(__name__)


class DecryptionError(StoreError):
    def __init__(self, key: str, reason: str):
        super().__init__(f"unable to transform key {key!r}: {reason}")
        self.key, self.reason = key, reason


def resource_of(key: str) -> tuple[str, str] | None:
    """`/registry/<group or core>/<resource>/...` → (group, resource)."""
    parts = key.split("/", 4)
    if len(parts) < 4 or parts[0] or parts[1] != "registry":
        return None
    return ("" if parts[2] == "core" else parts[2]), parts[3]


class EncryptingStore:
    def __init__(self, inner: Store, config: EncryptionConfig):
        self.inner = inner
        self.config = config

    def _chain(self, key: str) -> TransformerChain | None:
        res = resource_of(key)
        return self.config.chain_for(*res) if res else None

    def _seal(self, key: str, value: bytes) -> bytes:
        chain = self._chain(key)
        return chain.to_storage(value, key) if chain else value

    def _open(self, kv: KeyValue) -> KeyValue:
        chain = self._chain(kv.key)
        if chain is None:
            return kv
        try:
            return replace(kv, value=chain.from_storage(kv.value, kv.key))
        except TransformError as e:
            raise DecryptionError(kv.key, str(e)) from None

    def _open_or_skip(self, kv: KeyValue) -> KeyValue | None:
        try:
            return self._open(kv)
        except DecryptionError as e:
            log.error("leaving out %s (revision %d): %s", kv.key, kv.mod_revision, e)
            return None

    # -- lifecycle and revisions: the inner store's --------------------------------

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def current_revision(self) -> int:
        return await self.inner.current_revision()

    async def compacted_revision(self) -> int:
        return await self.inner.compacted_revision()

    async def compact(self, revision: int) -> None:
        await self.inner.compact(revision)

    # -- reads -------------------------------------------------------------------------

    async def get(self, key: str) -> KeyValue:
        return self._open(await self.inner.get(key))

    async def list(self, prefix: str, revision: int = 0) -> tuple[list[KeyValue], int]:
        kvs, rev = await self.inner.list(prefix, revision)
        opened = (self._open_or_skip(kv) for kv in kvs)
        return [kv for kv in opened if kv is not None], rev

    async def watch(self, prefix: str, revision: int) -> AsyncIterator[Event]:
        events = self.inner.watch(prefix, revision)
        try:
            async for ev in events:
                kv = self._open_or_skip(ev.kv)
                if kv is None:
                    continue
                prev = self._open_or_skip(ev.prev) if ev.prev is not None else None
                # most resources are not encrypted: their events pass unchanged
                yield ev if kv is ev.kv and prev is ev.prev else replace(ev, kv=kv, prev=prev)
        finally:  # closing this watch closes the inner one at once, not at GC
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()

    # -- writes: the caller gets its plaintext back, with the inner store's revisions --

    async def create(self, key: str, value: bytes) -> KeyValue:
        kv = await self.inner.create(key, self._seal(key, value))
        return kv if kv.value is value else replace(kv, value=value)  # replace costs µs

    async def update(self, key: str, value: bytes, expected_revision: int) -> KeyValue:
        kv = await self.inner.update(key, self._seal(key, value), expected_revision)
        return kv if kv.value is value else replace(kv, value=value)

    async def delete(self, key: str, expected_revision: int = 0) -> KeyValue:
        return self._open(await self.inner.delete(key, expected_revision))

    # -- rotation ----------------------------------------------------------------------

    async def rewrite_stale(self) -> int:
        """Rewrite, with the provider and key that write now, every stored value of a
        configured resource that an older key (or identity, or encryption before an
        identity-first config) wrote; returns how many. This is the last step of
        Kubernetes' key rotation, which there is `kubectl replace` of every Secret; here
        the registry skips an update that changes nothing, so that step would not rewrite.
        Each rewrite is a new revision (watchers see MODIFIED); one a client changes
        meanwhile is left alone, as its own write already used the new key."""
        kvs, _ = await self.inner.list("/registry/")
        rewritten = 0
        for kv in kvs:
            chain = self._chain(kv.key)
            if chain is None or not chain.is_stale(kv.value):
                continue
            plain = self._open_or_skip(kv)
            if plain is None:
                continue
            try:
                await self.inner.update(kv.key, chain.to_storage(plain.value, kv.key),
                                        kv.mod_revision)
            except (Conflict, KeyNotFound):
                continue
            rewritten += 1
        if rewritten:
            log.info("rewrote %d stored values with the current encryption key", rewritten)
        return rewritten
