"""The scheduler's Prometheus metrics, named as kube-scheduler names them where it has
them: attempts by result, attempt and binding latency, pending pods per queue, cache
sizes and leadership. One registry per scheduler, so tests can run several."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0)


class SchedulerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.attempts = Counter(
            "scheduler_schedule_attempts_total", "Scheduling attempts by result "
            "(scheduled, unschedulable, error)", ["result"], registry=self.registry)
        self.attempt_duration = Histogram(
            "scheduler_scheduling_attempt_duration_seconds", "Time to filter, score and "
            "assume one pod", ["result"], buckets=_BUCKETS, registry=self.registry)
        self.binding_duration = Histogram(
            "scheduler_binding_duration_seconds", "Time to write one binding",
            buckets=_BUCKETS, registry=self.registry)
        self.evaluated_nodes = Histogram(
            "scheduler_evaluated_nodes", "Nodes filtered per attempt",
            buckets=(1, 10, 50, 100, 200, 500, 1000, 2000, 5000), registry=self.registry)
        self.pending = Gauge("scheduler_pending_pods", "Pods waiting, per queue", ["queue"],
                             registry=self.registry)
        self.cache_size = Gauge("scheduler_cache_size", "Nodes, pods and assumed pods in "
                                "the scheduler cache", ["type"], registry=self.registry)
        self.leader = Gauge("leader_election_master_status", "1 while this scheduler "
                            "holds the lease", ["name"], registry=self.registry)
        self._collect: list[Callable[[], None]] = []

    def on_render(self, fn: Callable[[], None]) -> None:
        """Run `fn` before every scrape (to copy queue and cache sizes into gauges)."""
        self._collect.append(fn)

    def render(self) -> bytes:
        for fn in self._collect:
            fn()
        return generate_latest(self.registry)
