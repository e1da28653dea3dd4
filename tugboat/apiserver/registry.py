"""The generic registry: create, get, list, update, delete for every resource of the
table, over the Store and the watch cache. Every write — the object, each subresource
(status, scale, binding, finalize, eviction) and a delete's own marking — runs one
pipeline: the kind's strategy prepares the object, mutating admission sees the wire body,
then decode (types), default, validate, validating admission on the final object, and a
write with the expected revision. No kind-specific handler can skip a check, and a
refused write never reaches the store (no partial writes). The steps on the body live
apart: beforewrite (checks, typing, validation), managedfields (the field manager)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tugboat.api.resources import ResourceInfo, lookup
from tugboat.apiserver import beforewrite, errors, managedfields, preconditions, versioning
from tugboat.apiserver.admission.interface import AdmissionChain, AdmissionRequest, Operation
from tugboat.apiserver.auth.user import PRIVILEGED, UserInfo
from tugboat.apiserver.continuetoken import decode_continue, encode_continue
from tugboat.apiserver.storageform import encode
from tugboat.apiserver.strategies import GracefulDeletion, Strategy, strategy_for
from tugboat.apiserver.strategies.generic import copy
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import Compacted, Conflict, KeyExists, KeyNotFound, Store

Obj = dict[str, Any]
NAMESPACES = lookup("", "v1", "namespaces")
# Retries of a read-modify-write that lost a race. Each retry follows another writer's
# success, so this bounds contention, not time: Kubernetes' GuaranteedUpdate has no
# bound at all, and 8 made a patch 409 as soon as ~10 clients patched one object.
CONFLICT_RETRIES = 100
GENERATE_NAME_RETRIES = 8


@dataclass
class WriteOptions:
    dry_run: bool = False
    field_validation: str | None = None
    field_manager: str | None = None
    user: UserInfo = PRIVILEGED  # who writes: admission plugins decide by it
    force: bool | None = None  # apply's `force`; None when the request did not say
    user_agent: str | None = None  # names the field manager when fieldManager is unset
    fields_managed: bool = False  # server-side apply already set the body's managedFields


@dataclass
class Result:
    obj: Obj
    warnings: list[str] = field(default_factory=list)
    created: bool = False
    removed: bool = False  # a delete that took the object out of the store (or would have:
    # a dry run), as opposed to one left pending on a grace period or finalizers


class LostRace(errors.ApiError):
    """A 409 Conflict because the stored object moved on from the revision the write was
    based on: a read-modify-write may retry it, unlike a strategy's own 409 refusals
    (an already bound pod)."""


def _lost_race(info: ResourceInfo, name: str) -> LostRace:
    e = errors.conflict(info, name)
    return LostRace(e.code, e.reason, e.message, e.details)


class Registry:
    def __init__(self, store: Store, cache: WatchCache,
                 observe_commit: Callable[[float], None] | None = None, *,
                 admission: AdmissionChain | None = None):
        self.store = store
        self.cache = cache
        self.admission = admission or AdmissionChain()
        self._observe = observe_commit or (lambda _s: None)

    # -- reads ----------------------------------------------------------------------

    def get(self, info: ResourceInfo, ns: str | None, name: str) -> Obj:
        obj = self.cache.get(info.key(ns, name))
        if obj is None:
            raise errors.not_found(info, name)
        return versioning.served(info, obj) if info.converted else obj

    async def list(self, info: ResourceInfo, ns: str | None, match: Callable[[Obj], bool] | None,
                   limit: int = 0, cont: str | None = None,
                   resource_version: str | None = None) -> tuple[list[Obj], str, str | None]:
        """(items, list resourceVersion, continue token). The first page comes from the
        cache; later pages from the store at the first page's revision, so a paginated
        list is one consistent snapshot (410 once that revision is compacted)."""
        prefix = info.key_prefix(ns)
        if cont:
            rev, start = decode_continue(cont)
            try:
                kvs, _ = await self.store.list(prefix, rev)
            except Compacted:
                raise errors.gone("The provided continue parameter is too old to display a "
                                  "consistent list result. You can start a new list without "
                                  "the continue parameter.") from None
            objs = []
            for kv in kvs:
                if kv.key > start:
                    o = orjson.loads(kv.value)
                    o["metadata"]["resourceVersion"] = str(kv.mod_revision)
                    if match is None or match(o):
                        objs.append((kv.key, o))
        else:
            rev = self.cache.rev
            objs = [(None, o) for o in self.cache.list(prefix, match)]
        if limit and len(objs) > limit:
            page = objs[:limit]
            last = page[-1][0] or info.key(page[-1][1]["metadata"].get("namespace"),
                                           page[-1][1]["metadata"]["name"])
            return self._served(info, page), str(rev), encode_continue(rev, last)
        return self._served(info, objs), str(rev), None

    @staticmethod
    def _served(info: ResourceInfo, objs: list[tuple[str | None, Obj]]) -> list[Obj]:
        if info.converted:
            return [versioning.served(info, o) for _, o in objs]
        return [o for _, o in objs]

    # -- the pipeline's steps --------------------------------------------------------

    async def _commit(self, op: Awaitable[Any]) -> Any:
        t0 = time.perf_counter()
        kv = await op
        self._observe(time.perf_counter() - t0)
        await self.cache.wait_for(kv.mod_revision)
        return kv

    def _check_namespace(self, info: ResourceInfo, ns: str | None, name: str) -> None:
        if not info.namespaced:
            return
        nsobj = self.cache.get(NAMESPACES.key(None, ns or ""))
        if nsobj is None:
            raise errors.not_found(NAMESPACES, ns or "")
        if nsobj["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(info, name, f"unable to create new content in namespace "
                                               f"{ns} because it is being terminated")

    def _request(self, strat: Strategy, operation: Operation, ns: str | None, name: str,
                 obj: Obj | None, old: Obj | None, opts: WriteOptions,
                 sub: str | None = None) -> AdmissionRequest:
        return AdmissionRequest(info=strat.info, operation=operation, namespace=ns, name=name,
                                subresource=sub or strat.subresource, obj=obj, old=old,
                                user=opts.user, dry_run=opts.dry_run)

    def _admit(self, req: AdmissionRequest) -> Obj:
        """Mutating admission on req.obj; returns the (possibly changed) body. A copy goes
        to the plugins: the body may share nested parts with cached objects."""
        if self.admission.mutating:
            req.obj = copy(req.obj) if req.obj is not None else None
            self.admission.admit(req)
        return req.obj  # type: ignore[return-value]

    def admit_subresource(self, info: ResourceInfo, ns: str | None, name: str, sub: str,
                          body: Obj, opts: WriteOptions) -> tuple[Obj, list[str]]:
        """Admission of a POST subresource served outside the registry (reststorage's
        serviceaccounts/token): a CREATE of `sub` with the body, the stored parent as
        old. Returns the admitted body and the plugins' warnings."""
        strat = strategy_for(info)
        req = self._request(strat, Operation.CREATE, ns, name, body,
                            self.get(info, ns, name), opts, sub)
        body = self._admit(req)
        self.admission.validate(req)
        return body, req.warnings

    @staticmethod
    def _manage_fields(strat: Strategy, old: Obj | None, wire: Obj, opts: WriteOptions) -> None:
        """managedFields on the final object of a create or update, unless server-side
        apply already computed its own."""
        if not opts.fields_managed:
            managedfields.record(strat, old, wire, managedfields.manager(
                opts.field_manager, opts.user_agent))

    # -- create ---------------------------------------------------------------------

    async def create(self, info: ResourceInfo, ns: str | None, body: Obj,
                     opts: WriteOptions) -> Result:
        if info.converted:  # typed as its own version, written as the stored one
            stored, warnings = versioning.storage_body(info, body, opts.field_validation)
            return self._converted(info, await self.create(info.storage, ns, stored, opts),
                                   warnings)
        generated = beforewrite.check_create(info, ns, body)
        strat = strategy_for(info)
        strat.prepare_for_create(body, ns, lambda: self.cache.list(info.key_prefix()))
        req = self._request(strat, Operation.CREATE, ns, body["metadata"].get("name") or "",
                            body, None, opts)
        body = self._admit(req)
        wire, warnings = beforewrite.typed(strat, body, opts.field_validation, None)
        self._manage_fields(strat, None, wire, opts)
        name = wire["metadata"]["name"]
        self._check_namespace(info, ns, name)
        req.obj = wire
        self.admission.validate(req)
        warnings += req.warnings
        if opts.dry_run:
            if self.cache.get(info.key(ns, name)) is not None:
                raise errors.already_exists(info, name)
            return Result(wire, warnings, created=True)
        for _ in range(GENERATE_NAME_RETRIES if generated else 1):
            try:
                kv = await self._commit(self.store.create(info.key(ns, name),
                                                          encode(info, name, wire)))
                break
            except KeyExists:
                if not generated:
                    raise errors.already_exists(info, name) from None
                # Kubernetes' RetryGenerateName: a clash of random suffixes is the
                # server's problem, not the client's
                name = strat.generate_name(wire["metadata"]["generateName"])
                wire["metadata"]["name"] = name
        else:
            raise errors.already_exists(info, name)
        wire["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(wire, warnings, created=True)

    # -- update ---------------------------------------------------------------------

    async def update(self, info: ResourceInfo, ns: str | None, name: str, body: Obj,
                     opts: WriteOptions, sub: str | None = None, *,
                     expected: int | None = None) -> Result:
        """PUT of the object or a subresource. For the object and /status, `expected` is
        the revision the caller based its change on (patches), else the body's
        metadata.resourceVersion, if any. A Scale or Binding body is the subresource's."""
        if info.converted:
            stored, warnings = versioning.storage_body(info, body, opts.field_validation)
            return self._converted(info, await self.update(info.storage, ns, name, stored,
                                                           opts, sub, expected=expected),
                                   warnings)
        strat = strategy_for(info, sub)
        if not strat.own_body:
            expected = preconditions.check_update_body(info, ns, name, body, expected)
        return await self._update(strat, ns, name, body, opts, expected)

    async def _update(self, strat: Strategy, ns: str | None, name: str, body: Obj,
                      opts: WriteOptions, expected: int | None, *,
                      admitted: bool = False) -> Result:
        """The update pipeline every change of a stored object passes: the strategy turns
        the body into the new object, admission (unless the request was admitted as
        something else: a delete's marking) and validation, then a conditional write."""
        info = strat.info
        old = self.cache.get(info.key(ns, name))
        if old is None:
            raise errors.not_found(info, name)
        if expected is not None and expected != int(old["metadata"]["resourceVersion"]):
            raise _lost_race(info, name)
        req = None if admitted else self._request(strat, strat.operation, ns, name, body,
                                                  old, opts)
        if strat.own_body:  # plugins see the Binding or Scale itself
            new = strat.prepare_for_update(self._admit(req) if req else body, old)
        else:
            new = strat.prepare_for_update(body, old)
            if req is not None:
                req.obj = new
                new = self._admit(req)
        wire, warnings = beforewrite.typed(strat, new, opts.field_validation, old)
        beforewrite.settle_generation(wire, old)
        if req is not None:  # a delete's own marking is no manager's change
            self._manage_fields(strat, old, wire, opts)
        if req is not None:
            if not strat.own_body:
                req.obj = wire
            self.admission.validate(req)
            warnings += req.warnings
        if strat.finalized(wire):
            res = await self.remove(info, ns, name, old, opts)
            return Result(res.obj, warnings, removed=True)
        if opts.dry_run:
            return Result(wire, warnings)
        wire["metadata"].pop("resourceVersion", None)
        if wire == {**old, "metadata": {k: v for k, v in old["metadata"].items()
                                        if k != "resourceVersion"}}:
            return Result(old, warnings)  # as Kubernetes: a no-op write keeps its revision
        try:
            kv = await self._commit(self.store.update(
                info.key(ns, name), encode(info, name, wire),
                int(old["metadata"]["resourceVersion"])))
        except Conflict:
            raise _lost_race(info, name) from None
        except KeyNotFound:
            raise errors.not_found(info, name) from None
        wire["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(wire, warnings)

    @staticmethod
    def _converted(info: ResourceInfo, res: Result, warnings: list[str]) -> Result:
        """A storage-version result as the converted version `info` answers it."""
        res.obj = versioning.served(info, res.obj)
        res.warnings = warnings + res.warnings
        return res

    async def lost_race(self, e: errors.ApiError, rev: int) -> None:
        """Re-raise `e` unless another writer won the race for revision `rev`; then wait
        until the cache holds that write, so the retry reads it."""
        if not isinstance(e, LostRace):
            raise e
        await self.cache.wait_for(rev + 1)

    async def guaranteed_update(self, info: ResourceInfo, ns: str | None, name: str,
                                body: Obj, opts: WriteOptions, sub: str | None = None) -> Result:
        """An update based on whatever is stored now, retried when another writer won the
        race: for subresource writes whose body carries no revision (binding, scale,
        finalize). The strategy's own refusals are final."""
        if info.converted:  # the bodies are the subresources' own, not versioned objects
            return self._converted(info, await self.guaranteed_update(
                info.storage, ns, name, body, opts, sub), [])
        strat = strategy_for(info, sub)
        for _ in range(CONFLICT_RETRIES):
            rev = int(self.get(info, ns, name)["metadata"]["resourceVersion"])
            try:
                return await self._update(strat, ns, name, copy(body), opts, rev)
            except errors.ApiError as e:
                await self.lost_race(e, rev)
        raise errors.conflict(info, name)

    # -- deletion -------------------------------------------------------------------

    async def remove(self, info: ResourceInfo, ns: str | None, name: str, cur: Obj,
                     opts: WriteOptions) -> Result:
        if opts.dry_run:
            return Result(cur, removed=True)
        try:
            kv = await self._commit(self.store.delete(info.key(ns, name),
                                                      int(cur["metadata"]["resourceVersion"])))
        except KeyNotFound:
            raise errors.not_found(info, name) from None
        except Conflict:
            raise _lost_race(info, name) from None
        obj = orjson.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(obj, removed=True)

    def admit_eviction(self, info: ResourceInfo, ns: str | None, name: str, eviction: Obj,
                       opts: WriteOptions) -> None:
        """Admission of a pods/eviction CREATE before anything of the eviction is written
        (the budget's disruption, the pod's DisruptionTarget condition), as Kubernetes'
        eviction REST runs its createValidation first: a refused eviction changes nothing."""
        strat = strategy_for(info)
        req = self._request(strat, Operation.CREATE, ns, name, eviction,
                            self.get(info, ns, name), opts, "eviction")
        self._admit(req)
        self.admission.validate(req)

    async def delete(self, info: ResourceInfo, ns: str | None, name: str, options: Any,
                     opts: WriteOptions, *, eviction: Obj | None = None,
                     admitted: bool = False) -> Result:
        """DELETE with Kubernetes' options: preconditions, graceful deletion (the kind's
        grace period), finalizers (propagation policy), else removal now. Admission sees
        a DELETE — or, for `eviction` (the body of a pods/eviction), a CREATE of it, unless
        `admitted` (admit_eviction ran first)."""
        if info.converted:
            return self._converted(info, await self.delete(info.storage, ns, name, options,
                                                           opts, eviction=eviction,
                                                           admitted=admitted), [])
        strat = strategy_for(info)
        for _ in range(CONFLICT_RETRIES):
            cur = self.get(info, ns, name)
            preconditions.check_delete(info, name, cur, options)
            why = strat.check_delete(cur)
            if why:
                raise errors.forbidden(info, name, why)
            if eviction is None:
                req = self._request(strat, Operation.DELETE, ns, name, None, cur, opts)
                self.admission.validate(req)
            else:
                req = self._request(strat, Operation.CREATE, ns, name, eviction, cur, opts,
                                    "eviction")
                if not admitted:
                    self._admit(req)
                    self.admission.validate(req)
            try:
                res = await self._delete_once(strat, ns, name, cur, options, opts)
            except errors.ApiError as e:
                await self.lost_race(e, int(cur["metadata"]["resourceVersion"]))
                continue
            res.warnings += req.warnings
            return res
        raise errors.conflict(info, name)

    async def _delete_once(self, strat: Strategy, ns: str | None, name: str, cur: Obj,
                           options: Any, opts: WriteOptions) -> Result:
        grace = strat.grace_period(cur, options.gracePeriodSeconds)
        finalizers = list(cur["metadata"].get("finalizers") or [])
        policy = options.propagationPolicy
        if policy is None and options.orphanDependents:
            policy = "Orphan"
        extra = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(policy or "")
        if extra and extra not in finalizers and not cur["metadata"].get("deletionTimestamp"):
            finalizers.append(extra)
        left = strat.mark_for_deletion(cur, grace, finalizers)
        if left is None:
            return await self.remove(strat.info, ns, name, cur, opts)
        if left is cur:
            return Result(cur)
        return await self._update(GracefulDeletion(strat), ns, name, left, opts,
                                  int(cur["metadata"]["resourceVersion"]), admitted=True)
