"""The endpoints controller: for every Service with a selector, an Endpoints object of
the same name listing its pods' addresses — ready pods under `addresses`, the others
under `notReadyAddresses` (S7: a pod whose readiness probe fails leaves its Service) —
with each Service port resolved to the pod's port (a named targetPort looks up the
container port of that name). Pods with the same resolved ports share one subset.
Services without a selector keep the Endpoints their users write. What it writes carries
the last-change-trigger-time of the change that caused it (triggertime); an Endpoints
object is never rewritten for that annotation alone."""

from __future__ import annotations

from typing import Any

from tugboat.api.labels import selector_from_set
from tugboat.client import AlreadyExists, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.podconditions import is_ready, is_terminal
from tugboat.controller.reconciling import Controller, key_of
from tugboat.controller.triggertime import TriggerTimeTracker, annotate

Port = tuple[str | None, int, str]  # (name, port, protocol)


def target_port(service_port: Any, pod: Any) -> int | None:
    target = service_port.targetPort if service_port.targetPort is not None \
        else service_port.port
    if isinstance(target, int):
        return target
    if target.isdigit():
        return int(target)
    for c in pod.spec.containers:
        for p in c.ports or []:
            if p.name == target and (p.protocol or "TCP") == (service_port.protocol or "TCP"):
                return p.containerPort
    return None


def address(pod: Any) -> dict[str, Any]:
    addr: dict[str, Any] = {"ip": pod.status.podIP,
                            "targetRef": {"kind": "Pod", "namespace": pod.metadata.namespace,
                                          "name": pod.metadata.name, "uid": pod.metadata.uid}}
    if pod.spec.nodeName:
        addr["nodeName"] = pod.spec.nodeName
    if pod.spec.hostname and pod.spec.subdomain:
        addr["hostname"] = pod.spec.hostname
    return addr


def subsets(service: Any, pods: list[Any]) -> list[dict[str, Any]]:
    """Endpoints subsets for `pods` (already selected), deterministic in order."""
    groups: dict[tuple[Port, ...], dict[str, list[dict[str, Any]]]] = {}
    publish = bool(service.spec.publishNotReadyAddresses)
    for pod in pods:
        if not pod.status.podIP or is_terminal(pod):
            continue
        if pod.metadata.deletionTimestamp is not None and not publish:
            continue
        ports: list[Port] = []
        for sp in service.spec.ports or []:
            port = target_port(sp, pod)
            if port is not None:
                ports.append((sp.name, port, sp.protocol or "TCP"))
        if service.spec.ports and not ports:
            continue
        group = groups.setdefault(tuple(sorted(ports, key=str)), {"ready": [], "not": []})
        group["ready" if publish or is_ready(pod) else "not"].append(address(pod))
    out = []
    for ports_key, group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        subset: dict[str, Any] = {}
        if group["ready"]:
            subset["addresses"] = sorted(group["ready"], key=lambda a: a["ip"])
        if group["not"]:
            subset["notReadyAddresses"] = sorted(group["not"], key=lambda a: a["ip"])
        if ports_key:
            subset["ports"] = [{**({"name": n} if n else {}), "port": p, "protocol": proto}
                               for n, p, proto in ports_key]
        out.append(subset)
    return out



def services_selecting(services: list[Any], pod: Any, old_labels: dict[str, str] | None = None
                       ) -> list[Any]:
    """The Services whose selector matches the pod now, or matched it before a label change
    (`old_labels`): each must look at its endpoints again."""
    found = []
    for svc in services:
        sel = svc.spec.selector
        if sel and (selector_from_set(sel).matches(pod.metadata.labels)
                    or (old_labels is not None and selector_from_set(sel).matches(old_labels))):
            found.append(svc)
    return found

class EndpointsController(Controller):
    name = "endpoints"
    workers = 4

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.services = self.informer("services", on_change=self.enqueue)
        self.endpoints = self.informer("endpoints", on_change=self.enqueue)
        self.pods = self.informer("pods")
        self.pods.add_event_handler(on_add=self._pod_changed,
                                    on_update=self._pod_updated,
                                    on_delete=self._pod_changed)
        self.trigger_times = TriggerTimeTracker()

    def _pod_changed(self, pod: Any, labels: dict[str, str] | None = None) -> None:
        for svc in services_selecting(self.services.list(pod.metadata.namespace), pod, labels):
            self.enqueue(svc)

    def _pod_updated(self, old: Any, new: Any) -> None:
        if old.metadata.resourceVersion != new.metadata.resourceVersion:
            self._pod_changed(new, old.metadata.labels)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        svc = self.services.get(name, ns)
        current = self.endpoints.get(name, ns)
        if svc is None:
            self.trigger_times.delete_service(key)
            if current is not None and key_of(current) == key:
                try:
                    await self.client.delete("endpoints", name, ns)
                except NotFound:
                    pass
            return None
        if not svc.spec.selector:
            return None
        selector = selector_from_set(svc.spec.selector)
        pods = [p for p in self.pods.list(ns) if selector.matches(p.metadata.labels)]
        trigger = self.trigger_times.compute(key, svc, pods)
        wanted = subsets(svc, pods)
        labels = dict(svc.metadata.labels or {})
        if current is not None:
            have = [s.wire() for s in current.subsets or []]
            if have == wanted and (current.metadata.labels or {}) == labels:
                return None
            body = current.wire()
            body["subsets"] = wanted or None
            body["metadata"]["labels"] = labels or None
            annotate(body["metadata"], trigger)
            await self.client.update("endpoints", body)
            return None
        body = {"apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": name, "namespace": ns, **({"labels": labels} if labels
                                                                  else {})},
                "subsets": wanted}
        annotate(body["metadata"], trigger)
        try:
            await self.client.create("endpoints", body, ns)
        except AlreadyExists:
            self.queue.add_rate_limited(key)
        return None
