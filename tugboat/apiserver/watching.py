"""Watch streams: newline-delimited JSON events over a chunked response, served from the
watch cache with Kubernetes' resourceVersion rules (none/"0": current state as ADDED,
then changes; N: every change after N; too old: one ERROR event with 410 Expired),
selectors applied to both sides of a change, bookmarks and timeoutSeconds."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import errors, protobuf, versioning
from tugboat.apiserver.decoding import is_resource_version
from tugboat.apiserver.tables import to_table
from tugboat.apiserver.watchcache import Change, TooOld, WatchCache

Obj = dict[str, Any]
BOOKMARK_EVERY = 5.0  # seconds of quiet between bookmarks, when the client asked for them
DRAIN = 256  # changes written per chunk when a watcher has a backlog


@dataclass
class WatchRequest:
    info: ResourceInfo
    namespace: str | None
    match: Callable[[Obj], bool] | None
    resource_version: str | None
    timeout: float | None
    bookmarks: bool
    as_table: bool
    send_initial_events: bool = False
    protobuf: bool = False  # frames of protobuf WatchEvents (protobuf.watch_frame), not JSON


def _line(etype: str, obj: Obj) -> bytes:
    return b'{"type":"' + etype.encode() + b'","object":' + orjson.dumps(obj) + b"}\n"


def _event_type(ch: Change, match: Callable[[Obj], bool] | None) -> str | None:
    """The event a selector-filtered watcher sees: an object entering the selection is
    ADDED, one leaving it is DELETED (Kubernetes' rule)."""
    if match is None:
        return ch.type
    now = match(ch.obj)
    if ch.type == "DELETED":
        return "DELETED" if now else None
    before = ch.prev is not None and match(ch.prev)
    if now and before:
        return "MODIFIED"
    if now:
        return "ADDED"
    return "DELETED" if before else None


class Stream:
    def __init__(self, cache: WatchCache, req: WatchRequest):
        self.cache, self.req = cache, req

    def _encode(self, etype: str, obj: Obj) -> bytes:
        if self.req.protobuf:
            return self._frame(etype, obj)
        if self.req.as_table:
            return _line(etype, to_table(self.req.info.printer_name, [obj],
                                         list_resource_version=obj["metadata"].get(
                                             "resourceVersion")))
        return _line(etype, obj)

    def _frame(self, etype: str, obj: Obj) -> bytes:
        body = protobuf.encode(obj, cached=True)
        if body is None:  # an object its message cannot hold: the client sees why
            body = protobuf.encode(errors.ApiError(
                500, "InternalError", f"{obj.get('kind')} could not be encoded").wire())
            etype = "ERROR"
        return protobuf.watch_frame(etype, body or b"")

    def _change(self, ch: Change) -> bytes:
        etype = _event_type(ch, self.req.match)
        if etype is None:
            return b""
        if self.req.info.converted:  # a version served from another's storage
            return self._encode(etype, versioning.served(self.req.info, ch.obj))
        if self.req.protobuf:
            return self._frame(etype, ch.obj)
        if self.req.as_table:
            return self._encode(etype, ch.obj)
        return b'{"type":"' + etype.encode() + b'","object":' + ch.json() + b"}\n"

    def _bookmark(self, rev: int, initial_end: bool = False) -> bytes:
        meta: Obj = {"resourceVersion": str(rev)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.req.info.kind, "apiVersion": self.req.info.api_version,
               "metadata": meta}
        return self._frame("BOOKMARK", obj) if self.req.protobuf else _line("BOOKMARK", obj)

    def open(self) -> AsyncIterator[bytes]:
        rv = self.req.resource_version
        if rv and not is_resource_version(rv):
            raise errors.bad_request(f'invalid resourceVersion "{rv}"')
        since = int(rv) if rv and rv != "0" and not self.req.send_initial_events else None
        prefix = self.req.info.key_prefix(self.req.namespace)
        try:
            watcher, backlog = self.cache.watch(prefix, since)
        except TooOld as e:
            return self._expired(str(e))
        initial = self.cache.list(prefix, self.req.match) if since is None else []
        if self.req.info.converted:
            initial = [versioning.served(self.req.info, o) for o in initial]
        return self._run(watcher, initial, backlog)

    async def _expired(self, msg: str) -> AsyncIterator[bytes]:
        status = errors.gone(msg).wire()
        yield self._frame("ERROR", status) if self.req.protobuf else _line("ERROR", status)

    async def _run(self, watcher: Any, initial: list[Obj],
                   backlog: list[Change]) -> AsyncIterator[bytes]:
        start_rev = self.cache.rev
        timeout = self.req.timeout if self.req.timeout is not None else 1800 * (1 + random.random())
        deadline = time.monotonic() + timeout
        try:
            if initial:
                yield b"".join(self._encode("ADDED", o) for o in initial)
            if self.req.send_initial_events:
                yield self._bookmark(start_rev, initial_end=True)
            if backlog:
                yield b"".join(self._change(c) for c in backlog)
            else:
                yield b""  # send headers now: clients wait for them before counting on the watch
            async for chunk in self._live(watcher, deadline):
                yield chunk
        finally:
            self.cache.unwatch(watcher)

    async def _live(self, watcher: Any, deadline: float) -> AsyncIterator[bytes]:
        q = watcher.queue
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            wait = min(left, BOOKMARK_EVERY) if self.req.bookmarks else left
            try:
                ch = await asyncio.wait_for(q.get(), wait)
            except TimeoutError:
                if self.req.bookmarks and deadline - time.monotonic() > 0:
                    yield self._bookmark(self.cache.rev)
                continue
            batch = [ch]
            while len(batch) < DRAIN and not q.empty():
                batch.append(q.get_nowait())
            closed = None in batch
            chunk = b"".join(self._change(c) for c in batch if c is not None)
            if chunk:
                yield chunk
            if closed:
                return
