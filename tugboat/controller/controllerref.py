"""Ownership: the controller reference a controller stamps on what it creates, and the
claim step (client-go's ControllerRefManager) that adopts matching orphans and releases
owned objects whose labels no longer match, so a controller counts exactly the objects
that are its own. Every adopt or release is a merge patch pinned to the object's
resourceVersion, so it never overwrites a concurrent change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tugboat.api.labels import Selector
from tugboat.api.meta import OwnerReference
from tugboat.client import ApiClient, ClientError, NotFound

log = logging.getLogger(__name__)


def controller_ref(obj: Any) -> OwnerReference | None:
    for ref in obj.metadata.ownerReferences or []:
        if ref.controller:
            return ref
    return None


def new_controller_ref(owner: Any) -> dict[str, Any]:
    return {"apiVersion": owner.apiVersion, "kind": owner.kind, "name": owner.metadata.name,
            "uid": owner.metadata.uid, "controller": True, "blockOwnerDeletion": True}


def owned_by(obj: Any, owner: Any) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.uid == owner.metadata.uid


def resolve_owner(ref: OwnerReference | None, kind: str, lookup: Callable[[str], Any]
                  ) -> Any | None:
    """The cached owner a controller reference names, if it is of `kind` and its uid
    matches (a same-named successor is not the owner)."""
    if ref is None or ref.kind != kind:
        return None
    owner = lookup(ref.name)
    if owner is None or owner.metadata.uid != ref.uid:
        return None
    return owner


class RefManager:
    """Claims objects of `resource` for `owner` by `selector`."""

    def __init__(self, client: ApiClient, owner: Any, selector: Selector, resource: str,
                 owner_resource: str):
        self.client = client
        self.owner = owner
        self.selector = selector
        self.resource = resource
        self.owner_resource = owner_resource
        self._can_adopt: bool | None = None

    async def claim(self, objs: list[Any]) -> list[Any]:
        claimed = []
        for obj in objs:
            if await self._claim_one(obj):
                claimed.append(obj)
        return claimed

    async def _claim_one(self, obj: Any) -> bool:
        ref = controller_ref(obj)
        deleting = self.owner.metadata.deletionTimestamp is not None
        if ref is not None:
            if ref.uid != self.owner.metadata.uid:
                return False
            if self.selector.matches(obj.metadata.labels):
                return True
            if not deleting and obj.metadata.deletionTimestamp is None:
                await self._patch_refs(obj, [r.wire() for r in obj.metadata.ownerReferences
                                             if r.uid != self.owner.metadata.uid], "release")
            return False
        if deleting or obj.metadata.deletionTimestamp is not None:
            return False
        if not self.selector.matches(obj.metadata.labels) or not await self._fresh_owner():
            return False
        refs = [r.wire() for r in obj.metadata.ownerReferences or []]
        return await self._patch_refs(obj, refs + [new_controller_ref(self.owner)], "adopt")

    async def _fresh_owner(self) -> bool:
        """Re-read the owner once before adopting: a cache may still show an owner that
        was deleted, or replaced by a namesake."""
        if self._can_adopt is None:
            try:
                live = await self.client.get(self.owner_resource, self.owner.metadata.name,
                                             self.owner.metadata.namespace)
                meta = live.get("metadata") or {}
                self._can_adopt = (meta.get("uid") == self.owner.metadata.uid
                                   and not meta.get("deletionTimestamp"))
            except NotFound:
                self._can_adopt = False
        return self._can_adopt

    async def _patch_refs(self, obj: Any, refs: list[dict[str, Any]], what: str) -> bool:
        patch = {"metadata": {"ownerReferences": refs or None,
                              "resourceVersion": obj.metadata.resourceVersion}}
        try:
            await self.client.patch(self.resource, obj.metadata.name, patch,
                                    obj.metadata.namespace)
        except ClientError as e:  # changed or gone meanwhile: the next event retries
            log.info("%s of %s %s/%s by %s skipped: %s", what, self.resource,
                     obj.metadata.namespace, obj.metadata.name, self.owner.metadata.name, e)
            return False
        log.info("%s %s %s/%s (owner %s)", what, self.resource, obj.metadata.namespace,
                 obj.metadata.name, self.owner.metadata.name)
        return True
