"""KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and the Docker-link style
KUBERNETES_PORT* variables every container gets, so the official clients' in-cluster
configuration finds the API server. Kubernetes takes them from the `kubernetes`
Service's ClusterIP; Tugboat has no service proxy yet, so the kubelet derives them from
the API server URL it talks to itself (its kubeconfig or --server), replacing a loopback
host — unreachable from inside a container — with the node's own address, which the
containers on the Docker bridge can reach (the API server's secure port listens on every
interface and its certificate carries the host's addresses)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_service_address(server_url: str, node_ip: str) -> tuple[str, int]:
    url = urlsplit(server_url)
    host = url.hostname or "127.0.0.1"
    port = url.port or (443 if url.scheme == "https" else 80)
    return (node_ip if _loopback(host) else host), port


def service_environment(server_url: str, node_ip: str) -> dict[str, str]:
    host, port = api_service_address(server_url, node_ip)
    addr = f"[{host}]" if ":" in host else host
    tcp = f"tcp://{addr}:{port}"
    return {
        "KUBERNETES_SERVICE_HOST": host,
        "KUBERNETES_SERVICE_PORT": str(port),
        "KUBERNETES_SERVICE_PORT_HTTPS": str(port),
        "KUBERNETES_PORT": tcp,
        f"KUBERNETES_PORT_{port}_TCP": tcp,
        f"KUBERNETES_PORT_{port}_TCP_PROTO": "tcp",
        f"KUBERNETES_PORT_{port}_TCP_PORT": str(port),
        f"KUBERNETES_PORT_{port}_TCP_ADDR": host,
    }
