"""The pods, bursts and Docker floors bench/startup.py times, shared by its default run
and its --init-configmap run (bench/startupinit.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.processes import wait_until  # noqa: E402

IMAGE, PAUSE = "busybox:1.35", "tugboat/pause:3.9"
CONFIGMAP = "bench-config"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def docker(*args: str, check: bool = True) -> str:
    return subprocess.run(["docker", *args], check=check, capture_output=True,
                          text=True).stdout.strip()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pod(name: str, node: str) -> bytes:
    return orjson.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                         "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                                  "containers": [{"name": "app", "image": IMAGE,
                                                  "imagePullPolicy": "IfNotPresent",
                                                  "command": ["sleep", "3600"]}]}})


def init_configmap_pod(name: str, node: str) -> bytes:
    """The plain pod plus what issue 14 adds to its start: one init container that must
    exit 0 first, and the namespace's ConfigMap mounted into the app."""
    manifest = orjson.loads(pod(name, node))
    spec = manifest["spec"]
    spec["initContainers"] = [{"name": "init", "image": IMAGE,
                               "imagePullPolicy": "IfNotPresent", "command": ["true"]}]
    spec["volumes"] = [{"name": "config", "configMap": {"name": CONFIGMAP}}]
    spec["containers"][0]["volumeMounts"] = [{"name": "config", "mountPath": "/etc/config"}]
    return orjson.dumps(manifest)


def create_configmap(http: httpx.Client, ns: str) -> None:
    http.post(f"/api/v1/namespaces/{ns}/configmaps", json={
        "metadata": {"name": CONFIGMAP},
        "data": {"app.properties": "color=blue\nsize=3\n", "mode": "bench"}},
    ).raise_for_status()


class RunningWatch:
    """Watches a namespace and records when each pod is first seen Running."""

    def __init__(self, url: str, ns: str):
        self.running: dict[str, float] = {}  # time.monotonic()
        self.running_at: dict[str, float] = {}  # time.time(), to set beside Docker's events
        self._stop = False
        self._thread = threading.Thread(target=self._watch, args=(url, ns), daemon=True)
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def _watch(self, url: str, ns: str) -> None:
        try:
            with httpx.Client(timeout=None) as http, http.stream(
                    "GET", f"{url}/api/v1/namespaces/{ns}/pods", params={"watch": "1"}) as r:
                self._ready.set()
                for line in r.iter_lines():
                    if self._stop:
                        return
                    if not line:
                        continue
                    obj = orjson.loads(line)["object"]
                    name = obj["metadata"]["name"]
                    if (obj.get("status") or {}).get("phase") == "Running":
                        self.running.setdefault(name, time.monotonic())
                        self.running_at.setdefault(name, time.time())
        except httpx.HTTPError:
            pass  # the API server stopped at the end of the run

    def stop(self) -> None:
        self._stop = True


def tugboat_burst(api_url: str, node: str, n: int,
                  manifest: Callable[[str, str], bytes] = pod) -> tuple[list[float], float]:
    """(create→Running latency per pod, seconds from the first create to all Running)."""
    http = httpx.Client(base_url=api_url, timeout=30)
    ns = f"burst-{n}-{secrets.token_hex(2)}"
    http.post("/api/v1/namespaces", json={"metadata": {"name": ns}}).raise_for_status()
    if manifest is not pod:
        create_configmap(http, ns)
    watch = RunningWatch(api_url, ns)
    watch.start()
    created: dict[str, float] = {}

    def create(i: int) -> None:
        name = f"p{i:03d}"
        created[name] = time.monotonic()
        r = http.post(f"/api/v1/namespaces/{ns}/pods", content=manifest(name, node),
                      headers={"Content-Type": "application/json"})
        r.raise_for_status()

    start = time.monotonic()
    with ThreadPoolExecutor(n) as pool:
        list(pool.map(create, range(n)))
    wait_until(lambda: len(watch.running) == n, 120, f"{n} pods Running")
    watch.stop()
    latencies = [watch.running[name] - t for name, t in created.items()]
    total = max(watch.running.values()) - start
    http.request("DELETE", f"/api/v1/namespaces/{ns}/pods",
                 params={"gracePeriodSeconds": "0"})
    wait_until(lambda: not docker("ps", "-aq", "--filter", f"label=io.tugboat.node={node}"),
               120, "burst containers removed")
    http.close()
    return latencies, total


def bare_docker(n: int, parallel: bool) -> float:
    """Seconds to `docker run -d` a pause container and an app in its network, n times."""
    label = f"io.tugboat.bench=bare-{secrets.token_hex(3)}"

    def one(i: int) -> None:
        sandbox = docker("run", "-d", "--label", label, PAUSE)
        docker("run", "-d", "--label", label, "--network", f"container:{sandbox}", IMAGE,
               "sleep", "3600")

    start = time.monotonic()
    if parallel:
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(one, range(n)))
    else:
        for i in range(n):
            one(i)
    took = time.monotonic() - start
    ids = docker("ps", "-aq", "--filter", f"label={label}").split()
    if ids:
        docker("rm", "-f", *ids)
    return took


def docker_api_floor(n: int, unconfined: bool, with_init: bool = False) -> float:
    """Seconds to create and start n pause+app pairs through the Docker API at once (with
    an init container run to its exit between the two when `with_init`)."""
    import docker as docker_sdk  # the bench's own client; tugboat/ keeps it in the runtime

    api = docker_sdk.APIClient(timeout=120, max_pool_size=n)
    label = f"bare-api-{secrets.token_hex(3)}"
    security = ["seccomp=unconfined"] if unconfined else None

    def one(i: int) -> None:
        host = api.create_host_config(network_mode="bridge", security_opt=security)
        sandbox = api.create_container(PAUSE, host_config=host,
                                       labels={"io.tugboat.bench": label})["Id"]
        api.start(sandbox)
        api.inspect_container(sandbox)  # its IP, as any pod runtime must read
        host = api.create_host_config(network_mode=f"container:{sandbox}",
                                      security_opt=security)
        if with_init:
            init = api.create_container(IMAGE, command=["true"], host_config=host,
                                        labels={"io.tugboat.bench": label})["Id"]
            api.start(init)
            api.wait(init)
        app = api.create_container(IMAGE, command=["sleep", "3600"], host_config=host,
                                   labels={"io.tugboat.bench": label})["Id"]
        api.start(app)

    try:
        start = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(one, range(n)))
        return time.monotonic() - start
    finally:
        for c in api.containers(all=True, filters={"label": f"io.tugboat.bench={label}"}):
            api.remove_container(c["Id"], force=True)
        api.close()


def swarm_service(n: int) -> float:
    """Seconds from `docker service create --replicas n` to n task containers started,
    seen on Docker's event stream (passive: polling the CLI would steal CPU from Swarm)."""
    name = f"tugbench{secrets.token_hex(3)}"
    events = subprocess.Popen(
        ["docker", "events", "--filter", "type=container", "--filter", "event=start",
         "--filter", f"label=com.docker.swarm.service.name={name}", "--format", "{{.ID}}"],
        stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # let the event stream attach before the service exists
    start = time.monotonic()
    docker("service", "create", "--detach", "--no-resolve-image", "--name", name,
           "--replicas", str(n), "--stop-grace-period", "0s", IMAGE, "sleep", "3600")
    started = 0
    assert events.stdout is not None
    while started < n:
        if not events.stdout.readline():
            raise RuntimeError("docker events ended")
        started += 1
    took = time.monotonic() - start
    events.terminate()
    docker("service", "rm", name)
    wait_until(lambda: not docker("ps", "-aq", "--filter",
                                  f"label=com.docker.swarm.service.name={name}"),
               120, "swarm tasks gone")
    return took
