"""Prometheus metrics of the API server: requests by verb, resource and code, their
latency, and the store's commit latency as the server sees it. One registry per app so
several servers can live in one test process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("apiserver_request_total", "API requests by verb, resource "
                                "and HTTP code", ["verb", "resource", "code"],
                                registry=self.registry)
        self.latency = Histogram("apiserver_request_duration_seconds", "API request latency "
                                 "(watches: until the stream opens)", ["verb", "resource"],
                                 buckets=_BUCKETS, registry=self.registry)
        self.commit = Histogram("tugboat_store_commit_duration_seconds", "Time from handing a "
                                "write to the store to its durable commit", buckets=_BUCKETS,
                                registry=self.registry)
        self.watchers = Gauge("apiserver_registered_watchers", "Open watch streams",
                              registry=self.registry)
        self.revision = Gauge("tugboat_store_revision", "Newest revision in the watch cache",
                              registry=self.registry)

    def observe(self, verb: str, resource: str, code: int, seconds: float) -> None:
        self.requests.labels(verb, resource, str(code)).inc()
        if resource:
            self.latency.labels(verb, resource).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
