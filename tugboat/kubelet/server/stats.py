"""GET /stats/summary: CPU and memory of the node and of each pod and container, shaped
like the kubelet's Summary API (stats/v1alpha1), so the metrics API (kubectl top, the HPA)
can read usage. Container figures come from Docker's stats; a summary is cached for a few
seconds because collecting one takes a second per container (Docker samples twice)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tugboat.kubelet.decisions import by_name
from tugboat.kubelet.node.hostinfo import CpuSampler, meminfo
from tugboat.kubelet.podstatus import rfc3339
from tugboat.kubelet.runtime import ContainerStats, Runtime, RuntimeContainer


def _usage(stats: ContainerStats) -> dict[str, Any]:
    stamp = rfc3339(stats.timestamp)
    return {"cpu": {"time": stamp, "usageNanoCores": stats.cpu_usage_nanocores,
                    "usageCoreNanoSeconds": stats.cpu_usage_nanoseconds},
            "memory": {"time": stamp, "usageBytes": stats.memory_usage_bytes,
                       "workingSetBytes": stats.memory_working_set_bytes}}


def _pod_entry(containers: list[RuntimeContainer], stats: dict[str, ContainerStats]
               ) -> dict[str, Any]:
    pod = containers[0].pod
    entries, cpu, cpu_total, mem, ws = [], 0, 0, 0, 0
    for name, instances in by_name([c for c in containers if not c.is_sandbox]).items():
        c = instances[-1]
        s = stats.get(c.id)
        if s is None:
            continue
        entries.append({"name": name, "startTime": rfc3339(c.started_at), **_usage(s)})
        cpu += s.cpu_usage_nanocores
        cpu_total += s.cpu_usage_nanoseconds
        mem += s.memory_usage_bytes
        ws += s.memory_working_set_bytes
    now = rfc3339(time.time())
    sandbox = next((c for c in containers if c.is_sandbox), None)
    return {"podRef": {"name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
            "startTime": rfc3339(sandbox.started_at if sandbox else None),
            "containers": entries,
            "cpu": {"time": now, "usageNanoCores": cpu, "usageCoreNanoSeconds": cpu_total},
            "memory": {"time": now, "usageBytes": mem, "workingSetBytes": ws}}


class StatsCollector:
    def __init__(self, runtime: Runtime, node: str, *, max_age: float = 5.0):
        self.runtime, self.node, self.max_age = runtime, node, max_age
        self.started = time.time()
        self._cpu = CpuSampler()
        self._cpu.sample(time.time())  # the first summary then has a rate
        self._cached: tuple[float, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def summary(self) -> dict[str, Any]:
        async with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.max_age:
                return self._cached[1]
            doc = await self._collect()
            self._cached = (time.monotonic(), doc)
            return doc

    async def _collect(self) -> dict[str, Any]:
        containers = await self.runtime.list_containers(self.node)
        running = [c for c in containers if c.running and not c.is_sandbox]
        stats = {s.container_id: s for s in await self.runtime.stats([c.id for c in running])}
        pods: dict[str, list[RuntimeContainer]] = {}
        for c in containers:
            if c.running:
                pods.setdefault(c.pod.uid, []).append(c)
        return {"node": self._node(), "pods": [_pod_entry(cs, stats) for cs in pods.values()
                                               if any(not c.is_sandbox for c in cs)]}

    def _node(self) -> dict[str, Any]:
        now = time.time()
        total, rate = self._cpu.sample(now)
        mem = meminfo()
        used = mem.get("MemTotal", 0) - mem.get("MemAvailable", 0)
        stamp = rfc3339(now)
        return {"nodeName": self.node, "startTime": rfc3339(self.started),
                "cpu": {"time": stamp, "usageNanoCores": rate, "usageCoreNanoSeconds": total},
                "memory": {"time": stamp, "availableBytes": mem.get("MemAvailable", 0),
                           "usageBytes": used, "workingSetBytes": used}}
