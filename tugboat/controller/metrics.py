"""Prometheus metrics of the controller manager: reconciles by controller and result,
their latency, work-queue depth and leadership, rendered on /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ControllerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.reconciles = Counter(
            "tugboat_controller_reconcile_total", "Reconciles by controller and result.",
            ["controller", "result"], registry=self.registry)
        self.latency = Histogram(
            "tugboat_controller_reconcile_duration_seconds", "Time spent in one reconcile.",
            ["controller"], registry=self.registry)
        self.depth = Gauge("tugboat_workqueue_depth", "Keys waiting in a work queue.",
                           ["name"], registry=self.registry)
        self.leader = Gauge("tugboat_leader_election_master_status",
                            "1 while this process leads.", ["name"], registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
