"""Scheduler benchmark (issue 5): pods bound per second and create→bind latency.

Two scenarios, each on a fresh apiserver: 1,000 pods on 100 nodes and 5,000 pods on
1,000 nodes. Nodes are created through the API (allocatable 32 cpu, 128Gi, 110 pods,
Ready, labels, images on a third of them, a PreferNoSchedule taint on a tenth and a
tolerated NoSchedule taint on a twentieth). Pods exercise every filter and score: cpu and
memory requests, a nodeSelector, a preferred node affinity, tolerations, a hostPort (100
distinct ports), a controlling owner (20 ReplicaSets) and an image some nodes hold.

Three phases per scenario, each on a fresh apiserver and scheduler:
- burst: the scheduler is running and the bench creates the pods as fast as the
  apiserver takes them (16 in flight); pods/s = pods / (last bind - first create);
  create→bind includes the wait behind every pod created earlier;
- paced: the same at a steady --rate (default 200/s), below capacity: create→bind is the
  scheduler's latency rather than a queue;
- backlog: the pods are created first, then the scheduler starts; pods/s = pods / (last
  bind - first bind), the scheduler's own rate with nothing else loading the machine.

Create→bind runs from sending a pod's create to seeing its binding on a watch. The CPU
each process used (apiserver, scheduler, the bench's load generator) is printed too, to
show which one is the bottleneck; every process shares the machine's cores.

Usage: .venv/bin/python bench/scheduler.py [--scenario 1000x5000] [--phase backlog]
                                           [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.processes import ApiServerProcess, free_port, wait_until  # noqa: E402

NS = "bench"
TICKS = os.sysconf("SC_CLK_TCK")


def node_body(i: int) -> dict:
    status = {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"},
              "capacity": {"cpu": "32", "memory": "128Gi", "pods": "110"},
              "conditions": [{"type": "Ready", "status": "True"}]}
    if i % 3 == 0:
        status["images"] = [{"names": ["busybox:1.35"], "sizeBytes": 300 * 1024 * 1024}]
    taints = []
    if i % 10 == 0:
        taints.append({"key": "bench/soft", "effect": "PreferNoSchedule"})
    if i % 20 == 1:
        taints.append({"key": "bench/dedicated", "value": "yes", "effect": "NoSchedule"})
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": f"node-{i:05d}",
                         "labels": {"kubernetes.io/hostname": f"node-{i:05d}",
                                    "bench/pool": "main", "zone": "abc"[i % 3]}},
            "spec": {"taints": taints} if taints else {}, "status": status}


def pod_body(i: int) -> dict:
    owner = i % 20
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": f"pod-{i:05d}", "labels": {"app": f"rs-{owner}"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                             "name": f"rs-{owner}", "uid": f"00000000-0000-0000-0000-{owner:012d}",
                             "controller": True}]},
        "spec": {
            "containers": [{"name": "c", "image": "busybox:1.35", "command": ["sleep", "3600"],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                            "ports": [{"containerPort": 8080, "hostPort": 20000 + i % 100}]}],
            "nodeSelector": {"bench/pool": "main"},
            "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": {"matchExpressions": [
                    {"key": "zone", "operator": "In", "values": ["a"]}]}}]}},
            "tolerations": [{"key": "bench/dedicated", "operator": "Equal", "value": "yes",
                             "effect": "NoSchedule"}]}}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


class BindWatch:
    """A raw watch on the bench namespace: when each pod's binding was first seen."""

    def __init__(self, base: str, expected: int):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.expected = expected
        self.bound: dict[str, float] = {}
        self.done = asyncio.Event()

    async def run(self, ready: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection(self.host, int(self.port))
        path = f"/api/v1/namespaces/{NS}/pods?watch=1"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        ready.set()
        buffer = b""
        try:
            while len(self.bound) < self.expected:
                size = int((await reader.readline()).strip(), 16)
                buffer += (await reader.readexactly(size + 2))[:-2]
                *lines, buffer = buffer.split(b"\n")
                now = time.perf_counter()
                for line in lines:
                    if line.strip():
                        self._see(orjson.loads(line), now)
        finally:
            writer.close()
        self.done.set()

    def _see(self, event: dict, now: float) -> None:
        obj = event["object"]
        if obj.get("spec", {}).get("nodeName"):
            self.bound.setdefault(obj["metadata"]["name"], now)


async def create_all(base: str, bodies: list[bytes], concurrency: int, sent: dict[str, float],
                     rate: float | None = None) -> None:
    """POST every pod over `concurrency` keep-alive connections on raw asyncio streams (the
    load generator shares the machine, so it must cost little CPU) — as fast as the
    apiserver takes them, or paced at `rate` per second."""
    host, port = base.removeprefix("http://").split(":")
    head = (f"POST /api/v1/namespaces/{NS}/pods HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n")
    todo = iter(enumerate(bodies))
    start = time.perf_counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i, body in todo:
                if rate:
                    await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
                sent[f"pod-{i:05d}"] = time.perf_counter()
                writer.write((head % len(body)).encode() + body)
                response = await reader.readuntil(b"\r\n\r\n")
                length = int(response.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                reply = await reader.readexactly(length)
                if not response.startswith(b"HTTP/1.1 201"):
                    raise RuntimeError(f"create failed: {response[:40]!r} {reply[:200]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))


async def create_nodes(base: str, count: int) -> None:
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await client.post("/api/v1/namespaces", json={"metadata": {"name": NS}})
        todo = iter(range(count))

        async def worker() -> None:
            for i in todo:
                r = await client.post("/api/v1/nodes", json=node_body(i))
                assert r.status_code == 201, r.text

        await asyncio.gather(*(worker() for _ in range(16)))


class SchedulerProcess:
    def __init__(self, url: str, log_path: Path, extra: list[str]):
        self.port = free_port()
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tugboat.scheduler", "--server", url,
                 "--port", str(self.port), *extra],
                stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text()[-2000:])
            metrics = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=2).text
            return 'leader_election_master_status{name="kube-scheduler"} 1.0' in metrics
        wait_until(ready, 60, "scheduler leading")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def run_stream(api: ApiServerProcess, count: int, extra: list[str], data: Path,
                     rate: float | None) -> dict:
    sched = SchedulerProcess(api.url, data / "scheduler.log", extra)
    sched.wait_ready()
    bodies = [orjson.dumps(pod_body(i)) for i in range(count)]
    watch, ready, sent = BindWatch(api.url, count), asyncio.Event(), {}
    watcher = asyncio.create_task(watch.run(ready))
    await ready.wait()
    cpu0 = (cpu_seconds(api.proc.pid), cpu_seconds(sched.proc.pid), own_cpu_seconds())
    start = time.perf_counter()
    try:
        await create_all(api.url, bodies, 16, sent, rate)
        created = time.perf_counter()
        await asyncio.wait_for(watch.done.wait(), 600)
        cpu1 = (cpu_seconds(api.proc.pid), cpu_seconds(sched.proc.pid), own_cpu_seconds())
    finally:
        watcher.cancel()
        sched.stop()
    elapsed = max(watch.bound.values()) - start
    latencies = [(watch.bound[name] - t) * 1000 for name, t in sent.items()]
    return {"rate": count / elapsed, "create_rate": count / (created - start),
            "p50": pct(latencies, 50), "p99": pct(latencies, 99),
            "mean": statistics.mean(latencies), "elapsed": elapsed,
            "cpu": [b - a for a, b in zip(cpu0, cpu1, strict=True)]}


async def run_backlog(api: ApiServerProcess, count: int, extra: list[str], data: Path) -> dict:
    bodies = [orjson.dumps(pod_body(i)) for i in range(count)]
    await create_all(api.url, bodies, 16, {})
    watch, ready = BindWatch(api.url, count), asyncio.Event()
    watcher = asyncio.create_task(watch.run(ready))
    await ready.wait()
    sched = SchedulerProcess(api.url, data / "scheduler-backlog.log", extra)
    cpu0 = (cpu_seconds(api.proc.pid), own_cpu_seconds())
    try:
        await asyncio.wait_for(watch.done.wait(), 600)
        cpu1 = (cpu_seconds(api.proc.pid), own_cpu_seconds())
        sched_cpu = cpu_seconds(sched.proc.pid)
    finally:
        watcher.cancel()
        sched.stop()
    times = sorted(watch.bound.values())
    return {"rate": (count - 1) / (times[-1] - times[0]), "elapsed": times[-1] - times[0],
            "cpu": [cpu1[0] - cpu0[0], sched_cpu, cpu1[1] - cpu0[1]]}


PHASES = ("burst", "paced", "backlog")


def scenario(data: Path, nodes: int, pods: int, phases: list[str], rate: float,
             extra: list[str]) -> None:
    for phase in phases:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        api = ApiServerProcess(data / "apiserver")
        api.start()
        try:
            asyncio.run(create_nodes(api.url, nodes))
            if phase == "backlog":
                r = asyncio.run(run_backlog(api, pods, extra, data))
            else:
                paced = rate if phase == "paced" else None
                r = asyncio.run(run_stream(api, pods, extra, data, paced))
        finally:
            api.stop()
        report(phase, nodes, pods, r)


def report(phase: str, nodes: int, pods: int, r: dict) -> None:
    cpu = r["cpu"]
    line = (f"{pods} pods on {nodes} nodes [{phase}]: {r['rate']:,.0f} pods bound/s "
            f"({r['elapsed']:.1f} s)")
    if phase != "backlog":
        line += (f"; create→bind p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms "
                 f"(creates sent at {r['create_rate']:,.0f}/s)")
    print(line)
    busiest = max(zip(cpu, ("apiserver", "scheduler", "bench client"), strict=True))
    print(f"    CPU seconds: apiserver {cpu[0]:.1f}, scheduler {cpu[1]:.1f}, "
          f"bench client {cpu[2]:.1f} over {r['elapsed']:.1f} s on {os.cpu_count()} cores; "
          f"busiest: {busiest[1]} ({busiest[0] / r['elapsed']:.0%} of a core)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", action="append", default=[],
                    help="NODESxPODS (default: 100x1000 and 1000x5000)")
    ap.add_argument("--phase", action="append", choices=PHASES, default=[],
                    help="burst, paced and/or backlog (default: all three)")
    ap.add_argument("--rate", type=float, default=200.0,
                    help="creates per second in the paced phase (default 200)")
    ap.add_argument("--data-dir", default="/var/tmp/tugboat-bench-scheduler")
    ap.add_argument("--scheduler-arg", action="append", default=[],
                    help="extra flag for tug-scheduler (repeatable)")
    args = ap.parse_args()
    print(f"# bench/scheduler.py — {time.strftime('%Y-%m-%d %H:%M')} — "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    for spec in args.scenario or ["100x1000", "1000x5000"]:
        nodes, pods = (int(x) for x in spec.split("x"))
        scenario(Path(args.data_dir), nodes, pods, args.phase or list(PHASES), args.rate,
                 args.scheduler_arg)


if __name__ == "__main__":
    main()
