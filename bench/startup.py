"""Pod start-up benchmark (issue 4, the kubelet). Prints, in one run on one machine:

- create → Running latency p50/p99 for a burst of 20 and of 50 busybox pods posted at
  once to a real apiserver, run by a real tug-kubelet on Docker (pods carry nodeName, so
  no scheduler is involved; Running is observed through a watch);
- the time until all of them are Running, beside the same number of bare
  `docker run -d` (a pause container plus the app joined to its network, as a pod
  needs) — run one after another, and all at once — and a Docker Swarm service with that
  many replicas (`docker swarm init` here, `docker swarm leave --force` after);
- the floor under any orchestrator on Docker: the same pause+app pairs made through the
  Docker API directly, all at once, with the seccomp setting the kubelet's pods get (no
  CLI processes, no apiserver, no status) — what Tugboat would take with zero overhead;
- the ratios the issue targets: Tugboat / bare Docker ≤ 1.3 and Tugboat / Swarm ≤ 0.5.

`--init-configmap` measures instead what issue 14 targets: a pod with one init container
(busybox `true`) and a configMap volume reaches Running within 1.2× a plain pod's time.
Both kinds run side by side on one kubelet, interleaved (the order flips each round), one
pod at a time (the ratio of the median create→Running) and in bursts; Docker's event
stream times each pod's containers, so the report says where the extra time goes.

Pods carry no seccompProfile, so the kubelet runs them Unconfined as Kubernetes' does by
default; `--seccomp-default` starts the kubelet with that flag (RuntimeDefault, the filter
bare `docker run` and Swarm apply) to show how much of the gap is that default.

Usage: .venv/bin/python bench/startup.py [--bursts 20,50] [--data-dir DIR] [--no-swarm]
                                        [--seccomp-default]
       .venv/bin/python bench/startup.py --init-configmap [--rounds 10] [--bursts 20]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.cluster import KubeletProcess, remove_node_containers  # noqa: E402
from tests.support.processes import ApiServerProcess, wait_until  # noqa: E402

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


class DockerTimeline:
    """Docker's own clock for one node's containers: when each pod's sandbox, init and app
    containers were created, started and died (the first of each), from `docker events`
    — passive, so timing the pods costs Docker nothing."""

    def __init__(self, node: str):
        self.seen: dict[tuple[str, str, str], float] = {}  # (pod, container, action) → time
        self._proc = subprocess.Popen(
            ["docker", "events", "--filter", "type=container", "--filter", "event=create",
             "--filter", "event=start", "--filter", "event=die",
             "--filter", f"label=io.tugboat.node={node}", "--format", "{{json .}}"],
            stdout=subprocess.PIPE, text=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        time.sleep(0.5)  # let the event stream attach before the first pod exists

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            event = orjson.loads(line)
            labels = (event.get("Actor") or {}).get("Attributes") or {}
            key = (labels.get("io.tugboat.pod.name", ""),
                   labels.get("io.tugboat.container.name", ""), event.get("Action", ""))
            self.seen.setdefault(key, event["timeNano"] / 1e9)

    def at(self, pod_name: str, container: str, action: str) -> float | None:
        return self.seen.get((pod_name, container, action))

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait()


# The steps of a pod's start, each from the previous one's end: (label, container, action).
PLAIN_STEPS = [("sandbox started", "POD", "start"), ("app started", "app", "start")]
INIT_STEPS = [("sandbox started", "POD", "start"), ("init started", "init", "start"),
              ("init exited", "init", "die"), ("app started", "app", "start")]


def docker_api_pod(api, with_init: bool) -> float:  # noqa: ANN001 (docker.APIClient)
    """Seconds for Docker alone to make one pod's containers, as the kubelet must: the
    sandbox (and its IP), then the init container run to its exit, then the app started —
    what a pod of that shape costs with no orchestrator at all."""
    label = {"io.tugboat.bench": f"floor-{secrets.token_hex(3)}"}
    unconfined = ["seccomp=unconfined"]
    start = time.monotonic()
    host = api.create_host_config(network_mode="bridge", security_opt=unconfined)
    sandbox = api.create_container(PAUSE, host_config=host, labels=label)["Id"]
    api.start(sandbox)
    api.inspect_container(sandbox)
    host = api.create_host_config(network_mode=f"container:{sandbox}",
                                  security_opt=unconfined)
    ids = [sandbox]
    if with_init:
        init = api.create_container(IMAGE, command=["true"], host_config=host,
                                    labels=label)["Id"]
        ids.append(init)
        api.start(init)
        api.wait(init)
    app = api.create_container(IMAGE, command=["sleep", "3600"], host_config=host,
                               labels=label)["Id"]
    ids.append(app)
    api.start(app)
    took = time.monotonic() - start
    for container in ids:
        api.remove_container(container, force=True)
    return took


def one_at_a_time(api_url: str, node: str, rounds: int, timeline: DockerTimeline
                  ) -> dict[str, list[dict[str, float]]]:
    """Each round starts one plain pod and one init+configMap pod, one after the other (the
    order flips each round), each alone on the node: its create→Running and its steps; and
    the same two shapes through the Docker API alone, for the floor under the ratio."""
    import docker as docker_sdk  # the bench's own client; tugboat/ keeps it in the runtime

    engine = docker_sdk.APIClient(timeout=120)
    http = httpx.Client(base_url=api_url, timeout=30)
    ns = f"init-cm-{secrets.token_hex(2)}"
    http.post("/api/v1/namespaces", json={"metadata": {"name": ns}}).raise_for_status()
    create_configmap(http, ns)
    watch = RunningWatch(api_url, ns)
    watch.start()
    kinds: dict[str, tuple[Callable[[str, str], bytes], list]] = {
        "plain": (pod, PLAIN_STEPS), "init+configMap": (init_configmap_pod, INIT_STEPS)}
    out: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    out.update({"Docker API, plain": [], "Docker API, init": []})
    for r in range(rounds):
        order = list(kinds) if r % 2 == 0 else list(reversed(kinds))
        for with_init in ([False, True] if r % 2 == 0 else [True, False]):
            took = docker_api_pod(engine, with_init)
            out[f"Docker API, {'init' if with_init else 'plain'}"].append(
                {"create→Running": took})
        for kind in order:
            manifest, steps = kinds[kind]
            name = f"{'init' if manifest is not pod else 'plain'}-{r:03d}"
            created = time.time()
            http.post(f"/api/v1/namespaces/{ns}/pods", content=manifest(name, node),
                      headers={"Content-Type": "application/json"}).raise_for_status()
            wait_until(lambda name=name: name in watch.running_at, 60, f"{name} Running")
            running = watch.running_at[name]
            # Docker's events may trail the watch by a few milliseconds
            wait_until(lambda name=name, steps=steps: all(
                timeline.at(name, c, a) for _, c, a in steps), 10, f"{name}'s events")
            row, last = {"create→Running": running - created}, created
            for label, container, action in steps:
                t = timeline.at(name, container, action) or last
                row[label] = t - last
                last = t
            row["→ seen Running"] = running - last
            out[kind].append(row)
            http.delete(f"/api/v1/namespaces/{ns}/pods/{name}",
                        params={"gracePeriodSeconds": "0"})
            wait_until(lambda name=name: not docker(
                "ps", "-aq", "--filter", f"label=io.tugboat.node={node}",
                "--filter", f"label=io.tugboat.pod.name={name}"), 60, f"{name} removed")
    watch.stop()
    http.close()
    engine.close()
    return out


def init_configmap_main(args: argparse.Namespace) -> None:
    bursts = [int(b) for b in (args.bursts or "20").split(",") if int(b) > 0]
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="tugboat-startup-"))
    api = ApiServerProcess(data / "apiserver")
    api.start()
    node = f"bench-{secrets.token_hex(3)}"
    kubelet = KubeletProcess(api.url, node, data / node)
    kubelet.start()
    timeline = DockerTimeline(node)
    burst_rows: list[tuple[int, str, list[float], float]] = []
    try:
        wait_until(lambda: httpx.get(f"{api.url}/api/v1/nodes/{node}").status_code == 200,
                   20, "node registered")
        tugboat_burst(api.url, node, 3)  # warm-up: first-use costs are not what we measure
        tugboat_burst(api.url, node, 3, init_configmap_pod)
        singles = one_at_a_time(api.url, node, args.rounds, timeline)
        for n in bursts:
            for r in range(args.burst_rounds):
                order = [("plain", pod), ("init+configMap", init_configmap_pod)]
                for kind, manifest in (order if r % 2 == 0 else order[::-1]):
                    latencies, total = tugboat_burst(api.url, node, n, manifest)
                    burst_rows.append((n, kind, latencies, total))
                for with_init in ([False, True] if r % 2 == 0 else [True, False]):
                    took = docker_api_floor(n, unconfined=True, with_init=with_init)
                    burst_rows.append((n, f"Docker API, {'init' if with_init else 'plain'}",
                                       [], took))
    finally:
        timeline.stop()
        kubelet.stop()
        api.stop()
        remove_node_containers(node)
        if not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)
    report_init_configmap(singles, burst_rows, args.rounds)


def report_init_configmap(singles: dict[str, list[dict[str, float]]],
                          burst_rows: list[tuple[int, str, list[float], float]],
                          rounds: int) -> None:
    info = docker("version", "--format", "{{.Server.Version}}")
    print(f"pod start-up with an init container and a configMap volume vs a plain pod "
          f"({os.cpu_count()} CPUs, Docker {info}); {rounds} rounds, one pod at a time, "
          f"order flipped each round")
    medians = {kind: statistics.median(r["create→Running"] for r in rows)
               for kind, rows in singles.items()}
    for kind, rows in singles.items():
        steps = [k for k in rows[0] if k != "create→Running"]
        lat = [r["create→Running"] for r in rows]
        print(f"  {kind:>18}: create→Running median {medians[kind]:.3f}s "
              f"(p10 {pct(lat, 10):.3f}s, p90 {pct(lat, 90):.3f}s)")
        if steps:
            print("  " + " " * 20 + "median steps: " + ", ".join(
                f"{s} +{statistics.median(r[s] for r in rows):.3f}s" for s in steps))
    ratio = medians["init+configMap"] / medians["plain"]
    floor = medians["Docker API, init"] / medians["Docker API, plain"]
    print(f"  ratio init+configMap / plain (medians): {ratio:.2f} "
          f"({'within' if ratio <= 1.2 else 'OVER'} the 1.2 target); "
          f"the same shapes through the Docker API alone: {floor:.2f}")
    by_n: dict[int, dict[str, list[tuple[list[float], float]]]] = {}
    for n, kind, lat, total in burst_rows:
        by_n.setdefault(n, {}).setdefault(kind, []).append((lat, total))
    for n, kinds in by_n.items():
        totals = {}
        for kind, runs in kinds.items():
            lat = [x for run_lat, _ in runs for x in run_lat]
            totals[kind] = statistics.median(total for _, total in runs)
            print(f"  burst of {n} {kind:>18}: all Running {totals[kind]:.2f}s (median of "
                  f"{len(runs)})" + (f", create→Running p50 {pct(lat, 50):.2f}s "
                                     f"p99 {pct(lat, 99):.2f}s" if lat else ""))
        print(f"  burst of {n} ratio (all Running): "
              f"{totals['init+configMap'] / totals['plain']:.2f}; the Docker API alone: "
              f"{totals['Docker API, init'] / totals['Docker API, plain']:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bursts", default=None,
                   help="burst sizes (default 20,50; with --init-configmap 20, 0 for none)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--no-swarm", action="store_true")
    p.add_argument("--seccomp-default", action="store_true",
                   help="run the kubelet with --seccomp-default (RuntimeDefault for pods)")
    p.add_argument("--init-configmap", action="store_true",
                   help="issue 14: an init container and a configMap volume vs a plain pod")
    p.add_argument("--rounds", type=int, default=10,
                   help="--init-configmap: pods of each kind started one at a time")
    p.add_argument("--burst-rounds", type=int, default=2,
                   help="--init-configmap: bursts of each kind per burst size")
    args = p.parse_args()
    if args.init_configmap:
        init_configmap_main(args)
        return
    bursts = [int(b) for b in (args.bursts or "20,50").split(",")]
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="tugboat-startup-"))
    api = ApiServerProcess(data / "apiserver")
    api.start()
    node = f"bench-{secrets.token_hex(3)}"
    kubelet = KubeletProcess(api.url, node, data / node,
                             extra=["--seccomp-default"] if args.seccomp_default else None)
    kubelet.start()
    wait_until(lambda: httpx.get(f"{api.url}/api/v1/nodes/{node}").status_code == 200, 20,
               "node registered")
    swarm = not args.no_swarm and docker("info", "--format",
                                         "{{.Swarm.LocalNodeState}}") == "inactive"
    if swarm:
        docker("swarm", "init", "--advertise-addr", "127.0.0.1")
    rows = []
    try:
        tugboat_burst(api.url, node, 5)  # warm-up: first-use costs are not what we measure
        for n in bursts:
            pids = [p.proc.pid for p in (api, kubelet) if p.proc]
            cpu0 = [cpu_seconds(pid) for pid in pids]
            latencies, total = tugboat_burst(api.url, node, n)
            cpu = [cpu_seconds(pid) - c for pid, c in zip(pids, cpu0, strict=True)]
            print(f"burst of {n}: apiserver {cpu[0]:.1f} CPU-s, kubelet {cpu[1]:.1f} CPU-s "
                  f"(create, run and delete)", flush=True)
            sequential, parallel = bare_docker(n, False), bare_docker(n, True)
            floor = docker_api_floor(n, unconfined=not args.seccomp_default)
            swarm_s = swarm_service(n) if swarm else float("nan")
            rows.append((n, latencies, total, sequential, parallel, floor, swarm_s))
    finally:
        if swarm:
            docker("swarm", "leave", "--force", check=False)
        kubelet.stop()
        api.stop()
        remove_node_containers(node)
        if not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)
    report(rows, "RuntimeDefault" if args.seccomp_default else "Unconfined")


def report(rows: list, seccomp: str) -> None:  # noqa: ANN001
    info = docker("version", "--format", "{{.Server.Version}}")
    print(f"pod start-up: Tugboat kubelet (pods' seccomp {seccomp}) vs bare docker run vs "
          f"Docker Swarm ({os.cpu_count()} CPUs, Docker {info})")
    print(f"{'pods':>5} {'p50':>7} {'p99':>7} {'all Running':>12} {'docker seq':>11} "
          f"{'docker par':>11} {'API floor':>10} {'swarm':>8} {'/docker seq':>12} "
          f"{'/docker par':>12} {'/floor':>7} {'/swarm':>7} {'floor/swarm':>12}")
    for n, lat, total, seq, par, floor, sw in rows:
        print(f"{n:>5} {pct(lat, 50):>6.2f}s {pct(lat, 99):>6.2f}s {total:>11.2f}s "
              f"{seq:>10.2f}s {par:>10.2f}s {floor:>9.2f}s {sw:>7.2f}s {total / seq:>12.2f} "
              f"{total / par:>12.2f} {total / floor:>7.2f} {total / sw:>7.2f} "
              f"{floor / sw:>12.2f}")
        print(f"      (mean create→Running {statistics.mean(lat):.2f}s)")


if __name__ == "__main__":
    main()
