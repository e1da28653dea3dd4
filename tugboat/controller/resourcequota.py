"""The resourcequota controller, as Kubernetes': keeps each ResourceQuota's status —
`hard` copied from the spec, `used` recalculated from the namespace's objects with the same
evaluators the ResourceQuota admission plugin charges by (api/quotausage.py). A quota is
recalculated when it is created or its spec changes, when an object it may count changes
or goes (a pod ending frees its cpu, a deleted configmap its count), and on every
informer resync, so a missed event only delays the figures.

Kinds with an informer here are the ones quotas count by name (pods, services,
configmaps, secrets, replicationcontrollers, resourcequotas, persistentvolumeclaims);
`count/<resource>.<group>` of any other kind is listed from the API server when a quota
asks for it."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api import quotausage
from tugboat.api.resources import lookup, resolve
from tugboat.client import Conflict, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller

log = logging.getLogger(__name__)

Obj = dict[str, Any]
INFORMED = ("pods", "services", "configmaps", "secrets", "replicationcontrollers",
            "persistentvolumeclaims")


def _wire(obj: Any) -> Obj:
    return obj.wire() if hasattr(obj, "wire") else obj


def _namespace(obj: Any) -> str:
    meta = getattr(obj, "metadata", None)
    return (meta.namespace if meta is not None else _wire(obj)["metadata"].get("namespace")) \
        or ""


class ResourceQuotaController(Controller):
    name = "resourcequota"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.quotas = self.informer("resourcequotas", on_change=self.enqueue)
        self.informed: dict[tuple[str, str], Any] = {("", "resourcequotas"): self.quotas}
        for resource in INFORMED:
            if lookup("", "v1", resource) is not None:
                self.informed[("", resource)] = self.informer(
                    resource, on_change=self._object_changed)

    def _object_changed(self, obj: Any) -> None:
        ns = _namespace(obj)
        for quota in self.quotas.list(ns):
            self.enqueue(quota)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        quota = self.quotas.get(name, ns)
        if quota is None or quota.metadata.deletionTimestamp is not None:
            return None
        wire = _wire(quota)
        hard = quotausage.hard_of(wire)
        used = await self._usage(ns, wire, hard)
        status = {"hard": dict((wire.get("spec") or {}).get("hard") or {}),
                  "used": quotausage.wire_list(used)}
        if not status["hard"]:
            status = {}
        if (wire.get("status") or {}) == status:
            return None
        wire["status"] = status
        try:
            await self.client.update_status("resourcequotas", wire, ns)
        except (NotFound, Conflict):
            self.queue.add(key)  # a newer quota (or none) is on its way through the informer
        return None

    async def _usage(self, ns: str, quota: Obj, hard: dict[str, Any]) -> quotausage.Usage:
        used = {k: quotausage.zero() for k in hard}
        by_resource: dict[tuple[str, str], list[str]] = {}
        for name in hard:
            charged = quotausage.charged_resource(name)
            if charged is not None:
                by_resource.setdefault(charged, []).append(name)
        now = self.ctx.wall()
        for (group, resource), names in by_resource.items():
            for obj in await self._objects(ns, group, resource):
                if not quotausage.quota_selects(quota, group, resource, obj):
                    continue
                charge = quotausage.usage(group, resource, obj, now)
                for n in names:
                    if n in charge:
                        used[n] = quotausage.plus(used[n], charge[n])
        return used

    async def _objects(self, ns: str, group: str, resource: str) -> list[Obj]:
        inf = self.informed.get((group, resource))
        if inf is not None:
            return [_wire(o) for o in inf.list(ns)]
        info = resolve(f"{resource}.{group}" if group else resource)
        if info is None or not info.namespaced or "list" not in info.verbs:
            return []
        try:
            return list((await self.client.list(info, ns)).get("items") or [])
        except NotFound:
            return []

