"""tug-kubelet's flags, parsed into one KubeletConfig (durations in Go syntax: 10s, 5m)."""

from __future__ import annotations

import argparse
import ipaddress
import socket
from dataclasses import dataclass

from tugboat.api.durations import DurationError, parse_duration
from tugboat.api.quantity import to_bytes


@dataclass(frozen=True)
class KubeletConfig:
    server: str | None = None
    kubeconfig: str | None = None
    node_name: str = "localhost"
    runtime: str = "docker"
    manifests_dir: str | None = None
    port: int = 10250
    address: str = "0.0.0.0"
    node_ip: str | None = None
    backoff_base: float = 10.0
    backoff_max: float = 300.0
    node_status_update_frequency: float = 10.0
    file_check_frequency: float = 5.0
    sync_frequency: float = 10.0
    pause_image: str = "tugboat/pause:3.9"
    root_dir: str = "/var/lib/tugboat/kubelet"
    pod_workers: int = 32
    seccomp_default: bool = False
    log_level: str = "info"
    # serving (kubelet's --tls-*, --authentication-*, --authorization-*): see resolve_serving
    tls_cert_file: str | None = None
    tls_private_key_file: str | None = None
    client_ca_file: str | None = None
    anonymous_auth: bool = True
    authentication_token_webhook: bool = False
    authentication_token_webhook_cache_ttl: float = 120.0
    authorization_mode: str = "AlwaysAllow"
    authorization_webhook_cache_authorized_ttl: float = 300.0
    authorization_webhook_cache_unauthorized_ttl: float = 30.0
    healthz_port: int = 0
    healthz_bind_address: str = "127.0.0.1"
    # pods' resolv.conf (dns.py)
    cluster_dns: tuple[str, ...] = ()
    cluster_domain: str = "cluster.local"
    resolv_conf: str = "/etc/resolv.conf"
    # per-container log rotation (Docker's json-file max-size and max-file)
    container_log_max_size: int = 10 * 1024 * 1024
    container_log_max_files: int = 5

    @property
    def serves_tls(self) -> bool:
        return bool(self.tls_cert_file)


def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except DurationError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return seconds


def _bool(text: str) -> bool:
    """Go's flag syntax for booleans: --flag, --flag=true, --flag=false."""
    value = text.strip().lower()
    if value in ("1", "t", "true", "yes"):
        return True
    if value in ("0", "f", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not a boolean")


def _ip_list(text: str) -> tuple[str, ...]:
    """--cluster-dns: comma-separated IP addresses (the flag may also repeat)."""
    found = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r} is not an IP address") from None
    return tuple(found)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tug-kubelet", description="Tugboat's node agent: runs "
                                "the pods bound to this node as Docker containers.")
    a = p.add_argument
    a("--server", help="API server URL of the insecure port (ignored when --kubeconfig is "
      "given)")
    a("--kubeconfig", help="kubeconfig file with the server, CA and the node's credentials "
      "(default: $KUBECONFIG or ~/.tug/config)")
    a("--node-name", default=socket.gethostname().lower(), help="this node's name")
    a("--runtime", choices=("docker", "fake"), default="docker", help="container runtime")
    a("--manifests-dir", help="folder of static pod manifests")
    a("--port", type=int, default=10250, help="kubelet server port (logs, exec, stats)")
    a("--address", default="0.0.0.0", help="address the kubelet server listens on")
    a("--node-ip", help="the node's InternalIP (default: the host's primary address)")
    a("--backoff-base", type=_duration, default=10.0, help="CrashLoopBackOff first delay")
    a("--backoff-max", type=_duration, default=300.0, help="CrashLoopBackOff cap")
    a("--node-status-update-frequency", type=_duration, default=10.0,
      help="how often the node status is recomputed")
    a("--file-check-frequency", type=_duration, default=5.0,
      help="how often the manifests folder is read")
    a("--sync-frequency", type=_duration, default=10.0, help="periodic resync of every pod")
    a("--pause-image", default="tugboat/pause:3.9", help="the sandbox image")
    a("--root-dir", default="/var/lib/tugboat/kubelet", help="where emptyDir volumes and seccomp/ profiles live")
    a("--pod-workers", type=int, default=32, help="pods synced in parallel")
    a("--seccomp-default", action="store_true",
      help="run containers without a seccomp profile under the runtime's default profile "
           "(RuntimeDefault) instead of Unconfined")
    a("--log-level", default="info")
    _dns_flags(p)
    _serving_flags(p)
    a("--container-log-max-size", type=_log_size, default=10 * 1024 * 1024, metavar="QUANTITY",
      help="the size a container's log file reaches before it is rotated (default 10Mi)")
    a("--container-log-max-files", type=int, default=5,
      help="the most log files a container keeps, the current one included (default 5)")
    return p


def _log_size(text: str) -> int:
    try:
        size = to_bytes(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"invalid quantity {text!r}: {e}") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be a positive quantity, not {text!r}")
    return size


def _dns_flags(p: argparse.ArgumentParser) -> None:
    a = p.add_argument
    a("--cluster-dns", type=_ip_list, action="append", default=None, metavar="IP[,IP]",
      help="DNS server(s) of the cluster, the nameservers of dnsPolicy ClusterFirst pods "
           "(default: none, and such pods get the host's resolver)")
    a("--cluster-domain", default="cluster.local",
      help="the cluster's domain, searched by ClusterFirst pods after their namespace's")
    a("--resolv-conf", default="/etc/resolv.conf",
      help="the resolver file dnsPolicy Default pods copy (\"\" for none)")


def _serving_flags(p: argparse.ArgumentParser) -> None:
    """The kubelet port's HTTPS and who may use it. Without --tls-cert-file the port stays
    plain HTTP and open (tests, fake-runtime benchmarks); with it, the defaults become
    kubeadm's: no anonymous access, bearer tokens checked by TokenReview, every request
    authorized by SubjectAccessReview, and /healthz on a loopback port of its own."""
    a = p.add_argument
    a("--tls-cert-file", help="the kubelet port's serving certificate (PEM); turns on HTTPS")
    a("--tls-private-key-file", help="the serving certificate's key (PEM)")
    a("--client-ca-file", help="CA bundle that signs client certificates (CN user, O groups)")
    a("--anonymous-auth", type=_bool, nargs="?", const=True, default=None,
      help="requests without credentials act as system:anonymous (default: true without "
           "TLS, false with)")
    a("--authentication-token-webhook", type=_bool, nargs="?", const=True, default=None,
      help="check bearer tokens with a TokenReview (default: true with TLS)")
    a("--authentication-token-webhook-cache-ttl", type=_duration, default=120.0,
      help="how long TokenReview answers are cached")
    a("--authorization-mode", choices=("AlwaysAllow", "Webhook"), default=None,
      help="Webhook asks the API server with a SubjectAccessReview (default with TLS)")
    a("--authorization-webhook-cache-authorized-ttl", type=_duration, default=300.0,
      help="how long an allowed SubjectAccessReview is cached")
    a("--authorization-webhook-cache-unauthorized-ttl", type=_duration, default=30.0,
      help="how long a denied SubjectAccessReview is cached")
    a("--healthz-port", type=int, default=None,
      help="plain-HTTP /healthz port, 0 to disable (default: 10248 with TLS, else 0)")
    a("--healthz-bind-address", default="127.0.0.1", help="where the healthz port listens")


def resolve_serving(values: dict) -> dict:
    """Fill the serving defaults that depend on whether the port speaks TLS."""
    tls = bool(values.get("tls_cert_file"))
    defaults = {"anonymous_auth": not tls, "authentication_token_webhook": tls,
                "authorization_mode": "Webhook" if tls else "AlwaysAllow",
                "healthz_port": 10248 if tls else 0}
    return {**values, **{k: v for k, v in defaults.items() if values.get(k) is None}}


def parse_args(argv: list[str] | None = None) -> KubeletConfig:
    ns = parser().parse_args(argv)
    if ns.backoff_max < ns.backoff_base:
        parser().error("--backoff-max must not be less than --backoff-base")
    if bool(ns.tls_cert_file) != bool(ns.tls_private_key_file):
        parser().error("--tls-cert-file and --tls-private-key-file go together")
    if ns.container_log_max_files < 2:
        parser().error(f"invalid configuration: containerLogMaxFiles "
                       f"({ns.container_log_max_files}) must be greater than 1")
    ns.cluster_dns = tuple(ip for group in ns.cluster_dns or () for ip in group)
    return KubeletConfig(**resolve_serving(vars(ns)))
