"""The garbage collector: cascading deletion by ownerReferences (Kubernetes'
garbagecollector, without its graph). It watches every kind that owns or is owned, keeps
an index of uids and of each owner's dependents, and for each object decides:

- an object whose owners are all gone (or all waiting in foreground deletion) is deleted
  — Background propagation: the owner is gone first and its dependents follow;
- an object with surviving owners loses only its references to the gone ones;
- an owner being deleted with the `orphan` finalizer (propagationPolicy Orphan) has its
  references removed from every dependent, then the finalizer;
- an owner being deleted with the `foregroundDeletion` finalizer (Foreground) has its
  dependents deleted first; the finalizer goes once none is left.

An owner missing from the cache is checked with a live GET before anything is deleted, so
a cache that has not yet seen a new owner never costs its dependents their lives.

Besides the built-in kinds it monitors every custom resource the API server serves, found
through discovery (re-read every DEFAULT_MAX_AGE seconds, and at once when an owner's kind
is not known yet), as Kubernetes' GC syncs its monitors with a discovery-backed RESTMapper:
so a Deployment owned by a custom object goes when that object does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tugboat.api.resources import ResourceInfo
from tugboat.client import ClientError, Informer, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller, key_of

log = logging.getLogger(__name__)

ORPHAN, FOREGROUND = "orphan", "foregroundDeletion"
MONITORED = ("pods", "replicationcontrollers", "replicasets", "deployments", "daemonsets",
             "jobs", "services", "endpoints", "endpointslices", "configmaps", "secrets",
             "horizontalpodautoscalers", "leases", "nodes")

Item = tuple[str, str]  # (monitor name: "pods", or "widgets.example.com"; informer key)


def monitor_name(info: ResourceInfo) -> str:
    """A monitor per group and resource, whichever version it was first seen at."""
    return f"{info.resource}.{info.group}" if info.group else info.resource


class RestMappingError(ClientError):
    """An owner's kind the server does not serve (yet): a custom resource discovery has
    not caught up with, or a wrong apiVersion. Its dependent is neither kept as owned nor
    deleted; it is looked at again with backoff, as Kubernetes' collector does."""

    def __init__(self, api_version: str, kind: str):
        super().__init__(f"no resource for kind {kind!r} in {api_version!r} (yet)")


def _finalizers(obj: Any) -> list[str]:
    return list(obj.metadata.finalizers or [])


def _waits_for_dependents(obj: Any) -> bool:
    return obj.metadata.deletionTimestamp is not None and FOREGROUND in _finalizers(obj)


class GarbageCollector(Controller):
    name = "garbagecollector"
    workers = 4

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.watched: dict[str, Informer] = {}
        self.uids: dict[str, Item] = {}
        self.dependents: dict[str, set[Item]] = {}
        for resource in MONITORED:
            self._watch(resource, self.informer(resource))

    def _watch(self, name: str, inf: Informer) -> None:
        self.watched[name] = inf
        inf.add_event_handler(
            on_add=lambda o, r=name: self._changed(r, None, o),
            on_update=lambda old, new, r=name: self._changed(r, old, new),
            on_delete=lambda o, r=name: self._deleted(r, o))

    # --- monitors of custom resources (discovery) --------------------------------------------

    async def run(self) -> None:
        syncing = asyncio.create_task(self._sync_monitors_forever(), name="gc-discovery")
        try:
            await super().run()
        finally:
            syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await syncing
            for name in [n for n in self.watched if n not in MONITORED]:
                await self.watched.pop(name).stop()

    async def _sync_monitors_forever(self) -> None:
        while True:
            try:
                await self.sync_monitors()
            except ClientError as e:
                log.warning("garbage collector: discovery failed: %s", e)
            except Exception:  # a bug must not end the monitors' upkeep for good
                log.exception("garbage collector: syncing monitors failed")
            await asyncio.sleep(self.ctx.discovery.max_age)

    async def sync_monitors(self, max_age: float | None = None) -> None:
        """Monitor every deletable custom resource served now; stop monitoring those no
        longer served (their objects were reported deleted as their CRD went)."""
        await self.ctx.discovery.refresh(max_age)
        served = {monitor_name(i): i for i in self.ctx.discovery.custom()}
        for name, info in served.items():
            self._monitor(name, info)
        for name in [n for n, inf in self.watched.items()
                     if n not in MONITORED and n not in served]:
            inf = self.watched.pop(name)
            for obj in inf.list():
                self._deleted(name, obj)
            await inf.stop()
            log.info("garbage collector: stopped monitoring %s", name)

    def _monitor(self, name: str, info: ResourceInfo) -> None:
        if name in self.watched or name in MONITORED:
            return
        # The collector's own informer (not the shared factory's): it is stopped and
        # dropped with its resource, and a CRD made again gets a fresh one.
        inf = Informer(self.client, info, resync_period=self.ctx.options.resync_period)
        self._watch(name, inf)
        inf.start()
        log.info("garbage collector: monitoring %s", name)

    # --- the index ------------------------------------------------------------------------

    def _changed(self, resource: str, old: Any | None, obj: Any) -> None:
        item = (resource, key_of(obj))
        self.uids[obj.metadata.uid] = item
        old_refs = {r.uid for r in (old.metadata.ownerReferences or [])} if old else set()
        new_refs = {r.uid for r in obj.metadata.ownerReferences or []}
        for uid in old_refs - new_refs:
            self.dependents.get(uid, set()).discard(item)
        for uid in new_refs:
            self.dependents.setdefault(uid, set()).add(item)
        if obj.metadata.deletionTimestamp is not None and \
                {ORPHAN, FOREGROUND} & set(_finalizers(obj)):
            self.queue.add(item)
        resync = old is obj
        if new_refs and (not resync or any(u not in self.uids for u in new_refs)):
            self.queue.add(item)  # on a resync, only when an owner looks gone

    def _deleted(self, resource: str, obj: Any) -> None:
        item = (resource, key_of(obj))
        if self.uids.get(obj.metadata.uid) == item:
            del self.uids[obj.metadata.uid]
        for ref in obj.metadata.ownerReferences or []:
            self.dependents.get(ref.uid, set()).discard(item)
            owner = self.uids.get(ref.uid)
            if owner is not None:
                self.queue.add(owner)  # a foreground owner may be waiting for this one
        for dep in self.dependents.pop(obj.metadata.uid, set()):
            self.queue.add(dep)

    def _get(self, item: Item) -> Any | None:
        inf = self.watched.get(item[0])
        return inf.get_by_key(item[1]) if inf is not None else None

    def _info(self, item: Item) -> ResourceInfo:
        return self.watched[item[0]].info

    # --- reconcile ------------------------------------------------------------------------

    async def reconcile(self, item: Item) -> float | None:  # type: ignore[override]
        obj = self._get(item)
        if obj is None:
            return None
        if obj.metadata.deletionTimestamp is not None:
            if ORPHAN in _finalizers(obj):
                await self._orphan_dependents(item, obj)
            elif FOREGROUND in _finalizers(obj):
                await self._delete_dependents(item, obj)
        if obj.metadata.ownerReferences:
            await self._check_owners(item, obj)
        return None

    async def _orphan_dependents(self, item: Item, owner: Any) -> None:
        uid = owner.metadata.uid
        for dep_item in list(self.dependents.get(uid, ())):
            dep = self._get(dep_item)
            if dep is not None:
                refs = [r.wire() for r in dep.metadata.ownerReferences or [] if r.uid != uid]
                await self._patch_meta(dep_item, dep, {"ownerReferences": refs or None})
        await self._patch_meta(item, owner, {"finalizers": [
            f for f in _finalizers(owner) if f != ORPHAN] or None})

    async def _delete_dependents(self, item: Item, owner: Any) -> None:
        live = [d for d in (self._get(i) for i in self.dependents.get(owner.metadata.uid, ()))
                if d is not None]
        for dep_item in list(self.dependents.get(owner.metadata.uid, ())):
            dep = self._get(dep_item)
            if dep is not None and dep.metadata.deletionTimestamp is None:
                await self._delete(dep_item, dep, foreground=True)
        if not live:
            await self._patch_meta(item, owner, {"finalizers": [
                f for f in _finalizers(owner) if f != FOREGROUND] or None})

    async def _check_owners(self, item: Item, obj: Any) -> None:
        solid, gone, waiting = [], [], []
        for ref in obj.metadata.ownerReferences or []:
            owner = await self._owner(obj, ref)
            if owner is None:
                gone.append(ref.uid)
            elif owner is not True and _waits_for_dependents(owner):
                waiting.append(ref.uid)
            else:
                solid.append(ref.uid)
        if solid:
            if gone or waiting:
                drop = set(gone) | set(waiting)
                refs = [r.wire() for r in obj.metadata.ownerReferences if r.uid not in drop]
                await self._patch_meta(item, obj, {"ownerReferences": refs})
            return
        if obj.metadata.deletionTimestamp is None:
            await self._delete(item, obj, foreground=bool(waiting))

    async def _owner(self, obj: Any, ref: Any) -> Any | None:
        """The owner (cached), True (exists, seen only live), or None (gone)."""
        found = self.uids.get(ref.uid)
        if found is not None:
            cached = self._get(found)
            if cached is not None:
                return cached
        info = await self.ctx.discovery.resolve_kind(ref.apiVersion, ref.kind)
        if info is None:  # never presumed gone: retried until discovery knows the kind
            raise RestMappingError(ref.apiVersion, ref.kind)
        if monitor_name(info) not in self.watched and info in self.ctx.discovery.custom():
            self._monitor(monitor_name(info), info)  # its deletion will now be seen
        ns = obj.metadata.namespace if info.namespaced else None
        try:
            live = await self.client.get(info, ref.name, ns)
        except NotFound:
            return None
        return True if (live.get("metadata") or {}).get("uid") == ref.uid else None

    async def _delete(self, item: Item, obj: Any, foreground: bool) -> None:
        """A dependent of a foreground deletion that has dependents of its own is deleted
        in the foreground too, so the wait cascades down the whole tree."""
        has_dependents = bool(self.dependents.get(obj.metadata.uid))
        policy = "Foreground" if foreground and has_dependents else "Background"
        log.info("garbage collecting %s %s (%s)", item[0], item[1], policy)
        ns = obj.metadata.namespace
        try:
            await self.client.delete(self._info(item), obj.metadata.name, ns,
                                     propagation_policy=policy,
                                     preconditions={"uid": obj.metadata.uid})
        except NotFound:
            pass

    async def _patch_meta(self, item: Item, obj: Any, meta: dict[str, Any]) -> None:
        patch = {"metadata": {**meta, "resourceVersion": obj.metadata.resourceVersion}}
        try:
            await self.client.patch(self._info(item), obj.metadata.name, patch,
                                    obj.metadata.namespace)
        except NotFound:
            pass
