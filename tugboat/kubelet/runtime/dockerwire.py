"""Translation between the Runtime's values and Docker Engine API JSON: create arguments
from SandboxConfig/ContainerConfig, RuntimeContainer from `inspect`, events and stats.
Pure data in, data out — no Docker SDK here (docker.py makes the calls), so every rule
(Kubernetes' command/args mapping, ports on the sandbox, limits, restart policy "no") is
testable without a daemon."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from tugboat.kubelet.runtime import labels
from tugboat.kubelet.runtime.types import (
    SANDBOX_NAME,
    SECCOMP_RUNTIME_DEFAULT,
    SECCOMP_UNCONFINED,
    ContainerConfig,
    ContainerStats,
    RuntimeContainer,
    RuntimeEvent,
    SandboxConfig,
    SecurityConfig,
    State,
)

_STATES = {"created": State.CREATED, "running": State.RUNNING, "paused": State.RUNNING,
           "restarting": State.RUNNING, "exited": State.EXITED, "dead": State.EXITED,
           "removing": State.EXITED}
_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def container_name(pod_name: str, namespace: str, uid: str, name: str, attempt: int) -> str:
    """dockershim's naming: tug_<container>_<pod>_<namespace>_<uid>_<attempt>."""
    raw = f"tug_{name}_{pod_name}_{namespace}_{uid}_{attempt}"
    return _NAME_UNSAFE.sub("-", raw)


def security_options(security: SecurityConfig) -> list[str] | None:
    """Docker's --security-opt: its own seccomp profile is what it applies when told
    nothing, so "runtime/default" needs no option; Localhost passes the profile's JSON."""
    opts = []
    if security.seccomp == SECCOMP_UNCONFINED:
        opts.append("seccomp=unconfined")
    elif security.seccomp != SECCOMP_RUNTIME_DEFAULT:
        opts.append(f"seccomp={security.seccomp}")
    if security.no_new_privileges:
        opts.append("no-new-privileges")
    return opts or None


def _security_host_config(security: SecurityConfig) -> dict[str, Any]:
    return {"security_opt": security_options(security),
            "privileged": security.privileged,
            "read_only": security.read_only_rootfs or None,
            "cap_add": list(security.cap_add) or None,
            "cap_drop": list(security.cap_drop) or None,
            "group_add": [str(g) for g in security.group_add] or None}


def sandbox_create(config: SandboxConfig, pause_image: str) -> dict[str, Any]:
    """Keyword arguments for APIClient.create_container (host_config as a dict for
    create_host_config): the pause container on the default bridge, owning the ports."""
    ports = [(p.container_port, p.protocol.lower()) for p in config.ports if p.host_port]
    bindings: dict[str, Any] = {}
    for p in config.ports:
        if p.host_port:
            key = f"{p.container_port}/{p.protocol.lower()}"
            bindings.setdefault(key, []).append((p.host_ip or "0.0.0.0", p.host_port))
    pod = config.pod
    return {
        "image": pause_image,
        "name": container_name(pod.name, pod.namespace, pod.uid, SANDBOX_NAME, config.attempt),
        "hostname": config.hostname[:63],
        "labels": labels.container_labels(pod, SANDBOX_NAME, config.attempt),
        "ports": ports or None,
        "host_config": {"network_mode": "bridge",
                        "ipc_mode": "shareable" if config.share_ipc else None,
                        "port_bindings": bindings or None,
                        "restart_policy": {"Name": "no"},
                        "security_opt": security_options(config.security),
                        "oom_score_adj": config.oom_score_adj},
    }


def container_create(config: ContainerConfig, sandbox_id: str) -> dict[str, Any]:
    """Keyword arguments for APIClient.create_container: Kubernetes' command → Docker's
    Entrypoint and args → Cmd (a command without args drops the image's Cmd, as Docker does
    whenever Entrypoint is given), the sandbox's network and IPC namespaces, limits."""
    pod = config.pod
    host: dict[str, Any] = {
        "network_mode": f"container:{sandbox_id}",
        "ipc_mode": f"container:{sandbox_id}" if config.share_ipc else None,
        "pid_mode": f"container:{config.pid_target}" if config.pid_target else None,
        "restart_policy": {"Name": "no"},
        "binds": [f"{m.host_path}:{m.container_path}:{'ro' if m.read_only else 'rw'}"
                  for m in config.mounts] or None,
        **_security_host_config(config.security),
    }
    if config.memory_limit_bytes:
        host["mem_limit"] = config.memory_limit_bytes
        host["memswap_limit"] = config.memory_limit_bytes
    if config.cpu_limit_millis:
        host["nano_cpus"] = config.cpu_limit_millis * 1_000_000
    if config.cpu_request_millis:
        host["cpu_shares"] = max(2, config.cpu_request_millis * 1024 // 1000)
    if config.oom_score_adj is not None:
        host["oom_score_adj"] = config.oom_score_adj
    return {
        "image": config.image,
        "name": container_name(pod.name, pod.namespace, pod.uid, config.name, config.attempt),
        "entrypoint": config.entrypoint,
        "command": config.cmd,
        "environment": [f"{k}={v}" for k, v in config.env.items()] or None,
        "working_dir": config.working_dir or None,
        "user": config.security.user,
        "labels": labels.container_labels(pod, config.name, config.attempt),
        "tty": config.tty,
        "stdin_open": config.stdin,
        # The SDK makes a non-detached container with stdin StdinOnce; detached, it is not.
        "detach": config.stdin and not config.stdin_once,
        "host_config": host,
    }


def parse_time(value: str | None) -> float | None:
    """Docker's RFC 3339 nanosecond timestamps; its zero time means unset."""
    if not value or value.startswith("0001-01-01"):
        return None
    text = value.rstrip("Z")
    whole, _, frac = text.partition(".")
    stamp = _dt.datetime.fromisoformat(whole).replace(tzinfo=_dt.timezone.utc).timestamp()
    return stamp + (float("0." + frac[:9]) if frac else 0.0)


def from_inspect(data: dict[str, Any]) -> RuntimeContainer | None:
    """A RuntimeContainer from `docker inspect` output; None if it is not one of ours."""
    config = data.get("Config") or {}
    lbl = config.get("Labels") or {}
    if not labels.is_ours(lbl):
        return None
    st = data.get("State") or {}
    state = _STATES.get(st.get("Status", ""), State.UNKNOWN)
    exit_code, finished = st.get("ExitCode"), parse_time(st.get("FinishedAt"))
    if state == State.CREATED and st.get("Error"):  # start failed: it will never run
        state, exit_code = State.EXITED, exit_code or 128
        finished = finished or parse_time(data.get("Created"))
    net = data.get("NetworkSettings") or {}
    ip = net.get("IPAddress") or next(
        (n.get("IPAddress") for n in (net.get("Networks") or {}).values() if n.get("IPAddress")),
        None)
    return RuntimeContainer(
        id=data["Id"], pod=labels.pod_ref(lbl), name=lbl[labels.CONTAINER_NAME],
        attempt=labels.attempt(lbl), state=state, image=config.get("Image", ""),
        image_id="docker://" + data.get("Image", "") if data.get("Image") else "",
        created_at=parse_time(data.get("Created")) or 0.0,
        started_at=parse_time(st.get("StartedAt")),
        finished_at=finished if state == State.EXITED else None,
        exit_code=exit_code if state == State.EXITED else None,
        oom_killed=bool(st.get("OOMKilled")), error=st.get("Error") or "",
        ip=ip or None)


def summary_state(item: dict[str, Any]) -> State:
    """The state in a `docker ps -a` (list) entry."""
    return _STATES.get(item.get("State", ""), State.UNKNOWN)


def event_from(raw: dict[str, Any]) -> RuntimeEvent | None:
    attrs = (raw.get("Actor") or {}).get("Attributes") or {}
    uid = attrs.get(labels.POD_UID)
    if not uid:
        return None
    return RuntimeEvent(pod_uid=uid, container_id=(raw.get("Actor") or {}).get("ID", ""),
                        action=(raw.get("Action") or raw.get("status") or "").split(":")[0])


def stats_from(container_id: str, raw: dict[str, Any], now: float) -> ContainerStats:
    """Docker's stats JSON: CPU rate from the cpu/precpu pair, working set = usage minus
    inactive file cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`)."""
    cpu, pre = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    total = (cpu.get("cpu_usage") or {}).get("total_usage", 0)
    delta = total - (pre.get("cpu_usage") or {}).get("total_usage", 0)
    read, preread = parse_time(raw.get("read")), parse_time(raw.get("preread"))
    seconds = (read - preread) if read and preread and read > preread else 0.0
    nanocores = int(delta / seconds) if seconds > 0 and delta > 0 else 0
    mem = raw.get("memory_stats") or {}
    usage = mem.get("usage", 0)
    stats = mem.get("stats") or {}
    inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
    return ContainerStats(container_id=container_id, timestamp=read or now,
                          cpu_usage_nanoseconds=total, cpu_usage_nanocores=nanocores,
                          memory_usage_bytes=usage,
                          memory_working_set_bytes=max(0, usage - inactive))


def demux(buffer: bytearray) -> list[tuple[int, bytes]]:
    """Split Docker's multiplexed attach stream (8-byte header: stream, 0, 0, 0, size)
    into (stream, payload) frames, consuming complete frames from `buffer`."""
    frames = []
    while len(buffer) >= 8:
        size = int.from_bytes(buffer[4:8], "big")
        if len(buffer) < 8 + size:
            break
        frames.append((buffer[0] or 1, bytes(buffer[8:8 + size])))
        del buffer[:8 + size]
    return frames
