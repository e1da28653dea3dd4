"""Informers: a local, always-current copy of one resource, kept by list + watch.

Controllers, the scheduler and the kubelet read the cluster from an informer's cache
instead of asking the apiserver, and react to its events. The informer lists, then
watches from the list's resourceVersion; on a 410 it lists again and reports the
difference (adds, updates, deletes) as events; when the server is down it retries with a
capped backoff and never crashes. `resync_period` replays every cached object as an
update, the safety net of level-triggered controllers.

Cache objects are the resource's pydantic model (`info.model`) unless `decode` says
otherwise (`decode=dict` keeps wire dicts). Keys are client-go's: "namespace/name", or
"name" for cluster-scoped objects. Handlers are plain callables, run on the event loop:

    pods = factory.informer("pods")
    pods.add_event_handler(on_add=enqueue, on_update=lambda old, new: enqueue(new))
    factory.start(); await factory.wait_for_sync()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tugboat.api.resources import ResourceInfo
from tugboat.client.backoff import Backoff
from tugboat.client.errors import ClientError, Gone
from tugboat.client.rest import ApiClient, Resource, resource_info
from tugboat.client.watch import DELETED

log = logging.getLogger(__name__)

Decode = Callable[[dict[str, Any]], Any]


def object_key(obj: dict[str, Any]) -> str:
    """client-go's MetaNamespaceKeyFunc on a wire object."""
    meta = obj.get("metadata") or {}
    ns, name = meta.get("namespace"), meta.get("name", "")
    return f"{ns}/{name}" if ns else name


def split_key(key: str) -> tuple[str | None, str]:
    ns, _, name = key.rpartition("/")
    return ns or None, name


@dataclass
class _Handler:
    on_add: Callable[[Any], None] | None = None
    on_update: Callable[[Any, Any], None] | None = None
    on_delete: Callable[[Any], None] | None = None


class Informer:
    """List + watch + cache of one resource (optionally one namespace / selector)."""

    def __init__(self, client: ApiClient, resource: Resource, namespace: str | None = None, *,
                 label_selector: str | None = None, field_selector: str | None = None,
                 resync_period: float | None = None, decode: Decode | None = None,
                 backoff: Backoff | None = None):
        self.client = client
        self.info: ResourceInfo = resource_info(resource)
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.resync_period = resync_period
        self._decode = decode or (lambda obj: self.info.model.model_validate(obj))
        self._backoff = backoff if backoff is not None else Backoff(0.5, 30.0)
        self._cache: dict[str, Any] = {}
        self._versions: dict[str, str | None] = {}
        self._handlers: list[_Handler] = []
        self._synced = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.resource_version: str | None = None

    # --- the cache (client-go's lister) ---------------------------------------------------

    def get(self, name: str, namespace: str | None = None) -> Any | None:
        return self._cache.get(f"{namespace}/{name}" if namespace else name)

    def get_by_key(self, key: str) -> Any | None:
        return self._cache.get(key)

    def list(self, namespace: str | None = None) -> list[Any]:
        if namespace is None:
            return list(self._cache.values())
        prefix = namespace + "/"
        return [obj for key, obj in self._cache.items() if key.startswith(prefix)]

    def keys(self) -> list[str]:
        return list(self._cache)

    def __len__(self) -> int:
        return len(self._cache)

    # --- handlers -------------------------------------------------------------------------

    def add_event_handler(self, on_add: Callable[[Any], None] | None = None,
                          on_update: Callable[[Any, Any], None] | None = None,
                          on_delete: Callable[[Any], None] | None = None) -> None:
        """Register callbacks; objects already cached are replayed to on_add at once."""
        handler = _Handler(on_add, on_update, on_delete)
        self._handlers.append(handler)
        for obj in list(self._cache.values()):
            self._call(handler.on_add, obj)

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        """True once the first list has filled the cache."""
        return self._synced.is_set()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._synced.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"informer-{self.info.resource}")
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """List and watch until cancelled: relist on 410, back off when unreachable."""
        resync = asyncio.create_task(self._resync_loop()) if self.resync_period else None
        try:
            while True:
                try:
                    await self._list_and_watch()
                except Gone:
                    log.info("%s: watch expired, relisting", self.info.resource)
                except ClientError as e:
                    await self._pause(e)
                except Exception as e:  # a bug must not stop the informer for good
                    log.exception("%s: informer error", self.info.resource)
                    await self._pause(e)
        finally:
            if resync is not None:
                resync.cancel()

    async def _pause(self, error: BaseException) -> None:
        delay = self._backoff.next("reconnect")
        log.warning("%s: %s; retrying in %.1fs", self.info.resource, error, delay)
        await asyncio.sleep(delay)

    async def _list_and_watch(self) -> None:
        listed = await self.client.list(self.info, self.namespace,
                                        label_selector=self.label_selector,
                                        field_selector=self.field_selector)
        self.resource_version = (listed.get("metadata") or {}).get("resourceVersion")
        self._replace(listed.get("items") or [])
        self._synced.set()
        self._backoff.reset("reconnect")
        watch = self.client.watch(self.info, self.namespace,
                                  resource_version=self.resource_version,
                                  label_selector=self.label_selector,
                                  field_selector=self.field_selector,
                                  timeout_seconds=random.randint(300, 600))
        async with watch:
            async for kind, obj in watch:
                self._apply(kind, obj)
                self.resource_version = watch.resource_version

    async def _resync_loop(self) -> None:
        assert self.resync_period
        while True:
            await asyncio.sleep(self.resync_period)
            if self.has_synced:
                self.resync()

    def resync(self) -> None:
        """Replay every cached object to on_update(obj, obj)."""
        for obj in list(self._cache.values()):
            for h in self._handlers:
                self._call(h.on_update, obj, obj)

    # --- applying what the server says --------------------------------------------------------

    def _replace(self, items: list[dict[str, Any]]) -> None:
        """Make the cache equal a fresh list, reporting the difference as events."""
        fresh = {object_key(item): item for item in items}
        for key in [k for k in self._cache if k not in fresh]:
            self._versions.pop(key, None)
            self._fire_delete(self._cache.pop(key))
        for key, item in fresh.items():
            if key in self._cache and self._versions.get(key) == _rv(item):
                continue
            self._store(key, item)

    def _apply(self, kind: str, obj: dict[str, Any]) -> None:
        key = object_key(obj)
        if kind == DELETED:
            self._cache.pop(key, None)
            self._versions.pop(key, None)
            decoded = self._decoded(obj)
            if decoded is not None:
                self._fire_delete(decoded)
            return
        self._store(key, obj)

    def _store(self, key: str, item: dict[str, Any]) -> None:
        item.setdefault("apiVersion", self.info.api_version)
        item.setdefault("kind", self.info.kind)
        new = self._decoded(item)
        if new is None:
            return
        old = self._cache.get(key)
        self._cache[key] = new
        self._versions[key] = _rv(item)
        for h in self._handlers:
            if old is None:
                self._call(h.on_add, new)
            else:
                self._call(h.on_update, old, new)

    def _decoded(self, item: dict[str, Any]) -> Any | None:
        try:
            return self._decode(item)
        except Exception:
            log.warning("%s: cannot decode %s", self.info.resource, object_key(item),
                        exc_info=True)
            return None

    def _fire_delete(self, obj: Any) -> None:
        for h in self._handlers:
            self._call(h.on_delete, obj)

    def _call(self, fn: Callable[..., None] | None, *args: Any) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("%s: event handler failed", self.info.resource)


def _rv(obj: dict[str, Any]) -> str | None:
    return (obj.get("metadata") or {}).get("resourceVersion")


class SharedInformerFactory:
    """One informer per (resource, namespace, selectors), shared by every controller."""

    def __init__(self, client: ApiClient, *, resync_period: float | None = None):
        self.client = client
        self.resync_period = resync_period
        self._informers: dict[tuple[Any, ...], Informer] = {}
        self._started = False

    def informer(self, resource: Resource, namespace: str | None = None, *,
                 label_selector: str | None = None, field_selector: str | None = None
                 ) -> Informer:
        info = resource_info(resource)
        key = (info.group, info.version, info.resource, namespace, label_selector,
               field_selector)
        inf = self._informers.get(key)
        if inf is None:
            inf = self._informers[key] = Informer(
                self.client, info, namespace, label_selector=label_selector,
                field_selector=field_selector, resync_period=self.resync_period)
            if self._started:
                inf.start()
        return inf

    def start(self) -> None:
        """Start every informer handed out so far, and any handed out later."""
        self._started = True
        for inf in self._informers.values():
            inf.start()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        results = await asyncio.gather(*(i.wait_for_sync(timeout)
                                         for i in self._informers.values()))
        return all(results)

    async def stop(self) -> None:
        self._started = False
        await asyncio.gather(*(i.stop() for i in self._informers.values()))
