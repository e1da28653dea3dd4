"""The Node object the kubelet registers and the NodeStatus it keeps current (pure): labels
kubernetes.io/hostname, os and arch; capacity and allocatable; addresses (InternalIP,
Hostname); daemonEndpoints (the kubelet port the API server proxies logs and exec to);
nodeInfo; and the conditions Ready, MemoryPressure, DiskPressure and PIDPressure, each
keeping its lastTransitionTime while its status holds. Ready is False, with the runtime's
error as its message, while the container runtime is down."""

from __future__ import annotations

from dataclasses import dataclass

from tugboat.api.core import (
    DaemonEndpoint,
    Node,
    NodeAddress,
    NodeCondition,
    NodeDaemonEndpoints,
    NodeStatus,
    NodeSystemInfo,
)
from tugboat.api.meta import ObjectMeta
from tugboat.kubelet.node.hostinfo import HostInfo, Pressure

KUBELET_VERSION = "v1.32.4-tugboat"
MAX_PODS = 110


@dataclass(frozen=True)
class NodeIdentity:
    name: str
    ip: str
    port: int


@dataclass(frozen=True)
class RuntimeState:
    healthy: bool
    message: str
    version: str


def node_labels(name: str, info: HostInfo) -> dict[str, str]:
    return {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": info.architecture, "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": info.architecture}


def capacity(info: HostInfo) -> dict[str, str]:
    return {"cpu": str(info.cpus), "memory": f"{info.memory_bytes // 1024}Ki",
            "pods": str(MAX_PODS),
            "ephemeral-storage": f"{info.ephemeral_storage_bytes // 1024}Ki"}


def _condition(old: list[NodeCondition], type_: str, ok: bool, reason: str, message: str,
               now: str) -> NodeCondition:
    value = "True" if ok else "False"
    prior = next((c for c in old if c.type == type_), None)
    since = prior.lastTransitionTime if prior is not None and prior.status == value else now
    return NodeCondition(type=type_, status=value, lastHeartbeatTime=now,
                         lastTransitionTime=since, reason=reason, message=message)


# type → (ok reason, ok message, pressure reason, pressure message)
_PRESSURE = {
    "MemoryPressure": ("KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                       "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
    "DiskPressure": ("KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                     "KubeletHasDiskPressure", "kubelet has disk pressure"),
    "PIDPressure": ("KubeletHasSufficientPID", "kubelet has sufficient PID available",
                    "KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
}


def conditions(old: list[NodeCondition], pressure: Pressure, runtime: RuntimeState,
               now: str) -> list[NodeCondition]:
    out = []
    for type_, on in (("MemoryPressure", pressure.memory), ("DiskPressure", pressure.disk),
                      ("PIDPressure", pressure.pids)):
        ok_reason, ok_message, bad_reason, bad_message = _PRESSURE[type_]
        out.append(_condition(old, type_, on, bad_reason if on else ok_reason,
                              bad_message if on else ok_message, now))
    if runtime.healthy:
        out.append(_condition(old, "Ready", True, "KubeletReady",
                              "kubelet is posting ready status", now))
    else:
        out.append(_condition(old, "Ready", False, "KubeletNotReady",
                              f"container runtime is down: {runtime.message}", now))
    return out


def node_status(ident: NodeIdentity, info: HostInfo, pressure: Pressure, runtime: RuntimeState,
                old: NodeStatus | None, now: str) -> NodeStatus:
    cap = capacity(info)
    return NodeStatus(
        capacity=cap, allocatable=dict(cap),
        conditions=conditions((old.conditions if old else None) or [], pressure, runtime, now),
        addresses=[NodeAddress(type="InternalIP", address=ident.ip),
                   NodeAddress(type="Hostname", address=ident.name)],
        daemonEndpoints=NodeDaemonEndpoints(kubeletEndpoint=DaemonEndpoint(Port=ident.port)),
        nodeInfo=NodeSystemInfo(
            machineID=info.machine_id, systemUUID=info.system_uuid, bootID=info.boot_id,
            kernelVersion=info.kernel_version, osImage=info.os_image,
            containerRuntimeVersion=runtime.version, kubeletVersion=KUBELET_VERSION,
            kubeProxyVersion="", operatingSystem="linux", architecture=info.architecture))


def new_node(ident: NodeIdentity, info: HostInfo, status: NodeStatus) -> Node:
    return Node(metadata=ObjectMeta(name=ident.name, labels=node_labels(ident.name, info)),
                status=status)


def without_heartbeats(status: NodeStatus) -> dict:
    """The status as compared between updates: heartbeat times always move."""
    wire = status.wire()
    for c in wire.get("conditions", []):
        c.pop("lastHeartbeatTime", None)
    return wire
