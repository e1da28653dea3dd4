"""The namespace controller: when a namespace is deleted (the API server marks it
Terminating and keeps it while spec.finalizers holds "kubernetes"), delete everything in
it — workloads first, so they do not recreate their pods meanwhile — wait until nothing
is left (pods on nodes go gracefully, through their kubelets), then clear the finalizer
through `namespaces/{name}/finalize`, after which the API server removes the namespace.

Custom objects are found the way Kubernetes' namespace deleter finds them: the namespaced
resources discovery says the server serves (read again if older than DISCOVERY_MAX_AGE),
so a namespace never goes while custom objects in it remain."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api import resources
from tugboat.api.resources import ResourceInfo
from tugboat.client import ClientError, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller

log = logging.getLogger(__name__)

FINALIZER = "kubernetes"
RECHECK = 1.0  # seconds between looks at a namespace still emptying
DISCOVERY_MAX_AGE = 5.0  # a CRD created just before the deletion is still found
_FIRST = ("deployments", "daemonsets", "jobs", "replicasets", "replicationcontrollers",
          "horizontalpodautoscalers")


def namespaced_resources(custom: list[ResourceInfo] | None = None) -> list[ResourceInfo]:
    """Every stored namespaced resource (and the `custom` ones discovery found), the pod
    owners first and events last; once per stored object (a version served by conversion,
    e.g. autoscaling/v1 HPAs, shares its storage version's objects)."""
    infos = [r for r in resources.RESOURCES if r.namespaced and r.stored and not r.converted
             and "delete" in r.verbs and "list" in r.verbs] + list(custom or ())

    def rank(r: ResourceInfo) -> tuple[int, int]:
        if r.resource in _FIRST:
            return 0, _FIRST.index(r.resource)
        return (2, 0) if r.resource == "events" else (1, 0)

    return sorted(infos, key=rank)


class NamespaceController(Controller):
    name = "namespace"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.namespaces = self.informer("namespaces", on_change=self._changed,
                                        on_delete=lambda _n: None)

    def _changed(self, ns: Any) -> None:
        if ns.metadata.deletionTimestamp is not None:
            self.enqueue(ns)

    async def reconcile(self, key: str) -> float | None:
        ns = self.namespaces.get(key)
        if ns is None or ns.metadata.deletionTimestamp is None:
            return None
        finalizers = list(ns.spec.finalizers or [])
        if FINALIZER not in finalizers:
            return None
        await self.ctx.discovery.refresh(DISCOVERY_MAX_AGE)
        remaining = 0
        for info in namespaced_resources(self.ctx.discovery.custom(namespaced=True)):
            remaining += await self._delete_all(info, key)
        if remaining:
            log.info("namespace %s: %d objects left to go", key, remaining)
            return RECHECK
        body = ns.wire()
        body["spec"]["finalizers"] = [f for f in finalizers if f != FINALIZER]
        try:
            await self.client.update("namespaces", body, subresource="finalize")
        except NotFound:
            return None
        log.info("namespace %s: emptied and finalized", key)
        return None

    async def _delete_all(self, info: ResourceInfo, namespace: str) -> int:
        """Delete what is left of `info` in the namespace; how many objects remain."""
        try:
            items = (await self.client.list(info, namespace)).get("items") or []
        except NotFound:  # a custom resource whose CRD went since discovery
            return 0
        for item in items:
            meta = item.get("metadata") or {}
            if meta.get("deletionTimestamp"):
                continue
            try:
                await self.client.delete(info, meta["name"], namespace,
                                         propagation_policy="Background")
            except NotFound:
                continue
            except ClientError as e:
                log.warning("namespace %s: cannot delete %s %s: %s", namespace,
                            info.resource, meta.get("name"), e)
        return len(items)
