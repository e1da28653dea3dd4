"""What the end-to-end tests drive: a real tug-kubelet process (next to the real apiserver
process of tests/support), a small REST helper to create pods and wait on their status,
and Docker clean-up by the node label, so every test run leaves no container behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import free_port, wait_until

Obj = dict[str, Any]
IMAGE = "busybox:1.35"


class KubeletProcess:
    def __init__(self, server: str, node: str, workdir: Path, extra: list[str] | None = None,
                 port: int | None = None, env: dict[str, str] | None = None):
        self.server, self.node, self.workdir = server, node, Path(workdir)
        self.extra, self.env = extra or [], env or {}
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / f"kubelet-{node}.log"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tugboat.kubelet", "--server", self.server,
             "--node-name", self.node, "--port", str(self.port), "--node-ip", "127.0.0.1",
             "--address", "127.0.0.1", "--root-dir", str(self.workdir / "root"),
             *self.extra],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env})
        log.close()
        wait_until(self.ready, 20, f"kubelet {self.node} (log {self.log_path})")

    def ready(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"kubelet exited: {self.log_path.read_text()[-3000:]}")
        return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


class ServiceProxy:
    """A real tug-proxy in the host's network namespace, where the pods on the Docker
    bridge send their packets: ClusterIPs (the `kubernetes` Service's among them) work for
    them while it runs. `stop` also removes its rules (--cleanup), so one test module's proxy
    never meets another's: two proxies on one host would rewrite each other's chains."""

    def __init__(self, server: str, node: str, workdir: Path, pod_cidr: str):
        self.server, self.node, self.pod_cidr = server, node, pod_cidr
        self.port = free_port()
        self.log_path = Path(workdir) / f"proxy-{node}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProxy:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tugboat.proxy", "--server", self.server,
             "--hostname-override", self.node, "--bind-address", "127.0.0.1",
             "--healthz-port", str(self.port), "--metrics-port", str(self.port),
             "--cluster-cidr", self.pod_cidr],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        wait_until(self.ready, 60, f"tug-proxy (log {self.log_path})")
        return self

    def ready(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"tug-proxy exited: {self.log_path.read_text()[-3000:]}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1
                             ).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        try:
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            subprocess.run([sys.executable, "-m", "tugboat.proxy", "--cleanup"],
                           capture_output=True, timeout=60)


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def node_containers(node: str, *filters: str, all_states: bool = True) -> list[str]:
    args = ["ps", "-q", "--no-trunc", "--filter", f"label=io.tugboat.node={node}"]
    for f in filters:
        args += ["--filter", f]
    if all_states:
        args.insert(1, "-a")
    out = docker(*args)
    return out.split() if out else []


def remove_node_containers(node: str) -> None:
    ids = node_containers(node)
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)


def unmount_under(folder: Path) -> None:
    """Lazily unmount what a kubelet mounted below `folder` (Secret and Memory-emptyDir
    tmpfs mounts of pods still running when it stopped), so the folder can be removed."""
    prefix = str(Path(folder).resolve()) + "/"
    with open("/proc/mounts") as f:
        targets = [line.split()[1] for line in f if line.split()[1].startswith(prefix)]
    for target in sorted(targets, key=len, reverse=True):  # the deepest first
        subprocess.run(["umount", "-l", target], capture_output=True, timeout=30)


def inspect(container_id: str) -> Obj:
    import json
    return json.loads(docker("inspect", container_id))[0]


def pod_manifest(name: str, node: str, command: str | None = None, *,
                 restart_policy: str | None = None, grace: int = 2, **container: Any) -> Obj:
    c: Obj = {"name": container.pop("container_name", "main"), "image": IMAGE,
              "imagePullPolicy": "IfNotPresent", **container}
    if command is not None:
        c["command"] = ["sh", "-c", command]
    spec: Obj = {"nodeName": node, "terminationGracePeriodSeconds": grace, "containers": [c]}
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


class Api:
    """Plain HTTP on the apiserver, so tests set up and check state without the kubelet's
    own client code."""

    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=15)

    def close(self) -> None:
        self.http.close()

    def namespace(self, name: str) -> str:
        r = self.http.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                       "metadata": {"name": name}})
        assert r.status_code == 201, r.text
        return name

    def create(self, ns: str, pod: Obj) -> Obj:
        r = self.http.post(f"/api/v1/namespaces/{ns}/pods", json=pod)
        assert r.status_code == 201, r.text
        return r.json()

    def pod(self, ns: str, name: str) -> Obj | None:
        r = self.http.get(f"/api/v1/namespaces/{ns}/pods/{name}")
        return r.json() if r.status_code == 200 else None

    def delete(self, ns: str, name: str, grace: int | None = None) -> httpx.Response:
        params = {} if grace is None else {"gracePeriodSeconds": grace}
        return self.http.delete(f"/api/v1/namespaces/{ns}/pods/{name}", params=params)

    def wait_pod(self, ns: str, name: str, check: Callable[[Obj], bool], timeout: float = 30,
                 what: str = "") -> Obj:
        seen: list[Obj] = []

        def cond() -> bool:
            pod = self.pod(ns, name)
            if pod is None:
                return False
            seen[:] = [pod]
            return check(pod)

        try:
            wait_until(cond, timeout, what or f"pod {ns}/{name}")
        except TimeoutError as e:
            raise AssertionError(f"{e}; last status: {seen[0].get('status') if seen else None}"
                                 ) from None
        return seen[0]

    def wait_phase(self, ns: str, name: str, phase: str, timeout: float = 30) -> Obj:
        return self.wait_pod(ns, name, lambda p: phase_of(p) == phase, timeout,
                             f"pod {ns}/{name} {phase}")

    def wait_gone(self, ns: str, name: str, timeout: float = 30) -> None:
        wait_until(lambda: self.pod(ns, name) is None, timeout, f"pod {ns}/{name} deleted")

    def events(self, ns: str, name: str) -> list[Obj]:
        r = self.http.get(f"/api/v1/namespaces/{ns}/events",
                          params={"fieldSelector": f"involvedObject.name={name}"})
        return r.json()["items"]

    def node(self, name: str) -> Obj | None:
        r = self.http.get(f"/api/v1/nodes/{name}")
        return r.json() if r.status_code == 200 else None


def phase_of(pod: Obj) -> str | None:
    return (pod.get("status") or {}).get("phase")


def container_status(pod: Obj, index: int = 0) -> Obj:
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return statuses[index] if index < len(statuses) else {}


def waiting_reason(pod: Obj) -> str | None:
    return ((container_status(pod).get("state") or {}).get("waiting") or {}).get("reason")


def condition(pod: Obj, type_: str) -> str | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c["type"] == type_:
            return c["status"]
    return None


def restarts(pod: Obj) -> int:
    return container_status(pod).get("restartCount", 0)


def eventually(cond: Callable[[], bool], timeout: float, what: str) -> None:
    wait_until(cond, timeout, what)


def monotonic() -> float:
    return time.monotonic()
