"""The field manager the API server runs on every write (Kubernetes' fieldmanager chain
around structured-merge-diff's Updater): an update gives its manager the fields it changed
and takes them from everyone else; an apply makes the configuration its manager's set,
prunes what that manager stopped applying, and refuses to change other managers' fields
unless forced.

Simplifications: one schema per kind (every version of a kind is compared as it is
stored), and the structure of fields comes from `structure`, not from an OpenAPI schema.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson

from tugboat.api import gojson
from tugboat.api.fieldmanager import fieldpath as fp
from tugboat.api.fieldmanager import managedfields as mf
from tugboat.api.fieldmanager.conflicts import ApplyConflict, Conflict, describe_manager
from tugboat.api.fieldmanager.merge import compare, field_set, merge, remove
from tugboat.api.meta import StatusCause, now_rfc3339

Obj = dict[str, Any]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# The manager whose applies keep client-side apply's annotation in step and may take the
# fields that annotation names (kubectl's own --server-side default).
KUBECTL = "kubectl"

# Fields no manager owns (stripMetaManager): type meta and server-set metadata.
_STRIPPED_META = ("f:name", "f:namespace", "f:creationTimestamp", "f:selfLink", "f:uid",
                  "f:clusterName", "f:generation", "f:managedFields", "f:resourceVersion")


class InvalidManagedFields(Exception):
    """Client-set managedFields that decode but do not validate (a 422)."""

    def __init__(self, causes: list[StatusCause]) -> None:
        super().__init__("invalid managedFields")
        self.causes = causes


class BadApply(Exception):
    """An apply configuration the field manager cannot take (a 400)."""


def manager_name(field_manager: str | None, user_agent: str | None) -> str:
    """managerOrUserAgent: the fieldManager parameter, else the User-Agent's product
    (what precedes the first "/") without its unprintable characters, cut to 128 bytes on
    a character boundary (prefixFromUserAgent) — a manager the managedFields validation
    takes, whatever the agent sends."""
    if field_manager:
        return field_manager
    out, size = [], 0
    for ch in (user_agent or "").split("/", 1)[0]:
        if not ch.isprintable():
            continue
        n = len(ch.encode())
        if size + n > mf.MAX_MANAGER_LENGTH:
            break
        out.append(ch)
        size += n
    return "".join(out)


def _strip(fields: fp.Set) -> fp.Set:
    fields = fp.without(fields, "f:apiVersion", "f:kind")
    meta = fields.get("f:metadata")
    if meta is None:
        return fields
    meta = fp.without({k: v for k, v in meta.items() if k != fp.SELF}, *_STRIPPED_META)
    out = {k: v for k, v in fields.items() if k != "f:metadata"}
    if meta:
        out["f:metadata"] = meta
    return out


def _without_managed(obj: Obj | None) -> Obj:
    if not obj:
        return {}
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


class FieldManager:
    """Field ownership for writes of one kind through one endpoint: `api_version` is what
    entries record, `subresource` ("" for the object itself) what they are made through."""

    def __init__(self, kind: str, api_version: str, subresource: str = "") -> None:
        self.kind = kind
        self.api_version = api_version
        self.subresource = subresource
        # Fields this endpoint resets, so nobody owns them through it (GetResetFields):
        # the object's writes keep the stored status, /status keeps the stored spec.
        self._reset = ("f:spec",) if subresource == "status" else ("f:status",)

    def _filter(self, fields: fp.Set) -> fp.Set:
        return fp.without(_strip(fields), *self._reset)

    def _live_entries(self, live: Obj | None) -> mf.Managed:
        raw = ((live or {}).get("metadata") or {}).get("managedFields")
        return mf.decode(raw, trusted=True) or {}

    # -- update ---------------------------------------------------------------------------

    def update(self, live: Obj | None, new: Obj, manager: str) -> list[dict[str, Any]]:
        """The managedFields of `new`, written by `manager` over `live` (None: a create).
        The entries `new` carries replace the stored ones when they decode (a client may
        rewrite managedFields; `[]` drops them all), except through a subresource."""
        raw = (new.get("metadata") or {}).get("managedFields")
        if self.subresource:
            managed = self._live_entries(live)
        elif mf.is_reset(raw):
            return []
        elif live is not None and raw == live["metadata"].get("managedFields"):
            managed = self._live_entries(live)  # sent back as read (GET, change, PUT)
        else:
            if raw:
                causes = mf.validate(raw)
                if causes and mf.decode(raw) is not None:
                    raise InvalidManagedFields(causes)
            managed = mf.decode(raw) or {}
            if not managed:
                managed = self._live_entries(live)
        added, modified, removed = compare(_without_managed(live) if live else None,
                                           _without_managed(new), self.kind)
        changed = self._filter(fp.union(added, modified))
        removed = self._filter(removed)
        mine = mf.Entry(manager, mf.UPDATE, self.api_version, {}, None, self.subresource)
        out: mf.Managed = {}
        for ident, e in managed.items():
            rest = fp.difference(fp.difference(e.fields, changed), removed)
            if ident == mine.identity:
                mine = replace(e, fields=rest)
            elif rest:
                out[ident] = e if rest is e.fields else replace(e, fields=rest)
        if changed:
            mine = replace(mine, fields=fp.union(mine.fields, changed),
                           time=now_rfc3339(), api_version=self.api_version)
        if mine.fields:
            out[mine.identity] = mine
        return mf.encode(mf.cap_updates(out))

    # -- apply ----------------------------------------------------------------------------

    def apply(self, live: Obj | None, config: Obj, manager: str, force: bool) -> Obj:
        """The object after `manager` applies `config` over `live` (None: it is created),
        its managedFields set. Raises ApplyConflict when it would change fields other
        managers own and `force` is not set."""
        if (config.get("metadata") or {}).get("managedFields") is not None:
            raise BadApply("metadata.managedFields must be nil")
        try:
            return self._apply(live, config, manager, force)
        except ApplyConflict as e:
            if manager != KUBECTL or force:
                raise
            allowed = self._last_applied_fields(live)
            if allowed is None:
                raise
            left = [c for c in e.conflicts if not _within(c.path, allowed)]
            if left:
                raise ApplyConflict(left) from None
            # kubectl's upgrade from client-side apply: fields its annotation names are
            # the same user's, so the apply takes them
            return self._apply(live, config, manager, True)

    def _apply(self, live: Obj | None, config: Obj, manager: str, force: bool) -> Obj:
        managed = self._live_entries(live)
        base = _without_managed(live)
        mine = mf.Entry(manager, mf.APPLY, self.api_version, {}, None, self.subresource)
        last = managed.get(mine.identity)
        applied = self._filter(field_set(config, self.kind))
        merged = merge(base, config, self.kind)
        others = {i: e for i, e in managed.items() if i != mine.identity}
        if last is not None and last.fields:
            owned_by_others: fp.Set = {}
            for e in others.values():
                owned_by_others = fp.union(owned_by_others, e.fields)
            keep = fp.union(owned_by_others, applied)
            merged = remove(merged, fp.difference(last.fields, keep), keep, self.kind)
        added, modified, removed = compare(base if live else None, merged, self.kind)
        changed = self._filter(fp.union(added, modified))
        removed = self._filter(removed)
        conflicts: list[Conflict] = []
        out: mf.Managed = {}
        for ident, e in others.items():
            taken = fp.intersection(e.fields, changed)
            if taken:
                who = describe_manager(e.manager, e.operation, e.api_version, e.subresource)
                conflicts += [Conflict(who, p) for p in fp.paths(taken)]
            rest = fp.difference(fp.difference(e.fields, changed), removed)
            if rest:
                out[ident] = e if rest is e.fields else replace(e, fields=rest)
        if conflicts and not force:
            raise ApplyConflict(conflicts)
        moved = merged != base
        time = now_rfc3339() if moved or last is None else last.time
        if applied:
            out[mine.identity] = replace(mine, fields=applied, time=time)
        if manager == KUBECTL and live is not None:
            merged = _sync_last_applied(merged, config)
        meta = dict(merged.get("metadata") or {})
        meta["managedFields"] = mf.encode(mf.cap_updates(out))
        return {**merged, "metadata": meta}

    def _last_applied_fields(self, live: Obj | None) -> fp.Set | None:
        raw = (((live or {}).get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
        if not raw:
            return None
        try:
            last = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(last, dict):
            return None
        return self._filter(field_set(last, self.kind))


def _within(path: fp.Path, fields: fp.Set) -> bool:
    node = fields
    for pe in path:
        sub = node.get(pe)
        if sub is None:
            return False
        node = sub
    return not node or fp.SELF in node


def _sync_last_applied(obj: Obj, config: Obj) -> Obj:
    """lastAppliedUpdater: an object client-side apply manages keeps its annotation equal
    to what kubectl applied last, now server-side, so a later client-side apply still
    computes the right patch. Written as Kubernetes writes it (the unstructured JSON
    encoder: keys sorted, compact, HTML escaped, a trailing newline; an annotations map
    left empty by removing the annotation itself stays `{}`), byte for byte what kubectl's
    own client-side apply writes (tug apply writes it the same way)."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if not annotations.get(LAST_APPLIED):
        return obj
    cfg_meta = dict(config.get("metadata") or {})
    if cfg_meta.get("annotations") is not None:
        cfg_meta["annotations"] = {k: v for k, v in cfg_meta["annotations"].items()
                                   if k != LAST_APPLIED}
    text = gojson.dumps({**config, "metadata": cfg_meta}, sort_keys=True) + "\n"
    meta = dict(obj["metadata"])
    meta["annotations"] = {**annotations, LAST_APPLIED: text}
    return {**obj, "metadata": meta}
