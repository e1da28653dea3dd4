"""A whole Tugboat cluster on this host for the end-to-end tests: the API server, the
scheduler, the controller manager and kubelets (several node names on one Docker engine,
as DESIGN §2 allows), each a real process with its own log; and cleanup of every container
a test node left behind (by the `io.tugboat.node` label)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.e2e.cluster import unmount_under
from tests.integration.controller.cluster import ControllerManagerProcess
from tests.support.processes import ApiServerProcess, free_port, wait_until
from tugboat.client import NotFound, SyncApiClient

MANAGER_FLAGS = [
    "--leader-elect=false", "--node-monitor-grace-period", "15s", "--node-monitor-period",
    "1s", "--pod-eviction-timeout", "5s", "--horizontal-pod-autoscaler-sync-period", "2s",
    "--horizontal-pod-autoscaler-downscale-stabilization", "10s", "--min-resync-period", "30s",
]



class Daemon:
    """One daemon process (`python -m <module> ...`) with its log in `data_dir`."""

    def __init__(self, name: str, module: str, args: list[str], data_dir: Path):
        self.name, self.module, self.args = name, module, args
        self.log_path = data_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool], timeout: float = 30) -> Daemon:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", self.module, *self.args],
                                     stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()

        def up() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            return ready()

        wait_until(up, timeout, f"{self.name} (log {self.log_path})")
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self) -> None:
        self.stop(signal.SIGKILL)


def remove_containers(node: str) -> None:
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=io.tugboat.node={node}"],
                         capture_output=True, text=True, timeout=60).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, timeout=120)


def node_ready(kube: SyncApiClient, node: str) -> bool:
    try:
        conds = kube.get("nodes", node).get("status", {}).get("conditions") or []
    except NotFound:
        return False
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conds)


class Cluster:
    kubelet_flags: tuple[str, ...] = ()  # more flags for every kubelet (e.g. --cluster-dns)

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.prefix = f"e2e-{secrets.token_hex(2)}"
        self.api = ApiServerProcess(data_dir / "apiserver")
        self.kube: SyncApiClient | None = None
        self.scheduler: Daemon | None = None
        self.manager: ControllerManagerProcess | None = None
        self.kubelets: dict[str, Daemon] = {}

    def start(self, nodes: int = 2) -> Cluster:
        self.api.start()
        self.kube = SyncApiClient(self.api.url, timeout=30)
        port = free_port()
        self.scheduler = Daemon("scheduler", "tugboat.scheduler", [
            "--server", self.api.url, "--leader-elect=false", "--port", str(port),
            "--bind-address", "127.0.0.1", "--pod-initial-backoff", "1s",
            "--pod-max-backoff", "2s"], self.data_dir).start(
            lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200)
        self.manager = ControllerManagerProcess(self.api.url, self.data_dir, MANAGER_FLAGS)
        self.manager.start()
        for i in range(nodes):
            self.start_kubelet(f"{self.prefix}-{i}")
        return self

    def start_kubelet(self, node: str) -> Daemon:
        assert self.kube is not None
        root = self.data_dir / node
        root.mkdir(parents=True, exist_ok=True)
        kubelet = Daemon(f"kubelet-{node}", "tugboat.kubelet", [
            "--server", self.api.url, "--node-name", node, "--port", str(free_port()),
            "--address", "127.0.0.1", "--node-ip", "127.0.0.1", "--root-dir", str(root),
            "--backoff-base", "1s", "--backoff-max", "5s",
            "--node-status-update-frequency", "2s", "--sync-frequency", "2s",
            *self.kubelet_flags], self.data_dir)
        kube = self.kube
        kubelet.start(lambda: node_ready(kube, node), 60)
        self.kubelets[node] = kubelet
        return kubelet

    @property
    def nodes(self) -> list[str]:
        return list(self.kubelets)

    def stop(self) -> None:
        for kubelet in self.kubelets.values():
            kubelet.stop()
        if self.manager is not None:
            self.manager.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        for node in self.kubelets:
            remove_containers(node)
            unmount_under(self.data_dir / node)
        if self.kube is not None:
            self.kube.close()
        self.api.stop()
