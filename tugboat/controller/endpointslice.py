"""The endpointslice controller (kube-controller-manager's "endpointslice"): beside the
Endpoints object, every Service with a selector gets EndpointSlices labelled
`kubernetes.io/service-name`, kept by endpointslicereconciler's plan and owned by the
Service. Slices are created with generateName, so the informer can lag behind our own
writes; the controller remembers the resourceVersions it wrote and waits for its cache to
catch up before planning again (Kubernetes' endpointSliceTracker), or it would create a
slice twice. A write the cache never shows (a slice created and deleted by someone else
across a relist) is waited for STALE_GIVE_UP at most, or the Service would be retried
every STALE_RETRY for good and never reconciled again. What it writes carries the
last-change-trigger-time of the change that caused it (triggertime), for kube-proxy's
network programming latency."""

from __future__ import annotations

from typing import Any

from tugboat.api.discovery import CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME
from tugboat.api.labels import selector_from_set
from tugboat.client import NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.endpoints import services_selecting
from tugboat.controller.endpointslicereconciler import LABEL_ZONE, desired_endpoints, plan
from tugboat.controller.reconciling import Controller
from tugboat.controller.triggertime import TriggerTimeTracker

STALE_RETRY = 0.05  # seconds to wait for the informer to show our own writes
STALE_GIVE_UP = 10.0  # seconds after its last write before a Service is planned anyway


def _rv(obj: Any) -> int:
    meta = obj["metadata"] if isinstance(obj, dict) else obj.metadata
    rv = meta["resourceVersion"] if isinstance(meta, dict) else meta.resourceVersion
    return int(rv or 0)


class EndpointSliceController(Controller):
    name = "endpointslice"
    workers = 4

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.services = self.informer("services", on_change=self.enqueue)
        self.slices = self.informer("endpointslices", on_change=self._slice_changed)
        self.nodes = self.informer("nodes")
        self.pods = self.informer("pods")
        self.pods.add_event_handler(on_add=self._pod_changed, on_update=self._pod_updated,
                                    on_delete=self._pod_changed)
        # service key -> {slice name: resourceVersion we wrote, or None for deleted}
        self._written: dict[str, dict[str, int | None]] = {}
        self._written_at: dict[str, float] = {}  # service key -> clock at its last write
        self.trigger_times = TriggerTimeTracker()

    def _slice_changed(self, s: Any) -> None:
        labels = s.metadata.labels or {}
        if labels.get(LABEL_MANAGED_BY) == CONTROLLER_NAME and LABEL_SERVICE_NAME in labels:
            self.queue.add(f"{s.metadata.namespace}/{labels[LABEL_SERVICE_NAME]}")

    def _pod_changed(self, pod: Any, labels: dict[str, str] | None = None) -> None:
        for svc in services_selecting(self.services.list(pod.metadata.namespace), pod, labels):
            self.enqueue(svc)

    def _pod_updated(self, old: Any, new: Any) -> None:
        if old.metadata.resourceVersion != new.metadata.resourceVersion:
            self._pod_changed(new, old.metadata.labels)

    def _managed(self, ns: str, name: str) -> list[Any]:
        return [s for s in self.slices.list(ns)
                if (s.metadata.labels or {}).get(LABEL_SERVICE_NAME) == name
                and (s.metadata.labels or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME]

    def _cache_stale(self, key: str, ns: str) -> bool:
        written = self._written.get(key)
        if not written:
            return False
        for name, rv in list(written.items()):
            cached = self.slices.get(name, ns)
            if rv is None and cached is None or rv is not None and cached is not None \
                    and _rv(cached) >= rv:
                del written[name]
        if not written or self.ctx.clock() - self._written_at.get(key, 0.0) > STALE_GIVE_UP:
            del self._written[key]
            return False
        return True

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        if self._cache_stale(key, ns):
            return STALE_RETRY
        svc = self.services.get(name, ns)
        slices = self._managed(ns, name)
        written = self._written.setdefault(key, {})
        self._written_at[key] = self.ctx.clock()
        if svc is None:
            self.trigger_times.delete_service(key)
        if svc is None or not svc.spec.selector:
            for s in slices:  # the Service went, or no longer selects: its slices go
                await self._delete(s.metadata.name, ns, written)
            return None
        for s in slices:  # a Service recreated under the same name owns none of these
            refs = s.metadata.ownerReferences or []
            if refs and not any(r.uid == svc.metadata.uid for r in refs):
                await self._delete(s.metadata.name, ns, written)
        slices = [s for s in slices if s.metadata.name not in written]
        selector = selector_from_set(svc.spec.selector)
        pods = [p for p in self.pods.list(ns) if selector.matches(p.metadata.labels)]
        zones = {n.metadata.name: (n.metadata.labels or {}).get(LABEL_ZONE, "")
                 for n in self.nodes.list()}
        trigger = self.trigger_times.compute(key, svc, pods)
        todo = plan(svc, desired_endpoints(svc, pods, zones), [s.wire() for s in slices],
                    trigger_time=trigger)
        for s_name in todo.delete:
            await self._delete(s_name, ns, written)
        for body in todo.update:
            written[body["metadata"]["name"]] = _rv(
                await self.client.update("endpointslices", body, ns))
        for body in todo.create:
            created = await self.client.create("endpointslices", body, ns)
            meta = created["metadata"] if isinstance(created, dict) else created.metadata
            written[meta["name"] if isinstance(meta, dict) else meta.name] = _rv(created)
        if not written:
            self._written.pop(key, None)
            self._written_at.pop(key, None)
        return None

    async def _delete(self, name: str, ns: str, written: dict[str, int | None]) -> None:
        try:
            await self.client.delete("endpointslices", name, ns)
        except NotFound:
            pass
        written[name] = None
