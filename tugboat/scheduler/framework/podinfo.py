"""PodInfo: what the scheduler needs to know about a pod, computed once per pod version.

A pod's requests are parsed from quantity strings when the pod is seen, never inside the
filter × node loop: the cpu/memory sums (kube's computePodResourceRequest, init
containers and overhead included), the non-zero requests the scoring plugins use
(100m cpu and 200Mi memory for a container that asks for nothing), host ports, the
controlling owner, and the images. The same PodInfo is what NodeInfo adds up for the pods
bound (or assumed) on a node.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from tugboat.api.core import Container, Pod, Toleration
from tugboat.api.fieldtypes import quantity_value

DEFAULT_MILLI_CPU_REQUEST = 100  # kube-scheduler's non-zero default: 0.1 core
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024  # and 200 MiB
CPU, MEMORY, PODS = "cpu", "memory", "pods"
WILDCARD_IP = "0.0.0.0"

HostPort = tuple[str, str, int]  # (hostIP, protocol, hostPort)


@functools.lru_cache(maxsize=4096)
def milli_value(text: str) -> int:
    """A quantity in thousandths, rounded up ("250m" -> 250, "1" -> 1000); 0 if invalid."""
    value = quantity_value(text)
    return math.ceil(value * 1000) if value is not None and value > 0 else 0


@functools.lru_cache(maxsize=4096)
def whole_value(text: str) -> int:
    """A quantity in whole units, rounded up ("64Mi" -> 67108864); 0 if invalid."""
    value = quantity_value(text)
    return math.ceil(value) if value is not None and value > 0 else 0


def amount(resource: str, text: str) -> int:
    """cpu in millicores, everything else (memory, pods, extended) in whole units."""
    return milli_value(text) if resource == CPU else whole_value(text)


def normalized_image_name(name: str) -> str:
    """"nginx" -> "nginx:latest", as the ImageLocality plugin compares images."""
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


@dataclass(slots=True)
class Requests:
    """A sum of resource requests: cpu (millicores), memory (bytes), anything else."""

    cpu: int = 0
    memory: int = 0
    scalar: dict[str, int] = field(default_factory=dict)

    def add(self, other: Requests) -> None:
        self.cpu += other.cpu
        self.memory += other.memory
        for name, value in other.scalar.items():
            self.scalar[name] = self.scalar.get(name, 0) + value

    def set_max(self, other: Requests) -> None:
        self.cpu = max(self.cpu, other.cpu)
        self.memory = max(self.memory, other.memory)
        for name, value in other.scalar.items():
            self.scalar[name] = max(self.scalar.get(name, 0), value)

    def copy(self) -> Requests:
        return Requests(self.cpu, self.memory, dict(self.scalar))


def container_requests(container: Container, non_zero: bool = False) -> Requests:
    res = container.resources
    requests = dict(res.limits or {}) if res else {}  # an unset request defaults to the limit
    requests.update((res.requests or {}) if res else {})
    out = Requests()
    for name, text in requests.items():
        if name == CPU:
            out.cpu = milli_value(text)
        elif name == MEMORY:
            out.memory = whole_value(text)
        else:
            value = whole_value(text)
            if value:
                out.scalar[name] = value
    if non_zero:
        out.cpu = out.cpu or DEFAULT_MILLI_CPU_REQUEST
        out.memory = out.memory or DEFAULT_MEMORY_REQUEST
    return out


def pod_requests(pod: Pod, non_zero: bool = False) -> Requests:
    """max(app containers + sidecars, each init container + the sidecars started before
    it) + overhead: what the pod occupies on its node at its peak."""
    total = Requests()
    for c in pod.spec.containers:
        total.add(container_requests(c, non_zero))
    sidecars, init_peak = Requests(), Requests()
    for c in pod.spec.initContainers or ():
        req = container_requests(c, non_zero)
        if c.restartPolicy == "Always":
            sidecars.add(req)
            init_peak.set_max(sidecars)
        else:
            req.add(sidecars)
            init_peak.set_max(req)
    total.add(sidecars)
    total.set_max(init_peak)
    for name, text in (pod.spec.overhead or {}).items():
        total.add(_one(name, text))
    return total


def _one(name: str, text: str) -> Requests:
    if name == CPU:
        return Requests(cpu=milli_value(text))
    if name == MEMORY:
        return Requests(memory=whole_value(text))
    return Requests(scalar={name: whole_value(text)})


def host_ports(pod: Pod) -> tuple[HostPort, ...]:
    containers = list(pod.spec.containers)
    containers += [c for c in pod.spec.initContainers or () if c.restartPolicy == "Always"]
    return tuple((p.hostIP or WILDCARD_IP, p.protocol or "TCP", p.hostPort)
                 for c in containers for p in c.ports or () if p.hostPort)


def controller_uid(pod: Pod) -> str | None:
    for ref in pod.metadata.ownerReferences or ():
        if ref.controller:
            return ref.uid
    return None


@dataclass(slots=True, eq=False)
class PodInfo:
    pod: Pod
    key: str
    namespace: str
    name: str
    uid: str
    priority: int
    requests: Requests
    non_zero_cpu: int
    non_zero_memory: int
    host_ports: tuple[HostPort, ...]
    tolerations: tuple[Toleration, ...]
    owner_uid: str | None
    images: tuple[str, ...]
    num_containers: int

    @classmethod
    def of(cls, pod: Pod) -> PodInfo:
        meta, spec = pod.metadata, pod.spec
        namespace, name = meta.namespace or "default", meta.name or ""
        non_zero = pod_requests(pod, non_zero=True)
        all_containers = [*(spec.initContainers or ()), *spec.containers]
        return cls(
            pod=pod, key=f"{namespace}/{name}", namespace=namespace, name=name,
            uid=meta.uid or "", priority=spec.priority or 0, requests=pod_requests(pod),
            non_zero_cpu=non_zero.cpu, non_zero_memory=non_zero.memory,
            host_ports=host_ports(pod), tolerations=tuple(spec.tolerations or ()),
            owner_uid=controller_uid(pod),
            images=tuple(normalized_image_name(c.image) for c in all_containers if c.image),
            num_containers=len(all_containers))

    @property
    def node_name(self) -> str | None:
        return self.pod.spec.nodeName or None
