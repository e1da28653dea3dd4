"""The scheduler end to end: a pod created without a nodeName is bound by a real
tug-scheduler and started by a real tug-kubelet on this host's Docker — Pending, then
Running on the node the scheduler chose. Skipped where Docker or the local images
(`make images`) are missing."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ApiServerProcess, free_port, wait_until


def daemon(module: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", module, *args], stdout=out,
                                stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def remove_containers(node: str) -> None:
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=io.tugboat.node={node}"],
                         capture_output=True, text=True, timeout=60).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, timeout=120)


@pytest.fixture
def node_cluster(tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    api = ApiServerProcess(tmp_path / "apiserver")
    api.start()
    node = f"e2e-sched-{secrets.token_hex(2)}"
    procs = [
        daemon("tugboat.scheduler", ["--server", api.url, "--leader-elect=false",
                                     "--port", str(free_port())], tmp_path / "scheduler.log"),
        daemon("tugboat.kubelet", ["--server", api.url, "--node-name", node,
                                   "--port", str(free_port()), "--address", "127.0.0.1",
                                   "--node-ip", "127.0.0.1", "--root-dir", str(tmp_path / node),
                                   "--node-status-update-frequency", "2s",
                                   "--sync-frequency", "2s"], tmp_path / "kubelet.log"),
    ]
    try:
        with httpx.Client(base_url=api.url, timeout=15) as http:
            yield http, node
    finally:
        for proc in reversed(procs):
            stop(proc)
        remove_containers(node)
        api.stop()


def test_a_pod_without_node_name_goes_pending_to_running(node_cluster):
    http, node = node_cluster

    def node_ready() -> bool:
        r = http.get(f"/api/v1/nodes/{node}")
        conditions = r.json().get("status", {}).get("conditions") or [] if r.is_success else []
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

    wait_until(node_ready, 60, f"node {node} Ready")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sleeper"},
           "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                    "imagePullPolicy": "IfNotPresent",
                                    "command": ["sleep", "3600"],
                                    "resources": {"requests": {"cpu": "10m"}}}],
                    "terminationGracePeriodSeconds": 1}}
    created = http.post("/api/v1/namespaces/default/pods", json=pod)
    assert created.status_code == 201, created.text
    assert created.json()["status"]["phase"] == "Pending"
    assert not created.json()["spec"].get("nodeName")

    def current() -> dict:
        return http.get("/api/v1/namespaces/default/pods/sleeper").json()

    wait_until(lambda: current()["status"].get("phase") == "Running", 90, "sleeper Running")
    running = current()
    assert running["spec"]["nodeName"] == node
    conditions = {c["type"]: c["status"] for c in running["status"]["conditions"]}
    assert conditions["PodScheduled"] == "True"
    events = http.get("/api/v1/namespaces/default/events",
                      params={"fieldSelector": "involvedObject.name=sleeper,reason=Scheduled"})
    [scheduled] = events.json()["items"]
    assert scheduled["message"] == f"Successfully assigned default/sleeper to {node}"
