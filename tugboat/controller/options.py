"""The controller manager's flags, with kube-controller-manager's names and defaults, and
the options value the controllers read. Durations are Go durations (`40s`, `5m`).

Combinations that cannot work are refused before anything starts, with one line and exit
status 1 (kube-controller-manager validates few of these; an operator finds out later
from flapping nodes). The one that is easy to get wrong: `--node-monitor-grace-period`
must be longer than the interval at which kubelets renew their node Lease, or a healthy
node is marked Unknown between two renewals. Kubernetes' help text asks for "N times the
kubelet's nodeStatusUpdateFrequency"; Tugboat's kubelet heartbeats through its Lease,
renewed every 10 s (a quarter of its 40 s duration, as Kubernetes' kubelet), so that is the
floor; the default 40 s allows three missed renewals."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from tugboat.api.durations import parse_duration

# Every controller the manager knows, by its kube-controller-manager name.
ALL_CONTROLLERS = (
    "replicationcontroller", "replicaset", "deployment", "job", "cronjob",
    "ttl-after-finished", "statefulset",
    "daemonset", "nodelifecycle", "endpoints", "endpointslice", "garbagecollector", "namespace",
    "horizontalpodautoscaling", "serviceaccount", "root-ca-cert-publisher",
    "clusterrole-aggregation", "podgc", "disruption", "resourcequota",
)

# tugboat/kubelet/node/lease.py renews the node Lease this often (not a flag of the kubelet).
KUBELET_LEASE_RENEW_INTERVAL = 10.0


@dataclass
class ControllerOptions:
    node_monitor_grace_period: float = 40.0
    node_monitor_period: float = 5.0
    pod_eviction_timeout: float = 300.0
    hpa_sync_period: float = 15.0
    hpa_downscale_stabilization: float = 300.0
    hpa_tolerance: float = 0.1
    resync_period: float = 300.0
    root_ca_file: str | None = None  # the CA bundle published as kube-root-ca.crt
    controllers: tuple[str, ...] = field(default=ALL_CONTROLLERS)


@dataclass
class ManagerOptions:
    """Everything `tug-controller-manager` was asked for on its command line."""

    server: str | None = None
    kubeconfig: str | None = None
    leader_elect: bool = True
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    bind_address: str = "0.0.0.0"
    port: int = 10257
    log_level: str = "info"
    controller: ControllerOptions = field(default_factory=ControllerOptions)


def enabled_controllers(spec: str) -> tuple[str, ...]:
    """kube-controller-manager's --controllers: `*` (all), `name` (on), `-name` (off)."""
    items = [s.strip() for s in spec.split(",") if s.strip()]
    on: set[str] = set()
    for item in items:
        name = item.lstrip("-")
        if name != "*" and name not in ALL_CONTROLLERS:
            raise ValueError(f'"{name}" is not in the list of known controllers')
    if "*" in items:
        on.update(ALL_CONTROLLERS)
    on.update(i for i in items if i != "*" and not i.startswith("-"))
    on.difference_update(i[1:] for i in items if i.startswith("-"))
    return tuple(c for c in ALL_CONTROLLERS if c in on)


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean {text!r}")


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tug-controller-manager",
                                description="Tugboat's controllers, in one process.")
    a = p.add_argument
    a("--server", help="API server URL of the insecure port (ignored when --kubeconfig is "
      "given)")
    a("--kubeconfig", help="kubeconfig file with the server, CA and this daemon's credentials "
      "(default: $KUBECONFIG, ~/.tug/config)")
    a("--leader-elect", type=_bool, default=True, nargs="?", const=True,
      help="run leader election on a Lease so only one manager acts (default true)")
    a("--leader-elect-lease-duration", type=_duration, metavar="DURATION", default="15s")
    a("--leader-elect-renew-deadline", type=_duration, metavar="DURATION", default="10s")
    a("--leader-elect-retry-period", type=_duration, metavar="DURATION", default="2s")
    a("--node-monitor-grace-period", type=_duration, metavar="DURATION", default="40s",
      help="how stale a node's Lease may be before the node is marked Unknown; longer "
      f"than the kubelet's lease renewal ({KUBELET_LEASE_RENEW_INTERVAL:g}s)")
    a("--node-monitor-period", type=_duration, metavar="DURATION", default="5s",
      help="how often node health is checked")
    a("--pod-eviction-timeout", type=_duration, metavar="DURATION", default="5m",
      help="how long pods that set no toleration stay on an unreachable node before they "
      "are evicted (the tolerationSeconds of Kubernetes' default toleration)")
    a("--horizontal-pod-autoscaler-sync-period", type=_duration, metavar="DURATION", default="15s")
    a("--horizontal-pod-autoscaler-downscale-stabilization", type=_duration, metavar="DURATION", default="5m")
    a("--horizontal-pod-autoscaler-tolerance", type=float, default=0.1)
    a("--min-resync-period", type=_duration, metavar="DURATION", default="5m",
      help="how often informers replay their caches to the controllers")
    a("--root-ca-file", help="CA bundle published to every namespace as the kube-root-ca.crt "
      "ConfigMap (the ca.crt pods see next to their service account token)")
    a("--controllers", default="*",
      help="controllers to run: '*' for all, 'foo' to enable, '-foo' to disable")
    a("--bind-address", default="0.0.0.0", help="address for /healthz and /metrics")
    a("--port", type=int, default=10257, help="port for /healthz and /metrics; 0 disables")
    a("--log-level", default="info")
    return p


def problems(opts: ManagerOptions) -> list[str]:
    """What makes these options unworkable, one phrase each (empty: they are fine)."""
    c = opts.controller
    out = [f"{flag} must be greater than 0 (got {value:g}s)" for flag, value in (
        ("--node-monitor-grace-period", c.node_monitor_grace_period),
        ("--node-monitor-period", c.node_monitor_period),
        ("--horizontal-pod-autoscaler-sync-period", c.hpa_sync_period),
        ("--min-resync-period", c.resync_period)) if value <= 0]
    out += [f"{flag} must not be negative (got {value:g})" for flag, value in (
        ("--pod-eviction-timeout", c.pod_eviction_timeout),
        ("--horizontal-pod-autoscaler-downscale-stabilization",
         c.hpa_downscale_stabilization),
        ("--horizontal-pod-autoscaler-tolerance", c.hpa_tolerance)) if value < 0]
    if 0 < c.node_monitor_grace_period <= KUBELET_LEASE_RENEW_INTERVAL:
        out.append(f"--node-monitor-grace-period ({c.node_monitor_grace_period:g}s) must be "
                   f"longer than the kubelet's node lease renewal interval "
                   f"({KUBELET_LEASE_RENEW_INTERVAL:g}s), or healthy nodes flap to Unknown")
    if opts.leader_elect and not (opts.lease_duration > opts.renew_deadline
                                  > opts.retry_period > 0):
        out.append("leader election needs --leader-elect-lease-duration > "
                   "--leader-elect-renew-deadline > --leader-elect-retry-period > 0")
    if not 0 <= opts.port <= 65535:
        out.append(f"--port must be between 0 and 65535 (got {opts.port})")
    return out


def parse_args(argv: list[str] | None = None) -> ManagerOptions:
    """The options on the command line; exits 2 on a usage error (argparse's), 1 with one
    line on stderr for a combination that cannot work."""
    p = parser()
    ns = p.parse_args(argv)
    try:
        controllers = enabled_controllers(ns.controllers)
    except ValueError as e:
        p.error(str(e))
    opts = _options(ns, controllers)
    wrong = problems(opts)
    if wrong:
        print(f"{p.prog}: invalid flags: {'; '.join(wrong)}", file=sys.stderr)
        sys.exit(1)
    return opts


def _options(ns: argparse.Namespace, controllers: tuple[str, ...]) -> ManagerOptions:
    return ManagerOptions(
        server=ns.server, kubeconfig=ns.kubeconfig, leader_elect=ns.leader_elect,
        lease_duration=ns.leader_elect_lease_duration,
        renew_deadline=ns.leader_elect_renew_deadline,
        retry_period=ns.leader_elect_retry_period,
        bind_address=ns.bind_address, port=ns.port, log_level=ns.log_level,
        controller=ControllerOptions(
            node_monitor_grace_period=ns.node_monitor_grace_period,
            node_monitor_period=ns.node_monitor_period,
            pod_eviction_timeout=ns.pod_eviction_timeout,
            hpa_sync_period=ns.horizontal_pod_autoscaler_sync_period,
            hpa_downscale_stabilization=ns.horizontal_pod_autoscaler_downscale_stabilization,
            hpa_tolerance=ns.horizontal_pod_autoscaler_tolerance,
            resync_period=ns.min_resync_period, controllers=controllers,
            root_ca_file=ns.root_ca_file))
