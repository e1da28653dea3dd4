"""The scheduler's flags, parsed into one Options value.

kube-scheduler's names where it has them (`--leader-elect`, `--leader-elect-lease-duration`
...); the short `--lease-duration`, `--renew-deadline` and `--retry-period` are accepted
too. Durations are Go durations ("15s", "1m30s"); booleans accept `--flag`,
`--flag=true|false`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from tugboat.api.durations import parse_duration
from tugboat.client.flags import positive_duration
from tugboat.scheduler.plugins import DEFAULT_WEIGHTS

DEFAULT_PORT = 10259  # kube-scheduler's secure port; here plain HTTP for healthz/metrics


@dataclass
class Options:
    server: str | None = None
    kubeconfig: str | None = None
    scheduler_name: str = "default-scheduler"
    leader_elect: bool = True
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    lease_name: str = "kube-scheduler"
    lease_namespace: str = "kube-system"
    percentage_of_nodes_to_score: int = 0
    score_weights: dict[str, int] = field(default_factory=dict)
    bind_address: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    initial_backoff: float = 1.0
    max_backoff: float = 10.0
    log_level: str = "info"


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "t"):
        return True
    if lowered in ("false", "0", "no", "f"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean {text!r}")


def _percentage(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 0 and 100")
    return value


def _weight(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or name not in DEFAULT_WEIGHTS:
        raise argparse.ArgumentTypeError(
            f"want NAME=WEIGHT with NAME one of {', '.join(sorted(DEFAULT_WEIGHTS))}")
    try:
        weight = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"weight must be an integer: {value!r}") from None
    if weight < 0:
        raise argparse.ArgumentTypeError("weight must be >= 0")
    return name, weight


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tug-scheduler", description="Tugboat's scheduler: binds pending pods to nodes "
        "(filter, score, bind), with leader election so several can run.")
    p.add_argument("--server", help="API server URL of the insecure port (ignored when "
                   "--kubeconfig is given)")
    p.add_argument("--kubeconfig", help="kubeconfig file with the server, CA and this "
                   "daemon's credentials (default: $KUBECONFIG, ~/.tug/config)")
    p.add_argument("--scheduler-name", default="default-scheduler",
                   help="schedule pods whose spec.schedulerName is this")
    p.add_argument("--leader-elect", type=_bool, nargs="?", const=True, default=True,
                   help="elect a leader on a Lease before scheduling (default true)")
    for flag, default in (("lease-duration", "15s"), ("renew-deadline", "10s"),
                          ("retry-period", "2s")):
        p.add_argument(f"--leader-elect-{flag}", f"--{flag}", dest=flag.replace("-", "_"),
                       type=positive_duration, default=parse_duration(default),
                       help=f"leader election {flag.replace('-', ' ')} (default {default})")
    p.add_argument("--leader-elect-resource-name", dest="lease_name", default="kube-scheduler")
    p.add_argument("--leader-elect-resource-namespace", dest="lease_namespace",
                   default="kube-system")
    p.add_argument("--percentage-of-nodes-to-score", type=_percentage, default=0,
                   help="stop filtering once this %% of nodes fit (0: adaptive default)")
    p.add_argument("--score-weight", type=_weight, action="append", default=[],
                   metavar="NAME=WEIGHT", help="a score plugin's weight (0 disables it); "
                   "repeatable. Defaults: " + ", ".join(f"{k}={v}" for k, v in
                                                        DEFAULT_WEIGHTS.items()))
    p.add_argument("--bind-address", default="127.0.0.1", help="address for healthz/metrics")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port for /healthz and /metrics (default {DEFAULT_PORT}; 0: off)")
    p.add_argument("--pod-initial-backoff", dest="initial_backoff", type=positive_duration,
                   default=1.0, help="first retry delay of an unschedulable pod (default 1s)")
    p.add_argument("--pod-max-backoff", dest="max_backoff", type=positive_duration, default=10.0,
                   help="longest retry delay of an unschedulable pod (default 10s)")
    p.add_argument("--log-level", default="info", help="debug, info, warning or error")
    return p


def parse_options(argv: list[str] | None = None) -> Options:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.lease_duration > args.renew_deadline > args.retry_period:
        parser.error("need --lease-duration > --renew-deadline > --retry-period")
    if args.max_backoff < args.initial_backoff:
        parser.error("need --pod-max-backoff >= --pod-initial-backoff")
    return Options(
        server=args.server, kubeconfig=args.kubeconfig, scheduler_name=args.scheduler_name,
        leader_elect=args.leader_elect, lease_duration=args.lease_duration,
        renew_deadline=args.renew_deadline, retry_period=args.retry_period,
        lease_name=args.lease_name, lease_namespace=args.lease_namespace,
        percentage_of_nodes_to_score=args.percentage_of_nodes_to_score,
        score_weights=dict(args.score_weight), bind_address=args.bind_address,
        port=args.port, initial_backoff=args.initial_backoff, max_backoff=args.max_backoff,
        log_level=args.log_level)
