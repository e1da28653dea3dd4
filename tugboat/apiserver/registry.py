"""The generic registry: create, get, list, update, delete for every resource of the
table, over the Store and the watch cache. Each write runs one pipeline — decode (types),
default, validate, write with the expected revision — so no kind-specific handler can
skip a check, and a failed check never reaches the store (no partial writes)."""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tugboat.api import defaults, validation
from tugboat.api.meta import now_rfc3339
from tugboat.api.resources import ResourceInfo, lookup
from tugboat.apiserver import allocators, decoding, errors, strategies
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


@dataclass
class Result:
    obj: Obj
    warnings: list[str] = field(default_factory=list)
    created: bool = False


def copy(obj: Obj) -> Obj:
    """A deep copy: cached objects are shared and must never be mutated."""
    return orjson.loads(orjson.dumps(obj))


def encode_continue(rev: int, key: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"rv": rev, "start": key})).decode()


def decode_continue(token: str) -> tuple[int, str]:
    try:
        d = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return int(d["rv"]), str(d["start"])
    except Exception:
        raise errors.bad_request("continue key is not valid: invalid encoding") from None


class Registry:
    def __init__(self, store: Store, cache: WatchCache,
                 observe_commit: Callable[[float], None] | None = None):
        self.store = store
        self.cache = cache
        self._observe = observe_commit or (lambda _s: None)

    # -- reads ----------------------------------------------------------------------

    def get(self, info: ResourceInfo, ns: str | None, name: str) -> Obj:
        obj = self.cache.get(info.key(ns, name))
        if obj is None:
            raise errors.not_found(info, name)
        return obj

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
            return [o for _, o in page], str(rev), encode_continue(rev, last)
        return [o for _, o in objs], str(rev), None

    # -- writes ---------------------------------------------------------------------

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

    def _typed(self, info: ResourceInfo, body: Obj, opts: WriteOptions,
               old: Obj | None) -> tuple[Any, list[str]]:
        """Decode, default and validate; returns the model and the unknown-field warnings."""
        name = body.get("metadata", {}).get("name")
        model = decoding.decode(info, body, name)
        if old is None:
            strategies.default_on_create(model)
        else:
            defaults.apply_defaults(model)
        wire = model.wire()
        warnings = decoding.field_validation_outcome(
            opts.field_validation, decoding.unknown_fields(body, wire))
        old_model = info.model.model_validate(old) if old is not None else None
        causes = validation.validate(model, old_model)
        if causes:
            raise errors.invalid(info, name, causes)
        return model, warnings

    async def create(self, info: ResourceInfo, ns: str | None, body: Obj,
                     opts: WriteOptions) -> Result:
        decoding.check_type_meta(info, body)
        meta = body.get("metadata")
        if "metadata" in body and not isinstance(meta, dict):  # null too: not an object
            raise errors.bad_request("metadata must be an object")
        if (meta or {}).get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        body_ns = (meta or {}).get("namespace")
        if info.namespaced and body_ns and body_ns != ns:
            raise errors.bad_request("the namespace of the provided object does not match the "
                                     "namespace sent on the request")
        generated = bool((meta or {}).get("generateName")) and not (meta or {}).get("name")
        strategies.prepare_create_meta(info, body, ns)
        if info.kind == "Service":
            allocators.allocate_service(body, self.cache.list(info.key_prefix()))
        model, warnings = self._typed(info, body, opts, None)
        wire = model.wire()
        name = wire["metadata"]["name"]
        self._check_namespace(info, ns, name)
        if opts.dry_run:
            if self.cache.get(info.key(ns, name)) is not None:
                raise errors.already_exists(info, name)
            return Result(wire, warnings, created=True)
        for _ in range(GENERATE_NAME_RETRIES if generated else 1):
            try:
                kv = await self._commit(self.store.create(info.key(ns, name),
                                                          orjson.dumps(wire)))
                break
            except KeyExists:
                if not generated:
                    raise errors.already_exists(info, name) from None
                # Kubernetes' RetryGenerateName: a clash of random suffixes is the
                # server's problem, not the client's
                name = strategies.generate_name(wire["metadata"]["generateName"])
                wire["metadata"]["name"] = name
        else:
            raise errors.already_exists(info, name)
        wire["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(wire, warnings, created=True)

    async def update(self, info: ResourceInfo, ns: str | None, name: str, body: Obj,
                     opts: WriteOptions, sub: str | None = None, *,
                     expected: int | None = None) -> Result:
        """PUT: replace the object (or its status). `expected` is the revision the caller
        based its change on (patches); otherwise body.metadata.resourceVersion, if any."""
        decoding.check_type_meta(info, body)
        meta = body.get("metadata")
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match "
                                     f"the name on the URL ({name})")
        meta["name"] = name
        if info.namespaced and meta.get("namespace") and meta["namespace"] != ns:
            raise errors.bad_request("the namespace of the provided object does not match the "
                                     "namespace sent on the request")
        old = self.cache.get(info.key(ns, name))
        if old is None:
            raise errors.not_found(info, name)
        if expected is None:
            rv = meta.get("resourceVersion")
            if rv:
                if not str(rv).isdigit():
                    raise errors.bad_request(f'invalid resourceVersion "{rv}"')
                expected = int(rv)
            else:
                expected = int(old["metadata"]["resourceVersion"])
        if expected != int(old["metadata"]["resourceVersion"]):
            raise errors.conflict(info, name)
        new = strategies.merge_update(info, body, old, sub)
        model, warnings = self._typed(info, new, opts, old)
        wire = model.wire()
        if self.finalized(wire):
            return await self.remove(info, ns, name, old, opts)
        if opts.dry_run:
            return Result(wire, warnings)
        wire["metadata"].pop("resourceVersion", None)
        if wire == {**old, "metadata": {k: v for k, v in old["metadata"].items()
                                        if k != "resourceVersion"}}:
            return Result(old, warnings)  # as Kubernetes: a no-op write keeps its revision
        try:
            kv = await self._commit(self.store.update(info.key(ns, name), orjson.dumps(wire),
                                                      expected))
        except Conflict:
            raise errors.conflict(info, name) from None
        except KeyNotFound:
            raise errors.not_found(info, name) from None
        wire["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(wire, warnings)

    async def lost_race(self, e: errors.ApiError, rev: int) -> None:
        """Re-raise `e` unless it says another writer won the race for revision `rev`;
        then wait until the cache holds that write, so the retry reads it."""
        if not (e.code == 409 and e.reason == "Conflict"):
            raise e
        await self.cache.wait_for(rev + 1)

    async def guaranteed_update(self, info: ResourceInfo, ns: str | None, name: str,
                                mutate: Callable[[Obj], Obj], opts: WriteOptions,
                                sub: str | None = None) -> Result:
        """Read, mutate a copy, write conditionally; retry when another writer won the race.
        `mutate` may raise ApiError to refuse."""
        for _ in range(CONFLICT_RETRIES):
            cur = self.get(info, ns, name)
            rev = int(cur["metadata"]["resourceVersion"])
            new = mutate(copy(cur))
            try:
                return await self.update(info, ns, name, new, opts, sub, expected=rev)
            except errors.ApiError as e:
                await self.lost_race(e, rev)
        raise errors.conflict(info, name)

    # -- deletion -------------------------------------------------------------------

    @staticmethod
    def finalized(obj: Obj) -> bool:
        """An object marked for deletion whose finalizers are all gone and whose grace
        period has run out is removed by the write that cleared the last finalizer."""
        m = obj["metadata"]
        return bool(m.get("deletionTimestamp")) and not m.get("finalizers") \
            and not m.get("deletionGracePeriodSeconds") \
            and not (obj.get("kind") == "Namespace" and (obj.get("spec") or {}).get("finalizers"))

    async def remove(self, info: ResourceInfo, ns: str | None, name: str, cur: Obj,
                      opts: WriteOptions) -> Result:
        if opts.dry_run:
            return Result(cur)
        try:
            kv = await self._commit(self.store.delete(info.key(ns, name),
                                                      int(cur["metadata"]["resourceVersion"])))
        except KeyNotFound:
            raise errors.not_found(info, name) from None
        except Conflict:
            raise errors.conflict(info, name) from None
        obj = orjson.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(obj)

    async def delete(self, info: ResourceInfo, ns: str | None, name: str, options: Any,
                     opts: WriteOptions) -> Result:
        """DELETE with Kubernetes' options: preconditions, graceful deletion of bound pods
        (deletionTimestamp + grace), finalizers (propagation policy), else removal now."""
        for _ in range(CONFLICT_RETRIES):
            cur = self.get(info, ns, name)
            pre = options.preconditions
            if pre and pre.uid and pre.uid != cur["metadata"].get("uid"):
                raise errors.conflict(info, name, f"Precondition failed: UID in precondition: "
                                      f"{pre.uid}, UID in object meta: {cur['metadata'].get('uid')}")
            if pre and pre.resourceVersion and pre.resourceVersion != cur["metadata"]["resourceVersion"]:
                raise errors.conflict(info, name, "Precondition failed: ResourceVersion in "
                                      f"precondition: {pre.resourceVersion}, ResourceVersion in "
                                      f"object meta: {cur['metadata']['resourceVersion']}")
            if info.kind == "Namespace" and name in strategies.PROTECTED_NAMESPACES:
                raise errors.forbidden(info, name, "this namespace may not be deleted")
            try:
                return await self._delete_once(info, ns, name, cur, options, opts)
            except errors.ApiError as e:
                await self.lost_race(e, int(cur["metadata"]["resourceVersion"]))
        raise errors.conflict(info, name)

    async def _delete_once(self, info: ResourceInfo, ns: str | None, name: str, cur: Obj,
                           options: Any, opts: WriteOptions) -> Result:
        grace = strategies.grace_period(info, cur, options.gracePeriodSeconds)
        finalizers = list(cur["metadata"].get("finalizers") or [])
        policy = options.propagationPolicy
        if policy is None and options.orphanDependents:
            policy = "Orphan"
        extra = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(policy or "")
        if extra and extra not in finalizers and not cur["metadata"].get("deletionTimestamp"):
            finalizers.append(extra)
        if info.kind == "Namespace":
            return await self._mark_terminating(info, name, cur, opts)
        marked = cur["metadata"].get("deletionTimestamp")
        if not finalizers and grace == 0:
            return await self.remove(info, ns, name, cur, opts)
        if marked and not (grace < (cur["metadata"].get("deletionGracePeriodSeconds") or 0)):
            return Result(cur)  # already going; nothing shortens it
        new = copy(cur)
        m = new["metadata"]
        m["finalizers"] = finalizers or None
        if m["finalizers"] is None:
            m.pop("finalizers")
        m["deletionTimestamp"] = _after(grace)
        m["deletionGracePeriodSeconds"] = grace
        return await self.write_raw(info, ns, name, cur, new, opts)

    async def _mark_terminating(self, info: ResourceInfo, name: str, cur: Obj,
                                opts: WriteOptions) -> Result:
        if cur["metadata"].get("deletionTimestamp"):
            return Result(cur)
        new = copy(cur)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new.setdefault("status", {})["phase"] = "Terminating"
        if not (new.get("spec") or {}).get("finalizers") and not new["metadata"].get("finalizers"):
            return await self.remove(info, None, name, cur, opts)
        return await self.write_raw(info, None, name, cur, new, opts)

    async def guaranteed_raw_update(self, info: ResourceInfo, ns: str | None, name: str,
                                    mutate: Callable[[Obj], Obj], opts: WriteOptions) -> Result:
        """As guaranteed_update, for the server's own writes that bypass the update
        rules (binding sets spec.nodeName and the PodScheduled condition in one write)."""
        for _ in range(CONFLICT_RETRIES):
            cur = self.get(info, ns, name)
            new = mutate(copy(cur))  # outside the try: its refusals are final
            try:
                return await self.write_raw(info, ns, name, cur, new, opts)
            except errors.ApiError as e:
                await self.lost_race(e, int(cur["metadata"]["resourceVersion"]))
        raise errors.conflict(info, name)

    async def write_raw(self, info: ResourceInfo, ns: str | None, name: str, cur: Obj,
                        new: Obj, opts: WriteOptions) -> Result:
        if opts.dry_run:
            return Result(new)
        new["metadata"].pop("resourceVersion", None)
        try:
            kv = await self._commit(self.store.update(
                info.key(ns, name), orjson.dumps(new), int(cur["metadata"]["resourceVersion"])))
        except Conflict:
            raise errors.conflict(info, name) from None
        except KeyNotFound:
            raise errors.not_found(info, name) from None
        new["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return Result(new)


def _after(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))
