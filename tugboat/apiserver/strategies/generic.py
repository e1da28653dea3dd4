"""The default strategy (Kubernetes' rest.RESTCreateStrategy, RESTUpdateStrategy and
RESTGracefulDeleteStrategy in one object): the rules every kind follows unless its own
module says otherwise. A kind's strategy subclasses this one and overrides only what
differs, so the registry never asks which kind it is writing."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import orjson

from tugboat.api import defaults, validation
from tugboat.api.meta import StatusCause, now_rfc3339
from tugboat.api.resources import ResourceInfo
from tugboat.api.selectors import label_selector_as_selector
from tugboat.apiserver.admission.interface import Operation

Obj = dict[str, Any]
# Every stored object of the resource being written (the Service strategy allocates
# addresses against them); a callable so that kinds that do not need it pay nothing.
Stored = Callable[[], Iterable[Obj]]

# Metadata the server owns: an update never changes these.
SERVER_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
               "generation", "namespace", "name")
# What a create clears whatever the client sent.
# (managedFields are the field manager's: api/fieldmanager decides what a write keeps.)
_RESET_ON_CREATE = ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds")
# Kubernetes' generateName alphabet: no vowels (no words), no look-alike characters.
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def generate_name(prefix: str) -> str:
    return prefix + "".join(random.choices(_SUFFIX_ALPHABET, k=5))


def spec_part(obj: Obj) -> Obj:
    """What `metadata.generation` tracks: everything but metadata, status and type meta."""
    return {k: v for k, v in obj.items()
            if k not in ("metadata", "status", "kind", "apiVersion")}


# The last instant RFC 3339 can write (four-digit years): a grace period may be any int64
# (Kubernetes accepts 2^62 s), and the deletionTimestamp it gives must stay a valid time.
_LAST_TIME = 253402300799  # 9999-12-31T23:59:59Z


def after(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(min(time.time() + seconds, _LAST_TIME)))


class Strategy:
    """The rules for writes of one resource. Subresource strategies (status, scale,
    binding, finalize) wrap the resource's own strategy and change what an update may
    touch; the registry runs every one of them through the same pipeline."""

    # Kinds whose spec is always present have a generation even when the body had none.
    always_has_generation = False
    # The kubelet registers its Node with a status; every other kind starts without one.
    keep_status_on_create = False
    # The subresource this strategy writes through (None: the object itself).
    subresource: str | None = None
    # The admission operation of an update through this strategy (a binding is a CREATE).
    operation = Operation.UPDATE
    # True when the request body is the subresource's own object (Binding, Scale): the
    # admission chain sees that body, and prepare_for_update turns it into the new parent.
    own_body = False
    # Subresources of this kind alone (pods/binding, namespaces/finalize), beyond status
    # and scale, which every kind that serves them shares.
    extra_subresources: ClassVar[dict[str, type[Wrapped]]] = {}

    def __init__(self, info: ResourceInfo):
        self.info = info

    # -- create -------------------------------------------------------------------------

    def generate_name(self, prefix: str) -> str:
        """names.NameGenerator, which every Kubernetes strategy embeds."""
        return generate_name(prefix)

    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        """Server-owned metadata and the kind's create-time rules, on the wire body before
        admission, decoding and validation."""
        meta = body.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self.generate_name(meta["generateName"])
        if self.info.namespaced:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        for k in _RESET_ON_CREATE:
            meta.pop(k, None)
        if "spec" in body or self.always_has_generation:
            meta["generation"] = 1
        if self.info.has_status and not self.keep_status_on_create:
            body.pop("status", None)

    # -- update -------------------------------------------------------------------------

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        """The object an update stores: server metadata from old, status from old (status
        moves only through /status); generation moves when anything outside metadata and
        status does."""
        meta = new.setdefault("metadata", {})
        for k in SERVER_META:
            if k in old["metadata"]:
                meta[k] = old["metadata"][k]
            else:
                meta.pop(k, None)
        if self.info.has_status:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        self.retain(new, old)
        if "generation" in old["metadata"] and spec_part(new) != spec_part(old):
            meta["generation"] = old["metadata"]["generation"] + 1
        return new

    def retain(self, new: Obj, old: Obj) -> None:
        """Fields an update keeps from the stored object when the client leaves them out."""

    # -- decode, default, validate --------------------------------------------------------

    def default(self, obj: Any, creating: bool) -> None:
        """Typed defaulting of the decoded model (api/defaults)."""
        defaults.apply_defaults(obj)

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        """The causes of a 422 (api/validation); `old` is None on create."""
        return validation.validate(obj, old)

    def canonicalize(self, wire: Obj) -> Obj:
        """The stored form of a validated object (Kubernetes' Canonicalize)."""
        return wire

    # -- delete -------------------------------------------------------------------------

    def check_delete(self, obj: Obj) -> str | None:
        """Why this object may not be deleted (a 403), or None."""
        return None

    def grace_period(self, obj: Obj, requested: int | None) -> int:
        """CheckGracefulDelete: seconds the object lingers marked; 0 removes it now."""
        return 0

    def mark_for_deletion(self, cur: Obj, grace: int, finalizers: list[str]) -> Obj | None:
        """What a delete leaves stored while it waits (grace period, finalizers): None when
        the object goes now; `cur` itself when the delete changes nothing."""
        marked = cur["metadata"].get("deletionTimestamp")
        if not finalizers and grace == 0:
            return None
        if marked and not grace < (cur["metadata"].get("deletionGracePeriodSeconds") or 0):
            return cur  # already going; nothing shortens it
        new = copy(cur)
        m = new["metadata"]
        if finalizers:
            m["finalizers"] = finalizers
        else:
            m.pop("finalizers", None)
        m["deletionTimestamp"] = after(grace)
        m["deletionGracePeriodSeconds"] = grace
        return new

    def finalized(self, obj: Obj) -> bool:
        """A deleted object whose finalizers are all gone and whose grace period has run
        out is removed by the write that cleared the last finalizer."""
        m = obj["metadata"]
        return bool(m.get("deletionTimestamp")) and not m.get("finalizers") \
            and not m.get("deletionGracePeriodSeconds")

    # -- scale ----------------------------------------------------------------------------

    def scale_replicas(self, obj: Obj) -> tuple[int, int]:
        """Scale's spec.replicas and status.replicas, as the workload holds them."""
        return ((obj.get("spec") or {}).get("replicas", 1),
                (obj.get("status") or {}).get("replicas", 0))

    def set_scale_replicas(self, obj: Obj, replicas: int) -> None:
        """A Scale's spec.replicas written into the workload."""
        obj.setdefault("spec", {})["replicas"] = replicas

    def scale_selector(self, obj: Obj) -> str:
        """Scale's status.selector: the canonical string of the workload's LabelSelector."""
        sel = (obj.get("spec") or {}).get("selector")
        return "" if sel is None else label_selector_as_selector(sel).to_string()


class Wrapped(Strategy):
    """A subresource's strategy: the parent resource's rules, except what it overrides."""

    def __init__(self, parent: Strategy):
        super().__init__(parent.info)
        self.parent = parent

    def default(self, obj: Any, creating: bool) -> None:
        self.parent.default(obj, creating)

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        return self.parent.validate(obj, old)

    def canonicalize(self, wire: Obj) -> Obj:
        return self.parent.canonicalize(wire)

    def finalized(self, obj: Obj) -> bool:
        return self.parent.finalized(obj)


class GracefulDeletion(Wrapped):
    """The write that marks an object deleted (deletionTimestamp, grace, finalizers): the
    parent's mark_for_deletion computed the object, and it is stored as computed, still
    decoded and validated. Admission saw the request as a DELETE."""

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        return new


def copy(obj: Obj) -> Obj:
    """A deep copy: cached objects are shared and must never be mutated."""
    return orjson.loads(orjson.dumps(obj))
