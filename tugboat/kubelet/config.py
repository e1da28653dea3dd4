"""tug-kubelet's flags, parsed into one KubeletConfig (durations in Go syntax: 10s, 5m)."""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass

from tugboat.api.durations import DurationError, parse_duration


@dataclass(frozen=True)
class KubeletConfig:
    server: str | None = None
    kubeconfig: str | None = None
    node_name: str = "localhost"
    runtime: str = "docker"
    manifests_dir: str | None = None
    port: int = 10250
    address: str = "0.0.0.0"
    node_ip: str | None = None
    backoff_base: float = 10.0
    backoff_max: float = 300.0
    node_status_update_frequency: float = 10.0
    file_check_frequency: float = 5.0
    sync_frequency: float = 10.0
    pause_image: str = "tugboat/pause:3.9"
    root_dir: str = "/var/lib/tugboat/kubelet"
    pod_workers: int = 32
    seccomp_default: bool = False
    log_level: str = "info"


def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except DurationError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return seconds


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tug-kubelet", description="Tugboat's node agent: runs "
                                "the pods bound to this node as Docker containers.")
    a = p.add_argument
    a("--server", help="API server URL (overrides the kubeconfig)")
    a("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.tug/config)")
    a("--node-name", default=socket.gethostname().lower(), help="this node's name")
    a("--runtime", choices=("docker", "fake"), default="docker", help="container runtime")
    a("--manifests-dir", help="folder of static pod manifests")
    a("--port", type=int, default=10250, help="kubelet server port (logs, exec, stats)")
    a("--address", default="0.0.0.0", help="address the kubelet server listens on")
    a("--node-ip", help="the node's InternalIP (default: the host's primary address)")
    a("--backoff-base", type=_duration, default=10.0, help="CrashLoopBackOff first delay")
    a("--backoff-max", type=_duration, default=300.0, help="CrashLoopBackOff cap")
    a("--node-status-update-frequency", type=_duration, default=10.0,
      help="how often the node status is recomputed")
    a("--file-check-frequency", type=_duration, default=5.0,
      help="how often the manifests folder is read")
    a("--sync-frequency", type=_duration, default=10.0, help="periodic resync of every pod")
    a("--pause-image", default="tugboat/pause:3.9", help="the sandbox image")
    a("--root-dir", default="/var/lib/tugboat/kubelet", help="where emptyDir volumes and seccomp/ profiles live")
    a("--pod-workers", type=int, default=32, help="pods synced in parallel")
    a("--seccomp-default", action="store_true",
      help="run containers without a seccomp profile under the runtime's default profile "
           "(RuntimeDefault) instead of Unconfined")
    a("--log-level", default="info")
    return p


def parse_args(argv: list[str] | None = None) -> KubeletConfig:
    ns = parser().parse_args(argv)
    if ns.backoff_max < ns.backoff_base:
        parser().error("--backoff-max must not be less than --backoff-base")
    return KubeletConfig(**vars(ns))
