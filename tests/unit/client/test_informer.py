"""Informer: list then watch into the cache, handler events, relist on 410 with a diff,
reconnection after the server was down, resync, and the shared factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from tugboat.api.resources import lookup
from tugboat.client import ApiClient, Backoff, Informer, SharedInformerFactory

pytestmark = pytest.mark.anyio
PODS = lookup("", "v1", "pods")
WAIT = 5.0


def pod(name: str, rv: str, ns: str = "default") -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": rv}}


class QueueStream(httpx.AsyncByteStream):
    """A watch response fed by the test: dicts are events, None ends the stream."""

    def __init__(self, queue: asyncio.Queue[Any]):
        self.queue = queue

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (event := await self.queue.get()) is not None:
            yield orjson.dumps(event) + b"\n"


class FakeApi:
    """Lists `items`; each watch request becomes a queue the test feeds."""

    def __init__(self, *items: dict[str, Any]):
        self.items = list(items)
        self.rv = "100"
        self.down = False
        self.lists = 0
        self.refused = asyncio.Event()
        self.watches: asyncio.Queue[tuple[dict[str, str], asyncio.Queue[Any]]] = asyncio.Queue()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused.set()
            raise httpx.ConnectError("connection refused")
        params = dict(request.url.params)
        if params.get("watch"):
            queue: asyncio.Queue[Any] = asyncio.Queue()
            await self.watches.put((params, queue))
            return httpx.Response(200, stream=QueueStream(queue))
        self.lists += 1
        return httpx.Response(200, json={"kind": "PodList", "apiVersion": "v1",
                                         "metadata": {"resourceVersion": self.rv},
                                         "items": self.items})

    async def next_watch(self) -> tuple[dict[str, str], asyncio.Queue[Any]]:
        return await asyncio.wait_for(self.watches.get(), WAIT)


class Events:
    """Collects handler calls; `wait(n)` waits until n have arrived."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.changed = asyncio.Event()

    def handlers(self) -> dict[str, Any]:
        return {"on_add": lambda o: self._note("add", o),
                "on_update": lambda old, new: self._note("update", new),
                "on_delete": lambda o: self._note("delete", o)}

    def _note(self, kind: str, obj: dict[str, Any]) -> None:
        self.log.append((kind, f"{obj['metadata']['name']}@{obj['metadata']['resourceVersion']}"))
        self.changed.set()

    async def wait(self, n: int) -> list[tuple[str, str]]:
        async def reach() -> None:
            while len(self.log) < n:
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(reach(), WAIT)
        return self.log[:n]


@pytest.fixture
async def setup() -> AsyncIterator[tuple[FakeApi, Informer, Events]]:
    api = FakeApi(pod("a", "5"), pod("b", "6"))
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    informer = Informer(client, PODS, decode=dict, backoff=Backoff(0.01, 0.05))
    events = Events()
    informer.add_event_handler(**events.handlers())
    informer.start()
    yield api, informer, events
    await informer.stop()


async def test_list_fills_cache_then_watch_applies_changes(setup: Any) -> None:
    api, informer, events = setup
    assert await informer.wait_for_sync(WAIT)
    assert informer.has_synced
    assert await events.wait(2) == [("add", "a@5"), ("add", "b@6")]
    assert sorted(informer.keys()) == ["default/a", "default/b"]
    params, stream = await api.next_watch()
    assert params["resourceVersion"] == "100"
    await stream.put({"type": "MODIFIED", "object": pod("a", "101")})
    await stream.put({"type": "ADDED", "object": pod("c", "102", "other")})
    await stream.put({"type": "DELETED", "object": pod("b", "103")})
    assert (await events.wait(5))[2:] == [("update", "a@101"), ("add", "c@102"),
                                          ("delete", "b@103")]
    assert informer.get("a", "default")["metadata"]["resourceVersion"] == "101"
    assert informer.get_by_key("other/c")["kind"] == "Pod"
    assert [o["metadata"]["name"] for o in informer.list("other")] == ["c"]
    assert informer.get("b", "default") is None
    assert informer.resource_version == "103"


async def test_relist_on_410_reports_the_difference(setup: Any) -> None:
    api, informer, events = setup
    await events.wait(2)
    _, stream = await api.next_watch()
    api.items, api.rv = [pod("b", "6"), pod("a", "150"), pod("d", "151")], "152"
    await stream.put({"type": "ERROR", "object": {"kind": "Status", "code": 410,
                                                  "reason": "Expired", "message": "old"}})
    params, _ = await api.next_watch()
    assert params["resourceVersion"] == "152"
    assert sorted((await events.wait(4))[2:]) == [("add", "d@151"), ("update", "a@150")]
    assert api.lists == 2


async def test_relist_deletes_what_vanished(setup: Any) -> None:
    api, informer, events = setup
    await events.wait(2)
    _, stream = await api.next_watch()
    api.items, api.rv = [pod("a", "5")], "160"
    await stream.put({"type": "ERROR", "object": {"kind": "Status", "code": 410}})
    assert (await events.wait(3))[2] == ("delete", "b@6")
    assert informer.keys() == ["default/a"]


async def test_reconnects_after_the_server_was_down(setup: Any) -> None:
    api, informer, events = setup
    await events.wait(2)
    _, stream = await api.next_watch()
    api.down = True
    await stream.put(None)  # the server goes away: the stream ends, reconnects are refused
    await asyncio.wait_for(api.refused.wait(), WAIT)
    api.items, api.rv, api.down = [pod("a", "5"), pod("b", "170")], "171", False
    params, _ = await api.next_watch()
    assert params["resourceVersion"] == "171"
    assert (await events.wait(3))[2] == ("update", "b@170")
    assert not informer.start().done()  # still running


async def test_resync_replays_updates_and_late_handlers_get_adds(setup: Any) -> None:
    _, informer, events = setup
    await events.wait(2)
    informer.resync()
    assert sorted(events.log[2:]) == [("update", "a@5"), ("update", "b@6")]
    late = Events()
    informer.add_event_handler(**late.handlers())
    assert sorted(await late.wait(2)) == [("add", "a@5"), ("add", "b@6")]


async def test_handler_errors_do_not_stop_the_informer(setup: Any) -> None:
    api, informer, events = setup
    informer.add_event_handler(on_update=lambda old, new: 1 / 0)
    await events.wait(2)
    _, stream = await api.next_watch()
    await stream.put({"type": "MODIFIED", "object": pod("a", "180")})
    await stream.put({"type": "MODIFIED", "object": pod("b", "181")})
    assert (await events.wait(4))[2:] == [("update", "a@180"), ("update", "b@181")]


async def test_default_decode_uses_the_resource_model(widgets: Any) -> None:
    api = FakeApi({"metadata": {"name": "w", "namespace": "x", "resourceVersion": "1"},
                   "spec": {"size": 3}})
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    informer = Informer(client, widgets)
    informer.start()
    try:
        assert await informer.wait_for_sync(WAIT)
        w = informer.get("w", "x")
        assert isinstance(w, widgets.model) and w.spec == {"size": 3}
    finally:
        await informer.stop()


async def test_factory_shares_informers() -> None:
    api = FakeApi(pod("a", "5"))
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    factory = SharedInformerFactory(client)
    pods = factory.informer("pods")
    assert factory.informer(PODS) is pods
    assert factory.informer("po", "default") is not pods
    assert factory.informer("pods", label_selector="app=web") is not pods
    factory.start()
    late = factory.informer("nodes")
    try:
        assert await factory.wait_for_sync(WAIT)
        assert late.has_synced and pods.has_synced
    finally:
        await factory.stop()


async def test_wait_for_sync_times_out_while_unreachable() -> None:
    api = FakeApi()
    api.down = True
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    informer = Informer(client, PODS, decode=dict, backoff=Backoff(0.01, 0.02))
    informer.start()
    try:
        await asyncio.wait_for(api.refused.wait(), WAIT)
        assert not await informer.wait_for_sync(0.05)
    finally:
        await informer.stop()


async def test_resync_period_replays_periodically() -> None:
    api = FakeApi(pod("a", "5"))
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    informer = Informer(client, PODS, decode=dict, resync_period=0.01)
    events = Events()
    informer.add_event_handler(**events.handlers())
    informer.start()
    try:
        assert await events.wait(3) == [("add", "a@5"), ("update", "a@5"), ("update", "a@5")]
    finally:
        await informer.stop()
