"""The proxy's flags, parsed into one Options value; kube-proxy's names where it has them
(--hostname-override, --cluster-cidr, --healthz-port, --metrics-port,
--iptables-min-sync-period, --iptables-sync-period, --nodeport-addresses, --cleanup).
Durations are Go durations ("1s", "30s")."""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass, field

from tugboat.api.durations import parse_duration

DEFAULT_HEALTHZ_PORT = 10256
DEFAULT_METRICS_PORT = 10249
DEFAULT_SERVICE_CIDR = "10.96.0.0/12"


@dataclass
class Options:
    server: str | None = None
    kubeconfig: str | None = None
    node_name: str = ""
    cluster_cidr: str | None = None
    service_cidr: str = DEFAULT_SERVICE_CIDR
    nodeport_addresses: list[str] = field(default_factory=list)
    bind_address: str = "127.0.0.1"
    healthz_port: int = DEFAULT_HEALTHZ_PORT
    metrics_port: int = DEFAULT_METRICS_PORT
    sync_period: float = 30.0
    min_sync_period: float = 1.0
    iptables: str = "iptables"
    cleanup: bool = False
    log_level: str = "info"


def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"duration must not be negative: {text!r}")
    return seconds


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tug-proxy", description="Tugboat's service proxy (kube-proxy's role, iptables "
        "mode): routes ClusterIPs and NodePorts to the endpoints of Services.")
    p.add_argument("--server", help="API server URL of the insecure port (ignored when "
                   "--kubeconfig is given)")
    p.add_argument("--kubeconfig", help="kubeconfig file with the server, CA and this "
                   "daemon's credentials (default: $KUBECONFIG, ~/.tug/config)")
    p.add_argument("--hostname-override", dest="node_name", default="",
                   help="this node's name, for the Local traffic policies (default: the "
                   "host name)")
    p.add_argument("--cluster-cidr", default=None, help="the pods' address range; traffic "
                   "to a ClusterIP from outside it is masqueraded")
    p.add_argument("--service-cluster-ip-range", dest="service_cidr",
                   default=DEFAULT_SERVICE_CIDR, help="routed to the tug-svc0 link so "
                   f"ClusterIPs never leave the host (default {DEFAULT_SERVICE_CIDR})")
    p.add_argument("--nodeport-addresses", type=_list, default=[], help="comma-separated "
                   "IPs or CIDRs that serve NodePorts (default: every local address)")
    p.add_argument("--bind-address", default="127.0.0.1",
                   help="address for /healthz and /metrics (default 127.0.0.1)")
    p.add_argument("--healthz-port", type=int, default=DEFAULT_HEALTHZ_PORT,
                   help=f"port for /healthz (default {DEFAULT_HEALTHZ_PORT}; 0: off)")
    p.add_argument("--metrics-port", type=int, default=DEFAULT_METRICS_PORT,
                   help=f"port for /metrics (default {DEFAULT_METRICS_PORT}; 0: off; the "
                   "same as --healthz-port: one port for both)")
    p.add_argument("--iptables-sync-period", "--sync-period", dest="sync_period",
                   type=_duration, default=30.0, help="resync the rules at least this often "
                   "(default 30s)")
    p.add_argument("--iptables-min-sync-period", "--min-sync-period", dest="min_sync_period",
                   type=_duration, default=1.0, help="sync at most this often, coalescing "
                   "changes (default 1s)")
    p.add_argument("--iptables", default="iptables", help="the iptables command; -save and "
                   "-restore are appended to it (default iptables)")
    p.add_argument("--cleanup", action="store_true", help="remove every TUG- chain, the "
                   "jumps to them and the tug-svc0 link, then exit")
    p.add_argument("--log-level", default="info", help="debug, info, warning or error")
    return p


def parse_options(argv: list[str] | None = None) -> Options:
    parser = build_parser()
    a = parser.parse_args(argv)
    if a.sync_period <= 0:
        parser.error("--iptables-sync-period must be positive")
    return Options(
        server=a.server, kubeconfig=a.kubeconfig, node_name=a.node_name or socket.gethostname(),
        cluster_cidr=a.cluster_cidr, service_cidr=a.service_cidr,
        nodeport_addresses=a.nodeport_addresses, bind_address=a.bind_address,
        healthz_port=a.healthz_port, metrics_port=a.metrics_port,
        sync_period=a.sync_period, min_sync_period=a.min_sync_period, iptables=a.iptables,
        cleanup=a.cleanup, log_level=a.log_level)
