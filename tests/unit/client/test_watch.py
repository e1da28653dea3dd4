"""Watch streams: parameters, resume from the last resourceVersion (bookmarks included)
after a stream ends or drops, ERROR 410 → Gone, and the sync twin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import orjson
import pytest

from tugboat.api.resources import lookup
from tugboat.client import ApiClient, Gone, NotFound, ServerUnreachable, SyncApiClient

pytestmark = pytest.mark.anyio
PODS = lookup("", "v1", "pods")


def pod_event(kind: str, name: str, rv: str) -> dict[str, Any]:
    return {"type": kind, "object": {"kind": "Pod", "metadata": {"name": name,
                                                                 "resourceVersion": rv}}}


def bookmark(rv: str) -> dict[str, Any]:
    return {"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": rv}}}


GONE = {"type": "ERROR", "object": {"kind": "Status", "status": "Failure", "code": 410,
                                    "reason": "Expired", "message": "too old resource version"}}


class DroppingStream(httpx.AsyncByteStream, httpx.SyncByteStream):
    """Sends its lines, then fails like a connection cut mid-stream."""

    def __init__(self, lines: list[bytes]):
        self.lines = lines

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for line in self.lines:
            yield line
        raise httpx.ReadError("connection reset")

    def __iter__(self) -> Iterator[bytes]:
        yield from self.lines
        raise httpx.ReadError("connection reset")


class Streams:
    """Serves one scripted stream per watch request, recording the query of each."""

    def __init__(self, *scripts: list[dict[str, Any]] | str):
        self.scripts = list(scripts)
        self.params: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.params.append(dict(request.url.params))
        script = self.scripts.pop(0)
        if script == "refuse":
            raise httpx.ConnectError("connection refused")
        if script == "http410":
            return httpx.Response(410, json={"kind": "Status", "code": 410, "reason": "Expired"})
        lines = [orjson.dumps(e) + b"\n" for e in script if e != "drop"]
        if "drop" in script:
            return httpx.Response(200, stream=DroppingStream(lines))
        return httpx.Response(200, content=b"".join(lines))


def client_for(streams: Streams) -> ApiClient:
    return ApiClient("http://api.test", transport=httpx.MockTransport(streams))


async def take(watch: Any, n: int) -> list[tuple[str, str]]:
    out = []
    async for kind, obj in watch:
        out.append((kind, obj["metadata"]["name"]))
        if len(out) == n:
            break
    return out


async def test_watch_params() -> None:
    streams = Streams([pod_event("ADDED", "a", "5")])
    watch = client_for(streams).watch(PODS, "default", resource_version="4",
                                      label_selector={"app": "web"},
                                      field_selector="spec.nodeName=n1", timeout_seconds=60)
    assert await take(watch, 1) == [("ADDED", "a")]
    assert streams.params[0] == {"watch": "true", "resourceVersion": "4",
                                 "labelSelector": "app=web", "fieldSelector": "spec.nodeName=n1",
                                 "timeoutSeconds": "60", "allowWatchBookmarks": "true"}


async def test_resumes_after_stream_end_from_last_resource_version() -> None:
    streams = Streams(
        [pod_event("ADDED", "a", "11"), pod_event("MODIFIED", "a", "12"), bookmark("15")],
        [pod_event("DELETED", "a", "16")],
    )
    watch = client_for(streams).watch(PODS, resource_version="10", allow_bookmarks=True)
    assert await take(watch, 3) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    assert [p["resourceVersion"] for p in streams.params] == ["10", "15"]
    assert watch.resource_version == "16"


async def test_resumes_after_connection_drop() -> None:
    streams = Streams([pod_event("ADDED", "a", "21"), "drop"], [pod_event("ADDED", "b", "22")])
    watch = client_for(streams).watch(PODS)
    assert await take(watch, 2) == [("ADDED", "a"), ("ADDED", "b")]
    assert "resourceVersion" not in streams.params[0]
    assert streams.params[1]["resourceVersion"] == "21"


async def test_error_410_event_raises_gone() -> None:
    streams = Streams([pod_event("ADDED", "a", "3"), GONE])
    seen = []
    with pytest.raises(Gone) as info:
        async for kind, _ in client_for(streams).watch(PODS, resource_version="2"):
            seen.append(kind)
    assert seen == ["ADDED"]
    assert info.value.code == 410 and "too old" in info.value.message


async def test_http_410_raises_gone_and_other_errors_decode() -> None:
    with pytest.raises(Gone):
        await take(client_for(Streams("http410")).watch(PODS, resource_version="1"), 1)
    missing = {"type": "ERROR", "object": {"kind": "Status", "code": 404, "reason": "NotFound"}}
    with pytest.raises(NotFound):
        await take(client_for(Streams([missing])).watch(PODS), 1)


async def test_no_resume_ends_with_the_stream() -> None:
    streams = Streams([pod_event("ADDED", "a", "3")])
    assert await take(client_for(streams).watch(PODS, resume=False), 5) == [("ADDED", "a")]
    assert len(streams.params) == 1


async def test_unreachable_server_raises() -> None:
    streams = Streams([pod_event("ADDED", "a", "3")], "refuse")
    watch = client_for(streams).watch(PODS)
    with pytest.raises(ServerUnreachable):
        await take(watch, 2)
    assert streams.params[1]["resourceVersion"] == "3"


async def test_async_with_closes_the_watch() -> None:
    streams = Streams([pod_event("ADDED", "a", "3"), pod_event("ADDED", "b", "4")])
    async with client_for(streams).watch(PODS) as watch:
        assert await take(watch, 1) == [("ADDED", "a")]


def test_sync_watch_resumes() -> None:
    streams = Streams([pod_event("ADDED", "a", "7"), bookmark("9"), "drop"],
                      [pod_event("MODIFIED", "a", "10")])
    client = SyncApiClient("http://api.test", transport=httpx.MockTransport(streams))
    seen = []
    for kind, obj in client.watch(PODS, "default"):
        seen.append((kind, obj["metadata"]["resourceVersion"]))
        if len(seen) == 2:
            break
    assert seen == [("ADDED", "7"), ("MODIFIED", "10")]
    assert streams.params[1]["resourceVersion"] == "9"
