"""Fixtures for the scheduler's integration tests: the real apiserver and real
tug-scheduler processes, nodes created through the API, and a clean slate per test."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import unique_name
from tests.support.processes import ApiServerProcess, free_port, wait_until

# Short backoffs and leases keep the suite fast; the code paths are the production ones.
FAST = ["--pod-initial-backoff=100ms", "--pod-max-backoff=1s"]


class SchedulerProcess:
    """A real tug-scheduler on a free healthz/metrics port."""

    def __init__(self, server: str, log_path: Path, *extra: str):
        self.server, self.log_path, self.extra = server, log_path, list(extra)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SchedulerProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tugboat.scheduler", "--server", self.server,
                 "--port", str(self.port), *self.extra],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_until(self.healthy, 20, f"scheduler healthz (log {self.log_path})")
        return self

    def healthy(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"scheduler exited: {self.log_path.read_text()[-2000:]}")
        return httpx.get(self.url("/readyz"), timeout=1).status_code == 200

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def metrics(self) -> str:
        return httpx.get(self.url("/metrics"), timeout=2).text

    def leading(self) -> bool:
        return 'leader_election_master_status{name="kube-scheduler"} 1.0' in self.metrics()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def http(apiserver: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=apiserver.url, timeout=15.0) as c:
        yield c


@pytest.fixture(scope="module")
def scheduler(apiserver: ApiServerProcess) -> Iterator[SchedulerProcess]:
    proc = SchedulerProcess(apiserver.url, apiserver.data_dir / "scheduler.log", *FAST)
    proc.start()
    wait_until(proc.leading, 20, "scheduler leading")
    yield proc
    proc.stop()


class Cluster:
    """One test's view: its namespace, and helpers to make nodes and pods through the API."""

    def __init__(self, http: httpx.Client, namespace: str):
        self.http, self.ns = http, namespace
        self.prefix = secrets.token_hex(3)  # node names never repeat across tests

    def n(self, short: str) -> str:
        """The full name of this test's node `short`."""
        return f"{self.prefix}-{short}"

    def node(self, short: str, *, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
             labels: dict[str, str] | None = None, taints: list[dict] | None = None,
             unschedulable: bool = False, ready: str = "True") -> str:
        """Create node `short` (named n(short)) through the API; returns its name."""
        name = self.n(short)
        body = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                      **(labels or {})}},
                "spec": {"taints": taints or [], "unschedulable": unschedulable},
                "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods},
                           "capacity": {"cpu": cpu, "memory": memory, "pods": pods},
                           "conditions": [{"type": "Ready", "status": ready}]}}
        r = self.http.post("/api/v1/nodes", json=body)
        assert r.status_code == 201, r.text
        return name

    def patch_node(self, short: str, patch: dict, status: bool = False) -> None:
        path = f"/api/v1/nodes/{self.n(short)}" + ("/status" if status else "")
        r = self.http.patch(path, json=patch,
                            headers={"Content-Type": "application/merge-patch+json"})
        assert r.status_code == 200, r.text

    def pod(self, name: str, *, cpu: str | None = None, memory: str | None = None,
            host_port: int | None = None, owner: str | None = None, **spec: Any) -> dict:
        container: dict[str, Any] = {"name": "c", "image": "busybox:1.35"}
        requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
        if requests:
            container["resources"] = {"requests": requests}
        if host_port:
            container["ports"] = [{"containerPort": host_port, "hostPort": host_port}]
        meta: dict[str, Any] = {"name": name}
        if owner:
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                        "name": owner, "uid": f"uid-{owner}-{self.ns}",
                                        "controller": True}]
        body = {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": {"containers": [container], **spec}}
        r = self.http.post(f"/api/v1/namespaces/{self.ns}/pods", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def get_pod(self, name: str) -> dict:
        r = self.http.get(f"/api/v1/namespaces/{self.ns}/pods/{name}")
        assert r.status_code == 200, r.text
        return r.json()

    def node_of(self, name: str) -> str | None:
        return self.get_pod(name)["spec"].get("nodeName")

    def wait_bound(self, *names: str, timeout: float = 15) -> dict[str, str]:
        wait_until(lambda: all(self.node_of(n) for n in names), timeout,
                   f"pods {names} bound")
        return {n: self.node_of(n) for n in names}

    def delete_pod(self, name: str) -> None:
        r = self.http.delete(f"/api/v1/namespaces/{self.ns}/pods/{name}",
                             params={"gracePeriodSeconds": "0"})
        assert r.status_code == 200, r.text

    def events(self, name: str, reason: str) -> list[dict]:
        r = self.http.get(f"/api/v1/namespaces/{self.ns}/events",
                          params={"fieldSelector": f"involvedObject.name={name},reason={reason}"})
        assert r.status_code == 200, r.text
        return r.json()["items"]

    def wait_event(self, name: str, reason: str, timeout: float = 15) -> dict:
        wait_until(lambda: self.events(name, reason), timeout, f"{reason} event on {name}")
        return self.events(name, reason)[-1]

    def pod_scheduled(self, name: str) -> dict | None:
        conditions = self.get_pod(name).get("status", {}).get("conditions") or []
        return next((c for c in conditions if c["type"] == "PodScheduled"), None)

    def clean(self) -> None:
        """Delete every node and this namespace's pods, so the next test starts empty."""
        self.http.request("DELETE", f"/api/v1/namespaces/{self.ns}/pods",
                          params={"gracePeriodSeconds": "0"})
        for node in self.http.get("/api/v1/nodes").json()["items"]:
            self.http.delete(f"/api/v1/nodes/{node['metadata']['name']}")


@pytest.fixture
def cluster(http: httpx.Client, scheduler: SchedulerProcess,
            request: pytest.FixtureRequest) -> Iterator[Cluster]:
    ns = unique_name(request)
    r = http.post("/api/v1/namespaces", json={"metadata": {"name": ns}})
    assert r.status_code == 201, r.text
    c = Cluster(http, ns)
    c.clean()
    yield c
    c.clean()
