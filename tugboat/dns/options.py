"""tug-dns's flags, parsed into one Options value. `--port` is the DNS port (53, as
CoreDNS's; `tug up` passes an unprivileged one); `--health-port` serves /healthz, /ready
and /metrics (CoreDNS's ready port, 8181: its health port 8080 is the API server's here).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from tugboat.client.flags import positive_duration
from tugboat.dns.forward import DEFAULT_TIMEOUT
from tugboat.dns.kubernetes import DEFAULT_TTL
from tugboat.dns.upstreams import Upstream, parse_upstream

DEFAULT_PORT = 53
DEFAULT_HEALTH_PORT = 8181


@dataclass
class Options:
    server: str | None = None
    kubeconfig: str | None = None
    cluster_domain: str = "cluster.local"
    bind_address: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    health_bind_address: str = "127.0.0.1"
    health_port: int = DEFAULT_HEALTH_PORT
    upstreams: list[Upstream] = field(default_factory=list)  # empty: the host's resolv.conf
    resolv_conf: str = "/etc/resolv.conf"
    upstream_timeout: float = DEFAULT_TIMEOUT
    ttl: int = DEFAULT_TTL
    log_level: str = "info"


def _upstreams(text: str) -> list[Upstream]:
    try:
        return [parse_upstream(part) for part in text.split(",") if part.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(
            f"{e}: want IP or IP:PORT ([IPv6]:PORT), comma-separated") from None


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port < 65536:
        raise argparse.ArgumentTypeError(f"port out of range: {text}")
    return port


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tug-dns", description="Tugboat's cluster DNS (CoreDNS's role): Services and "
        "their endpoints under the cluster domain, from informer caches; other names "
        "forwarded to the upstream resolvers.")
    p.add_argument("--server", help="API server URL of the insecure port (ignored when "
                   "--kubeconfig is given)")
    p.add_argument("--kubeconfig", help="kubeconfig file with the server, CA and this "
                   "daemon's credentials (default: $KUBECONFIG, ~/.tug/config)")
    p.add_argument("--cluster-domain", default="cluster.local",
                   help="the zone served from the cluster (default cluster.local)")
    p.add_argument("--bind-address", default="0.0.0.0",
                   help="address to serve DNS on (default 0.0.0.0)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT,
                   help=f"DNS port, UDP and TCP (default {DEFAULT_PORT})")
    p.add_argument("--health-bind-address", default="127.0.0.1",
                   help="address for /healthz, /ready and /metrics (default 127.0.0.1)")
    p.add_argument("--health-port", type=_port, default=DEFAULT_HEALTH_PORT,
                   help=f"port for /healthz, /ready and /metrics (default "
                        f"{DEFAULT_HEALTH_PORT}; 0: off)")
    p.add_argument("--upstream", type=_upstreams, action="append", default=[],
                   metavar="IP[:PORT]", help="resolver for names outside the cluster; "
                   "repeatable or comma-separated (default: the nameservers of "
                   "--resolv-conf)")
    p.add_argument("--resolv-conf", default="/etc/resolv.conf",
                   help="where to find the host's resolvers (default /etc/resolv.conf)")
    p.add_argument("--upstream-timeout", type=positive_duration, default=DEFAULT_TIMEOUT,
                   help=f"how long to wait for one upstream (default {DEFAULT_TIMEOUT:g}s)")
    p.add_argument("--ttl", type=int, default=DEFAULT_TTL,
                   help=f"TTL of cluster records, seconds (default {DEFAULT_TTL})")
    p.add_argument("--log-level", default="info", help="debug, info, warning or error")
    return p


def parse_options(argv: list[str] | None = None) -> Options:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.ttl <= 3600:
        parser.error("--ttl must be between 0 and 3600")
    return Options(
        server=args.server, kubeconfig=args.kubeconfig,
        cluster_domain=args.cluster_domain.strip(".") or "cluster.local",
        bind_address=args.bind_address, port=args.port,
        health_bind_address=args.health_bind_address, health_port=args.health_port,
        upstreams=[u for group in args.upstream for u in group],
        resolv_conf=args.resolv_conf, upstream_timeout=args.upstream_timeout, ttl=args.ttl,
        log_level=args.log_level)
