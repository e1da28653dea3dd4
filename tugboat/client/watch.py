"""Watch streams: `GET ...?watch=true` read as newline-delimited events, resumed for the caller.

A watch is the heart of list+watch: the caller lists, then watches from the list's
resourceVersion. This module hides the stream's lifecycle: when the server ends the
stream (timeoutSeconds, a restart of the watch cache) or the connection drops mid-stream,
it watches again from the last resourceVersion it saw — from objects and from BOOKMARK
events, which it consumes without yielding. An ERROR event raises its ApiError; code 410
raises `Gone`, meaning the caller must list again. A server that cannot be reached at all
raises `ServerUnreachable` (the informer backs off and relists).

`Watch` is the async iterator (the daemons), `SyncWatch` the blocking one (the CLI); both
share `_Cursor`, which turns lines into events and tracks where to resume.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import Any, NamedTuple

import httpx
import orjson

from tugboat.api.meta import Status
from tugboat.client.backoff import Backoff
from tugboat.client.errors import ServerUnreachable, error_from_response, error_from_status

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"

# Pause before re-watching after a stream that carried nothing, so a server that keeps
# closing streams at once is not hammered; any event resets it.
_EMPTY_STREAM_PAUSE = (0.05, 5.0)
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol)


class WatchEvent(NamedTuple):
    type: str
    object: dict[str, Any]


def watch_params(*, label_selector: str | None = None, field_selector: str | None = None,
                 timeout_seconds: int | None = None, allow_bookmarks: bool = True
                 ) -> dict[str, str]:
    params = {"watch": "true"}
    if label_selector:
        params["labelSelector"] = label_selector
    if field_selector:
        params["fieldSelector"] = field_selector
    if timeout_seconds is not None:
        params["timeoutSeconds"] = str(timeout_seconds)
    if allow_bookmarks:
        params["allowWatchBookmarks"] = "true"
    return params


class _Cursor:
    """Where the watch stands: decodes lines, remembers the last resourceVersion."""

    def __init__(self, params: dict[str, str], resource_version: str | None, resume: bool):
        self.base = params
        self.resource_version = resource_version or None
        self.resume = resume
        self.events_in_stream = 0
        self._pause = Backoff(*_EMPTY_STREAM_PAUSE)

    def params(self) -> dict[str, str]:
        self.events_in_stream = 0
        if self.resource_version:
            return {**self.base, "resourceVersion": self.resource_version}
        return dict(self.base)

    def timeout(self) -> httpx.Timeout:
        server_timeout = self.base.get("timeoutSeconds")
        read = float(server_timeout) + 30 if server_timeout else None
        return httpx.Timeout(30.0, read=read)

    def observe(self, line: str | bytes) -> WatchEvent | None:
        """The event on one line; None for blank lines and bookmarks. ERROR raises."""
        if not line.strip():
            return None
        event = orjson.loads(line)
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == ERROR:
            status = Status.model_validate(obj)
            raise error_from_status(status, status.code or 500)
        self.events_in_stream += 1
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if rv:
            self.resource_version = rv
        return None if kind == BOOKMARK else WatchEvent(kind, obj)

    def next_pause(self) -> float | None:
        """After a stream ended: seconds to wait before resuming, or None to stop."""
        if not self.resume:
            return None
        if self.events_in_stream:
            self._pause.reset(None)
            return 0.0
        return self._pause.next(None)


class Watch:
    """Async iterator of WatchEvent(type, object); `resource_version` is where it stands."""

    def __init__(self, http: httpx.AsyncClient, server: str, path: str,
                 params: dict[str, str], resource_version: str | None = None, *,
                 resume: bool = True):
        self._http, self._server, self._path = http, server, path
        self._cursor = _Cursor(params, resource_version, resume)
        self._gen: AsyncIterator[WatchEvent] | None = None

    @property
    def resource_version(self) -> str | None:
        return self._cursor.resource_version

    def __aiter__(self) -> AsyncIterator[WatchEvent]:
        if self._gen is None:
            self._gen = self._events()
        return self._gen

    async def aclose(self) -> None:
        if self._gen is not None:
            await self._gen.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> Watch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _events(self) -> AsyncIterator[WatchEvent]:
        cursor = self._cursor
        while True:
            try:
                async with aclosing(self._stream()) as stream:
                    async for event in stream:
                        yield event
            except _UNREACHABLE as e:
                raise ServerUnreachable(self._server, e) from e
            except httpx.TransportError:
                pass  # dropped mid-stream: resume from the last resourceVersion
            pause = cursor.next_pause()
            if pause is None:
                return
            if pause:
                await asyncio.sleep(pause)

    async def _stream(self) -> AsyncIterator[WatchEvent]:
        cursor = self._cursor
        async with self._http.stream("GET", self._path, params=cursor.params(),
                                     timeout=cursor.timeout()) as resp:
            if resp.status_code >= 300:
                raise error_from_response(resp.status_code, await resp.aread(),
                                          resp.reason_phrase)
            async for line in resp.aiter_lines():
                event = cursor.observe(line)
                if event is not None:
                    yield event


class SyncWatch:
    """Blocking iterator of WatchEvent(type, object), for the CLI (`tug get -w`)."""

    def __init__(self, http: httpx.Client, server: str, path: str,
                 params: dict[str, str], resource_version: str | None = None, *,
                 resume: bool = True):
        self._http, self._server, self._path = http, server, path
        self._cursor = _Cursor(params, resource_version, resume)

    @property
    def resource_version(self) -> str | None:
        return self._cursor.resource_version

    def __iter__(self) -> Iterator[WatchEvent]:
        cursor = self._cursor
        while True:
            try:
                yield from self._stream()
            except _UNREACHABLE as e:
                raise ServerUnreachable(self._server, e) from e
            except httpx.TransportError:
                pass
            pause = cursor.next_pause()
            if pause is None:
                return
            if pause:
                time.sleep(pause)

    def _stream(self) -> Iterator[WatchEvent]:
        cursor = self._cursor
        with self._http.stream("GET", self._path, params=cursor.params(),
                               timeout=cursor.timeout()) as resp:
            if resp.status_code >= 300:
                raise error_from_response(resp.status_code, resp.read(), resp.reason_phrase)
            for line in resp.iter_lines():
                event = cursor.observe(line)
                if event is not None:
                    yield event
