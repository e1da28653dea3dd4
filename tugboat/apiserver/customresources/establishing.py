"""The CRD controllers of the apiextensions-apiserver (naming, establishing, finalizer)
as one level-triggered loop inside the API server: on every CRD change (and on a resync
while a cleanup waits on custom objects' own finalizers) it reconciles every CRD from the
watch cache and republishes the served custom resources. A lost race on a status write is
another API server's write; the change it makes brings the next pass."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import pydantic

from tugboat.api import resources
from tugboat.api.apiextensions import (
    CLEANUP_FINALIZER,
    ESTABLISHED,
    NAMES_ACCEPTED,
    TERMINATING,
    CustomResourceDefinition,
)
from tugboat.api.customresources import CustomResourceInfo, infos_for
from tugboat.api.meta import DeleteOptions, now_rfc3339
from tugboat.apiserver import errors
from tugboat.apiserver.registry import Registry, WriteOptions
from tugboat.apiserver.strategies.generic import copy
from tugboat.apiserver.tables import customresources as printers

log = logging.getLogger(__name__)
Obj = dict[str, Any]
CRDS = resources.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
RESYNC = 10.0  # seconds between full passes when nothing changes
CLEANUP_RETRY = 0.5  # while a deleted CRD waits for its objects' finalizers


def _condition(type_: str, status: str, reason: str, message: str,
               old: list[Obj]) -> Obj:
    prev = next((c for c in old if c.get("type") == type_), None)
    since = prev.get("lastTransitionTime") if prev and prev.get("status") == status else None
    return {"type": type_, "status": status, "lastTransitionTime": since or now_rfc3339(),
            "reason": reason, "message": message}


def _names(crd: Obj) -> Obj:
    return (crd.get("spec") or {}).get("names") or {}


def _conflict(crd: Obj, others: list[Obj]) -> tuple[str, str] | None:
    """(reason, message) when an older CRD of the same group has taken one of its names,
    as the naming controller finds them."""
    group = crd["spec"].get("group")
    mine = _names(crd)
    for other in others:
        if other is crd or other["spec"].get("group") != group:
            continue
        theirs = (other.get("status") or {}).get("acceptedNames") or {}
        taken_plural = {theirs.get("plural"), theirs.get("singular"),
                        *(theirs.get("shortNames") or [])} - {None, ""}
        for name in (mine.get("plural"), mine.get("singular"), *(mine.get("shortNames") or [])):
            if name in taken_plural:
                return "PluralConflict", f'"{name}" is already in use'
        taken_kind = {theirs.get("kind"), theirs.get("listKind")} - {None, ""}
        for name in (mine.get("kind"), mine.get("listKind")):
            if name in taken_kind:
                return "KindConflict", f'"{name}" is already in use'
    return None


def desired_status(crd: Obj, others: list[Obj]) -> Obj:
    """The status the naming and establishing controllers give a live CRD."""
    status = copy(crd.get("status") or {})
    old = status.get("conditions") or []
    conflict = _conflict(crd, others)
    if conflict is None:
        status["acceptedNames"] = _names(crd)
        named = _condition(NAMES_ACCEPTED, "True", "NoConflicts", "no conflicts found", old)
        est = _condition(ESTABLISHED, "True", "InitialNamesAccepted",
                         "the initial names have been accepted", old)
    else:
        named = _condition(NAMES_ACCEPTED, "False", *conflict, old)
        prev_est = next((c for c in old if c.get("type") == ESTABLISHED), None)
        est = prev_est or _condition(ESTABLISHED, "False", "NotAccepted",
                                     "not all names are accepted", old)
    rest = [c for c in old if c.get("type") not in (NAMES_ACCEPTED, ESTABLISHED)]
    status["conditions"] = [named, est, *rest]
    return status


class Establishing:
    def __init__(self, registry: Registry):
        self.reg = registry
        self.cache = registry.cache

    async def run(self) -> None:
        try:
            while True:
                watcher, _ = self.cache.watch(CRDS.key_prefix(), None)
                try:
                    await self._follow(watcher)
                except Exception:  # a bug here must not stop CRDs being served
                    log.exception("the CRD controller failed; restarting it")
                    await asyncio.sleep(CLEANUP_RETRY)
                finally:
                    self.cache.unwatch(watcher)
        finally:
            publish(())

    async def _follow(self, watcher: Any) -> None:
        waiting = await self.sync()
        while True:
            try:
                change = await asyncio.wait_for(watcher.queue.get(),
                                                CLEANUP_RETRY if waiting else RESYNC)
            except TimeoutError:
                change = True
            if change is None:
                return  # the cache relisted: watch again
            while not watcher.queue.empty():
                if watcher.queue.get_nowait() is None:
                    return
            waiting = await self.sync()

    async def sync(self) -> bool:
        """One pass over every CRD; True while a deleted CRD still has objects."""
        waiting = False
        crds = self.cache.list(CRDS.key_prefix())
        crds.sort(key=lambda c: (c["metadata"].get("creationTimestamp") or "",
                                 c["metadata"]["name"]))
        for crd in crds:
            try:
                if crd["metadata"].get("deletionTimestamp"):
                    waiting |= await self._finalize(crd)
                else:
                    await self._establish(crd, crds)
            except errors.ApiError as e:  # a lost race or a CRD gone meanwhile
                log.debug("crd %s: %s", crd["metadata"]["name"], e.message)
                waiting = True
            except Exception:
                log.exception("crd %s", crd["metadata"]["name"])
        publish(tuple(self._served()))
        return waiting

    def _served(self) -> list[CustomResourceInfo]:
        out: list[CustomResourceInfo] = []
        for obj in self.cache.list(CRDS.key_prefix()):
            try:
                crd = CustomResourceDefinition.model_validate(obj)
            except pydantic.ValidationError:
                continue
            if crd.is_established():
                out.extend(infos_for(crd))
        return out

    async def _write_status(self, crd: Obj, status: Obj) -> None:
        if status == crd.get("status"):
            return
        body = {**crd, "status": status}
        await self.reg.update(CRDS, None, crd["metadata"]["name"], body, WriteOptions(), "status")

    async def _establish(self, crd: Obj, crds: list[Obj]) -> None:
        await self._write_status(crd, desired_status(crd, crds))

    async def _finalize(self, crd: Obj) -> bool:
        """Delete the CRD's objects (through the registry: their own finalizers hold them),
        then let the CRD go. True while objects remain."""
        name = crd["metadata"]["name"]
        if CLEANUP_FINALIZER not in (crd["metadata"].get("finalizers") or []):
            return False
        status = copy(crd.get("status") or {})
        old = status.get("conditions") or []
        model = CustomResourceDefinition.model_validate(crd)
        infos = infos_for(model)
        left = 0
        if infos:
            info = infos[0].storage if infos[0].converted else infos[0]
            for obj in self.cache.list(info.key_prefix()):
                m = obj["metadata"]
                if not m.get("deletionTimestamp"):
                    with contextlib.suppress(errors.ApiError):
                        await self.reg.delete(info, m.get("namespace"), m["name"],
                                              DeleteOptions(), WriteOptions())
            left = len(self.cache.list(info.key_prefix()))
        if left:
            term = _condition(TERMINATING, "True", "InstanceDeletionInProgress",
                              f"CustomResource deletion is in progress: {left} left", old)
            status["conditions"] = [*[c for c in old if c.get("type") != TERMINATING], term]
            await self._write_status(crd, status)
            return True
        body = copy(crd)
        body["metadata"]["finalizers"] = [f for f in body["metadata"]["finalizers"]
                                          if f != CLEANUP_FINALIZER]
        await self.reg.update(CRDS, None, name, body, WriteOptions())
        return False


def publish(infos: tuple[CustomResourceInfo, ...]) -> None:
    """Make these the served custom resources: routing and discovery, Table printers."""
    if infos != resources.served()[len(resources.RESOURCES):]:
        resources.serve_dynamic(infos)
        printers.serve(infos)
