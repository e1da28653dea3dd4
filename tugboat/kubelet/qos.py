"""OOM score adjustments by QoS class (the kubelet's pkg/kubelet/qos/policy.go), so that
under memory pressure the kernel kills BestEffort containers first, Burstable ones by how
little of the machine they asked for, and Guaranteed ones (and the sandboxes holding every
pod's network) last. The runtime hands the value to Docker's `oom_score_adj`.

Lowering a score needs CAP_SYS_RESOURCE. A kubelet and engine without it (in a user
namespace or an unprivileged container) would have every Guaranteed container and every
sandbox fail to start, so there — like containerd's `restrict_oom_score_adj` — scores are
raised to the lowest the host may set: its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tugboat.api.core import Container, Pod
from tugboat.api.qos import BEST_EFFORT, GUARANTEED, pod_qos_class
from tugboat.api.quantity import QuantityError, to_bytes
from tugboat.kubelet.node.hostinfo import meminfo

SANDBOX_OOM_SCORE_ADJ = -998  # PodInfraOOMAdj: the pause container outlives its containers
GUARANTEED_OOM_SCORE_ADJ = -997
BEST_EFFORT_OOM_SCORE_ADJ = 1000
SYSTEM_NODE_CRITICAL = "system-node-critical"
SYSTEM_CRITICAL_PRIORITY = 2_000_000_000


CAP_SYS_RESOURCE = 24


def machine_memory() -> int:
    """The node's memory capacity in bytes (cAdvisor's MemoryCapacity)."""
    return meminfo().get("MemTotal", 0)


def oom_score_floor(status: str | None = None, own: str | None = None) -> int | None:
    """The lowest oom_score_adj this host may give a container: None when it may give any
    (CAP_SYS_RESOURCE held), else the process's own. `status` and `own` are the texts of
    /proc/self/status and /proc/self/oom_score_adj (read when not given)."""
    try:
        status = status if status is not None else Path("/proc/self/status").read_text()
        caps = next(int(line.split()[1], 16) for line in status.splitlines()
                    if line.startswith("CapEff:"))
        if caps & (1 << CAP_SYS_RESOURCE):
            return None
        return int(own if own is not None else Path("/proc/self/oom_score_adj").read_text())
    except (OSError, StopIteration, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class OOMScores:
    """The scores this node gives: its memory capacity and, on a restricted host, the
    floor every score is raised to."""

    memory_capacity: int
    floor: int | None = None

    @classmethod
    def for_this_host(cls) -> OOMScores:
        return cls(machine_memory(), oom_score_floor())

    def _restricted(self, adj: int) -> int:
        return adj if self.floor is None else max(adj, self.floor)

    def sandbox(self) -> int:
        return self._restricted(SANDBOX_OOM_SCORE_ADJ)

    def container(self, pod: Pod, c: Container) -> int:
        return self._restricted(container_oom_score_adj(pod, c, self.memory_capacity))


def _memory_request(c: Container) -> int:
    requests = (c.resources.requests if c.resources else None) or {}
    try:
        return to_bytes(requests["memory"]) if "memory" in requests else 0
    except QuantityError:
        return 0


def _is_sidecar(pod: Pod, c: Container) -> bool:
    return c.restartPolicy == "Always" and any(
        i is c or i.name == c.name for i in pod.spec.initContainers or ())


def _is_node_critical(pod: Pod) -> bool:
    """IsNodeCriticalPod: a critical pod of the system-node-critical class."""
    return (pod.spec.priorityClassName == SYSTEM_NODE_CRITICAL
            and (pod.spec.priority or 0) >= SYSTEM_CRITICAL_PRIORITY)


def container_oom_score_adj(pod: Pod, c: Container, memory_capacity: int) -> int:
    """GetContainerOOMScoreAdjust. A Burstable container gets 1000 - 1000*request/capacity,
    kept within [3, 999]: above every Guaranteed container, below every BestEffort one. A
    sidecar is protected at least as well as the pod's smallest regular container, so it
    is not killed before the containers that rely on it."""
    if _is_node_critical(pod):
        return GUARANTEED_OOM_SCORE_ADJ
    qos = pod_qos_class(pod)
    if qos == GUARANTEED:
        return GUARANTEED_OOM_SCORE_ADJ
    if qos == BEST_EFFORT:
        return BEST_EFFORT_OOM_SCORE_ADJ
    capacity = max(memory_capacity, 1)
    adj = 1000 - (1000 * _memory_request(c)) // capacity
    if _is_sidecar(pod, c):
        smallest = min((_memory_request(r) for r in pod.spec.containers), default=0)
        adj = min(adj, 1000 - (1000 * smallest) // capacity)
    if adj < 1000 + GUARANTEED_OOM_SCORE_ADJ:
        return 1000 + GUARANTEED_OOM_SCORE_ADJ
    if adj == BEST_EFFORT_OOM_SCORE_ADJ:
        return adj - 1
    return adj
