"""A controller manager process for the tests, and what the tests do in place of the
daemons that are not running: a Node with its Lease, and pods bound, given an IP and
marked Running and Ready (or finished) through the status subresource."""

from __future__ import annotations

import datetime as _dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import free_port, wait_until
from tugboat.client import ClientError, Conflict, SyncApiClient

# The grace period is the shortest the manager accepts: just over the kubelet's 10 s
# lease renewal (options.py).
FAST_FLAGS = [
    "--leader-elect=false", "--node-monitor-grace-period", "11s", "--node-monitor-period",
    "1s", "--pod-eviction-timeout", "5s", "--horizontal-pod-autoscaler-sync-period", "1s",
    "--horizontal-pod-autoscaler-downscale-stabilization", "3s", "--min-resync-period", "30s",
]


class ControllerManagerProcess:
    def __init__(self, server: str, data_dir: Path, extra: list[str] | None = None):
        self.server = server
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.extra = FAST_FLAGS if extra is None else extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / f"controller-manager-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ControllerManagerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tugboat.controller", "--server", self.server,
             "--port", str(self.port), "--bind-address", "127.0.0.1", *self.extra],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        wait_until(self.healthy, 20, f"controller manager (log {self.log_path})")
        return self

    def healthy(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"controller manager exited: {self.log()[-3000:]}")
        return httpx.get(self.url + "/healthz", timeout=1).status_code == 200

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self) -> None:
        self.stop(signal.SIGKILL)


def micro_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_body(name: str, labels: dict[str, str] | None = None,
              taints: list[dict[str, Any]] | None = None, kubelet_port: int | None = None
              ) -> dict[str, Any]:
    status: dict[str, Any] = {
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "lastHeartbeatTime": now(), "lastTransitionTime": now()}],
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                      {"type": "Hostname", "address": name}],
        "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
    if kubelet_port:
        status["daemonEndpoints"] = {"kubeletEndpoint": {"Port": kubelet_port}}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                  **(labels or {})}},
            "spec": {"taints": taints} if taints else {}, "status": status}


def renew_lease(kube: SyncApiClient, node: str, renew_time: str | None = None) -> None:
    """Renew (or create) the node's Lease as its kubelet would, at `renew_time` (now)."""
    body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": node, "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": node, "leaseDurationSeconds": 40,
                     "renewTime": renew_time or micro_now()}}
    try:
        lease = kube.get("leases", node, "kube-node-lease")
    except ClientError:
        kube.create("leases", body, "kube-node-lease")
        return
    lease["spec"]["renewTime"] = renew_time or micro_now()
    kube.update("leases", lease, "kube-node-lease")


def set_pod_status(kube: SyncApiClient, pod: dict[str, Any], phase: str, ready: bool,
                   ip: str | None = None) -> dict[str, Any]:
    """Write a pod's status as its kubelet would; retried on conflicts."""
    for _ in range(10):
        cur = kube.get("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        status = cur.setdefault("status", {})
        status["phase"] = phase
        status["podIP"] = ip or status.get("podIP") or _ip_for(cur)
        conds = [c for c in status.get("conditions") or []
                 if c["type"] not in ("Ready", "ContainersReady")]
        flag = "True" if ready else "False"
        conds += [{"type": "Ready", "status": flag, "lastTransitionTime": now()},
                  {"type": "ContainersReady", "status": flag, "lastTransitionTime": now()}]
        status["conditions"] = conds
        try:
            return kube.update_status("pods", cur)
        except Conflict:
            continue
    raise RuntimeError("could not write pod status")


def _ip_for(pod: dict[str, Any]) -> str:
    n = int(pod["metadata"]["uid"].replace("-", "")[:6], 16)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"


def pods(kube: SyncApiClient, ns: str, selector: str | None = None,
         include_terminating: bool = False) -> list[dict[str, Any]]:
    items = kube.list("pods", ns, label_selector=selector)["items"]
    return [p for p in items
            if include_terminating or not p["metadata"].get("deletionTimestamp")]


class FakeKubelet:
    """Binds the namespace's pods to `node` and marks them Running and Ready, as a
    scheduler and kubelet would (optionally only pods matching `ready_if`)."""

    def __init__(self, kube: SyncApiClient, ns: str, node: str | None = None,
                 bind: bool = False, delay: float = 0.0):
        self.kube, self.ns, self.node, self.bind, self.delay = kube, ns, node, bind, delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.ready_if = lambda pod: True

    def __enter__(self) -> FakeKubelet:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        seen: dict[str, float] = {}
        while not self._stop.wait(0.1):
            try:
                for pod in pods(self.kube, self.ns):
                    self._tend(pod, seen, time.monotonic())
            except (ClientError, RuntimeError):
                continue

    def _tend(self, pod: dict[str, Any], seen: dict[str, float], t: float) -> None:
        name = pod["metadata"]["name"]
        if self.bind and not pod["spec"].get("nodeName"):
            self.kube.bind(name, self.node or "", self.ns)
        status = pod.get("status") or {}
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in status.get("conditions") or [])
        if ready or status.get("phase") in ("Succeeded", "Failed") or not self.ready_if(pod):
            return
        first = seen.setdefault(name, t)
        if t - first >= self.delay:
            set_pod_status(self.kube, pod, "Running", True)


class Heartbeat:
    """Renews a node's Lease every half second, as its kubelet would, until paused."""

    def __init__(self, kube: SyncApiClient, node: str):
        self.kube, self.node = kube, node
        self.beating = threading.Event()
        self.beating.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            if self.beating.is_set():
                try:
                    renew_lease(self.kube, self.node)
                except ClientError:
                    pass

    def __enter__(self) -> Heartbeat:
        renew_lease(self.kube, self.node)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
