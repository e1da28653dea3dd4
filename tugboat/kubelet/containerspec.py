"""From a v1 Container to the runtime's ContainerConfig, with Kubernetes' semantics:
`command` replaces the image's entrypoint and `args` its cmd (a command without args runs
with no arguments), `$(VAR)` references in both expand (expansion.py) from the container's
final environment (environment.py assembles it), and CPU/memory limits and requests in
runtime units. The fieldRef and resourceFieldRef values the environment and the downward
API volumes share are here."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tugboat.api.core import Container, Pod
from tugboat.api.quantity import QuantityError, cpu_millis, parse_quantity, to_bytes
from tugboat.kubelet.expansion import expand
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure
from tugboat.kubelet.runtime import ContainerConfig, Mount, PodRef, PortMapping, SecurityConfig

_INDEXED = re.compile(r"metadata\.(labels|annotations)\['(.+)'\]")


def field_value(pod: Pod, path: str, pod_ip: str | None, host_ip: str) -> str:
    meta = pod.metadata
    simple = {"metadata.name": meta.name, "metadata.namespace": meta.namespace,
              "metadata.uid": meta.uid, "spec.nodeName": pod.spec.nodeName,
              "spec.serviceAccountName": pod.spec.serviceAccountName,
              "status.podIP": pod_ip, "status.podIPs": pod_ip, "status.hostIP": host_ip,
              "status.hostIPs": host_ip}
    if path in simple:
        return simple[path] or ""
    m = _INDEXED.fullmatch(path)
    if m:
        source = (meta.labels if m.group(1) == "labels" else meta.annotations) or {}
        return source.get(m.group(2), "")
    raise StartFailure(CREATE_CONFIG_ERROR, f"unsupported fieldRef {path!r}")


def resource_value(spec: Container, resource: str, divisor: str | None) -> str:
    kind, _, name = resource.partition(".")
    res = spec.resources
    values = (res.limits if kind == "limits" else res.requests) if res else None
    raw = (values or {}).get(name)
    if raw is None:
        return "0"
    try:
        value = parse_quantity(raw).value / parse_quantity(divisor or "1").value
    except (QuantityError, ZeroDivisionError) as e:
        raise StartFailure(CREATE_CONFIG_ERROR, f"resourceFieldRef {resource}: {e}") from e
    return str(-(-value.numerator // value.denominator))  # rounded up, as Kubernetes does


def _limits(spec: Container) -> tuple[int | None, int | None, int | None]:
    res = spec.resources
    limits, requests = (res.limits or {}, res.requests or {}) if res else ({}, {})
    try:
        cpu = cpu_millis(limits["cpu"]) if "cpu" in limits else None
        cpu_req = cpu_millis(requests["cpu"]) if "cpu" in requests else None
        mem = to_bytes(limits["memory"]) if "memory" in limits else None
    except QuantityError as e:
        raise StartFailure(CREATE_CONFIG_ERROR, f"resources: {e}") from e
    return cpu, cpu_req, mem


def container_config(pod: Pod, spec: Container, attempt: int, ref: PodRef,
                     mounts: list[Mount], *, security: SecurityConfig | None = None,
                     env: Mapping[str, str] | None = None) -> ContainerConfig:
    """`env` is the container's final environment (environment.ContainerEnvironment
    assembles it: the pod IP and the API objects it reads are its business)."""
    env = dict(env or {})
    cpu, cpu_req, mem = _limits(spec)
    return ContainerConfig(
        pod=ref, name=spec.name, attempt=attempt, image=spec.image or "",
        entrypoint=[expand(a, env) for a in spec.command] if spec.command else None,
        cmd=[expand(a, env) for a in spec.args] if spec.args is not None else None,
        env=env, working_dir=spec.workingDir, mounts=mounts, cpu_limit_millis=cpu,
        cpu_request_millis=cpu_req, memory_limit_bytes=mem, tty=bool(spec.tty),
        stdin=bool(spec.stdin), stdin_once=bool(spec.stdinOnce), share_ipc=shares_ipc(pod),
        security=security or SecurityConfig())


def shares_ipc(pod: Pod) -> bool:
    """Containers of one pod share an IPC namespace (the sandbox's); a pod of one container
    has nobody to share with, and a shareable IPC namespace costs Docker a /dev/shm mount."""
    return len(pod.spec.containers) > 1


def sandbox_ports(pod: Pod) -> list[PortMapping]:
    """Every container's ports: the sandbox owns the pod's network namespace, so hostPort
    mappings are published on it."""
    return [PortMapping(p.containerPort, p.hostPort, p.protocol or "TCP", p.hostIP)
            for c in pod.spec.containers for p in c.ports or ()]
