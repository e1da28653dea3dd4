"""bench/startup.py --init-configmap (issue 14): a pod with one init container and a
configMap volume beside a plain pod, one at a time and in bursts, with Docker's event times
per step and the same shapes built through the Docker API alone (the floor)."""

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
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.startuppods import (  # noqa: E402
    IMAGE,
    PAUSE,
    RunningWatch,
    create_configmap,
    docker,
    docker_api_floor,
    init_configmap_pod,
    pct,
    pod,
    tugboat_burst,
)
from tests.e2e.cluster import KubeletProcess, remove_node_containers  # noqa: E402
from tests.support.processes import ApiServerProcess, wait_until  # noqa: E402


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
