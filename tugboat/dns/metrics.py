"""tug-dns's Prometheus metrics under CoreDNS's names, so CoreDNS dashboards read them:
requests by protocol, address family and type; responses by rcode and the plugin that
answered; request duration by type; and the forward plugin's tries per upstream. One
registry per server, so tests can run several."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# CoreDNS's buckets for coredns_dns_request_duration_seconds (0.25 ms .. 8 s).
_BUCKETS = (0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256,
            0.512, 1.024, 2.048, 4.096, 8.192)

# The zone label: one server block for the root zone, as in Kubernetes' default Corefile.
ZONE = "."


class DNSMetrics:
    def __init__(self, server: str) -> None:
        self.server = server
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coredns_dns_requests_total", "Counter of DNS requests made per zone, protocol "
            "and family.", ["server", "zone", "proto", "family", "type"],
            registry=self.registry)
        self.responses = Counter(
            "coredns_dns_responses_total", "Counter of response status codes.",
            ["server", "zone", "rcode", "plugin"], registry=self.registry)
        self.duration = Histogram(
            "coredns_dns_request_duration_seconds", "Histogram of the time (in seconds) "
            "each request took per zone.", ["server", "zone", "type"], buckets=_BUCKETS,
            registry=self.registry)
        self.forward_requests = Counter(
            "coredns_forward_requests_total", "Counter of requests made per upstream.",
            ["to"], registry=self.registry)
        self.forward_responses = Counter(
            "coredns_forward_responses_total", "Counter of responses (rcode, or timeout "
            "and error) per upstream.", ["to", "rcode"], registry=self.registry)
        self.synced = Gauge(
            "coredns_kubernetes_synced", "1 once the Service and EndpointSlice caches have "
            "synced.", registry=self.registry)

    def observe(self, *, proto: str, family: str, qtype: str, rcode: str, plugin: str,
                seconds: float) -> None:
        self.requests.labels(self.server, ZONE, proto, family, qtype).inc()
        self.responses.labels(self.server, ZONE, rcode, plugin).inc()
        self.duration.labels(self.server, ZONE, qtype).observe(seconds)

    def observe_upstream(self, upstream: object, outcome: str) -> None:
        self.forward_requests.labels(str(upstream)).inc()
        self.forward_responses.labels(str(upstream), outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
