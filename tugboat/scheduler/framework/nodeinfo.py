"""NodeInfo: a node and the pods on it, kept up to date incrementally by the cache.

Every figure a filter or a score reads per node is precomputed here when the node or one
of its pods changes — allocatable and requested resources as integers, host ports in
use, the taints that matter, readiness, images, pods per owner — so a scheduling cycle
over a thousand nodes does arithmetic and dict lookups only, never quantity parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tugboat.api.core import Node, Taint
from tugboat.scheduler.framework.podinfo import (
    CPU,
    MEMORY,
    PODS,
    WILDCARD_IP,
    PodInfo,
    Requests,
    amount,
    normalized_image_name,
)

NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE = "NoSchedule", "NoExecute", "PreferNoSchedule"


@dataclass(slots=True, eq=False)
class NodeInfo:
    name: str
    node: Node | None = None  # None: pods are bound to a node the informer has not shown yet
    allocatable: Requests = field(default_factory=Requests)
    allocatable_pods: int = 0
    requested: Requests = field(default_factory=Requests)
    non_zero_cpu: int = 0
    non_zero_memory: int = 0
    pods: dict[str, PodInfo] = field(default_factory=dict)
    used_ports: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)
    owner_counts: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()  # NoSchedule and NoExecute: the filter's
    prefer_taints: tuple[Taint, ...] = ()  # PreferNoSchedule: the score's
    unschedulable: bool = False
    ready: str | None = None  # the Ready condition's status; None when not reported
    images: dict[str, int] = field(default_factory=dict)  # normalised name -> bytes
    generation: int = 0
    # Flat copies of the figures the hot loops read, kept current by _refresh():
    alloc_cpu: int = 0
    alloc_memory: int = 0
    requested_cpu: int = 0
    requested_memory: int = 0
    free_cpu: int = 0  # allocatable - requested: what NodeResourcesFit compares against
    free_memory: int = 0
    free_pods: int = 0
    non_zero_free_cpu: int = 0  # allocatable - non-zero requested: for LeastAllocated
    non_zero_free_memory: int = 0

    # --- the node -------------------------------------------------------------------------

    def set_node(self, node: Node) -> None:
        self.node = node
        status, spec = node.status, node.spec
        allocatable = status.allocatable if status.allocatable is not None else status.capacity
        alloc = Requests()
        pods = 0
        for name, text in (allocatable or {}).items():
            if name == CPU:
                alloc.cpu = amount(CPU, text)
            elif name == MEMORY:
                alloc.memory = amount(MEMORY, text)
            elif name == PODS:
                pods = amount(PODS, text)
            else:
                alloc.scalar[name] = amount(name, text)
        self.allocatable, self.allocatable_pods = alloc, pods
        self.labels = dict(node.metadata.labels or {})
        taints = tuple(spec.taints or ())
        self.taints = tuple(t for t in taints if t.effect in (NO_SCHEDULE, NO_EXECUTE))
        self.prefer_taints = tuple(t for t in taints if t.effect == PREFER_NO_SCHEDULE)
        self.unschedulable = bool(spec.unschedulable)
        self.ready = next((c.status for c in status.conditions or () if c.type == "Ready"),
                          None)
        self.images = node_images(node)
        self._refresh()

    # --- its pods -------------------------------------------------------------------------

    def add_pod(self, pod: PodInfo) -> None:
        if pod.key in self.pods:
            self.remove_pod(pod.key)
        self.pods[pod.key] = pod
        self._account(pod, 1)

    def remove_pod(self, key: str) -> PodInfo | None:
        pod = self.pods.pop(key, None)
        if pod is not None:
            self._account(pod, -1)
        return pod

    def _account(self, pod: PodInfo, sign: int) -> None:
        req = pod.requests
        self.requested.cpu += sign * req.cpu
        self.requested.memory += sign * req.memory
        for name, value in req.scalar.items():
            self.requested.scalar[name] = self.requested.scalar.get(name, 0) + sign * value
        self.non_zero_cpu += sign * pod.non_zero_cpu
        self.non_zero_memory += sign * pod.non_zero_memory
        for ip, protocol, port in pod.host_ports:
            _count(self.used_ports.setdefault((protocol, port), {}), ip, sign)
            if not self.used_ports[(protocol, port)]:
                del self.used_ports[(protocol, port)]
        if pod.owner_uid:
            _count(self.owner_counts, pod.owner_uid, sign)
        self._refresh()

    def _refresh(self) -> None:
        self.alloc_cpu, self.alloc_memory = self.allocatable.cpu, self.allocatable.memory
        self.requested_cpu, self.requested_memory = self.requested.cpu, self.requested.memory
        self.free_cpu = self.alloc_cpu - self.requested_cpu
        self.free_memory = self.alloc_memory - self.requested_memory
        self.free_pods = self.allocatable_pods - len(self.pods)
        self.non_zero_free_cpu = self.alloc_cpu - self.non_zero_cpu
        self.non_zero_free_memory = self.alloc_memory - self.non_zero_memory
        self.generation += 1

    def port_conflict(self, ip: str, protocol: str, port: int) -> bool:
        """kube's HostPortInfo.CheckConflict: 0.0.0.0 clashes with every address."""
        ips = self.used_ports.get((protocol, port))
        if not ips:
            return False
        return ip == WILDCARD_IP or WILDCARD_IP in ips or ip in ips

    @property
    def pod_count(self) -> int:
        return len(self.pods)


def _count(counts: dict[str, int], key: str, sign: int) -> None:
    value = counts.get(key, 0) + sign
    if value > 0:
        counts[key] = value
    else:
        counts.pop(key, None)


def node_images(node: Node) -> dict[str, int]:
    images: dict[str, int] = {}
    for image in node.status.images or ():
        for name in image.names or ():
            images[normalized_image_name(name)] = image.sizeBytes or 0
    return images
