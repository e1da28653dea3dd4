"""The kubelet's Prometheus metrics on /metrics: pod sync durations and failures, pods and
containers running, status writes — the figures an operator watches on a node agent."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class KubeletMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sync_seconds = Histogram(
            "kubelet_pod_worker_duration_seconds", "Duration of one pod sync.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry)
        self.sync_errors = Counter("kubelet_pod_worker_errors_total",
                                   "Pod syncs that failed.", registry=self.registry)
        self.running_pods = Gauge("kubelet_running_pods", "Pods this kubelet runs.",
                                  registry=self.registry)
        self.status_writes = Gauge("kubelet_pod_status_writes",
                                   "Pod status writes since start.", registry=self.registry)

    def observe_sync(self, seconds: float, ok: bool) -> None:
        self.sync_seconds.observe(seconds)
        if not ok:
            self.sync_errors.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
