"""The proxy's Prometheus metrics, named as kube-proxy's (kubeproxy_ -> tug_proxy_): how
long a sync takes (all, full, partial), when the last one finished, failed restores, and the network
programming latency — from an endpoint change (its slice's last-change-trigger-time, or
when the watch event arrived) to the rule being in place. One registry per proxy."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# kube-proxy's buckets: 1ms doubling to ~16s for syncs; network programming up to 5 min.
_SYNC_BUCKETS = tuple(0.001 * 2**i for i in range(15))
_PROGRAMMING_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15,
                        20, 30, 45, 60, 120, 180, 240, 300)


class ProxyMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sync_duration = Histogram(
            "tug_proxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in "
            "seconds", buckets=_SYNC_BUCKETS, registry=self.registry)
        # kube-proxy's split since MinimizeIPTablesRestore: a full sync reads the tables
        # back and rewrites every chain; a partial one writes only the changed chains.
        self.sync_full_duration = Histogram(
            "tug_proxy_sync_full_proxy_rules_duration_seconds", "SyncProxyRules latency in "
            "seconds for full resyncs", buckets=_SYNC_BUCKETS, registry=self.registry)
        self.sync_partial_duration = Histogram(
            "tug_proxy_sync_partial_proxy_rules_duration_seconds", "SyncProxyRules latency "
            "in seconds for partial resyncs", buckets=_SYNC_BUCKETS, registry=self.registry)
        self.last_sync = Gauge(
            "tug_proxy_sync_proxy_rules_last_timestamp_seconds", "The last time proxy rules "
            "were successfully synced", registry=self.registry)
        self.restore_failures = Counter(
            "tug_proxy_sync_proxy_rules_iptables_restore_failures_total", "Cumulative proxy "
            "iptables restore failures", registry=self.registry)
        self.network_programming = Histogram(
            "tug_proxy_network_programming_duration_seconds", "In Cluster Network "
            "Programming Latency in seconds", buckets=_PROGRAMMING_BUCKETS,
            registry=self.registry)
        self.service_ports = Gauge(
            "tug_proxy_sync_proxy_rules_service_ports", "Service ports programmed by the "
            "last sync", registry=self.registry)
        self.endpoints = Gauge(
            "tug_proxy_sync_proxy_rules_endpoints", "Endpoints programmed by the last sync",
            registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
