"""Which Services' variables (envvars.py) a pod's containers get — the kubelet's
getServiceEnvVarMap: every Service with a ClusterIP in the pod's namespace unless
spec.enableServiceLinks is false, and always the `kubernetes` Service of `default`, so the
official clients' in-cluster configuration finds the API server through
KUBERNETES_SERVICE_HOST/PORT. Services come from the kubelet's informer on services.

A pod from the API waits (CreateContainerConfigError, as in Kubernetes) until the informer
has listed services once: a kubelet that just restarted must not start containers without
KUBERNETES_SERVICE_HOST. Static pods do not wait — they may be what serves the API.

When the `kubernetes` Service is not known (not created yet, or a static pod started
before the informer listed), KUBERNETES_* are derived instead from the API server URL the
kubelet itself talks to (its kubeconfig or --server), a loopback host — unreachable from
inside a container — replaced with the node's own address, which containers on the Docker
bridge can reach (the secure port listens on every interface and its certificate carries
the host's addresses). That fallback is the only use of the derivation."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from tugboat.api.core import Pod
from tugboat.api.service import Service
from tugboat.kubelet.envvars import from_services, has_cluster_ip
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure

MASTER_SERVICES = ("kubernetes",)  # in `default`: always injected
NOT_SYNCED = "services have not yet been read at least once, cannot construct envvars"
SYNC_RETRY = 1.0


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


def derived_kubernetes_environment(server_url: str, node_ip: str) -> dict[str, str]:
    """KUBERNETES_* from the kubelet's own API server URL: the fallback (see above)."""
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


class ServiceEnvironment:
    """`services` lists the informer's cache, `synced` says whether it has listed once."""

    def __init__(self, services: Callable[[], list[Service]], synced: Callable[[], bool],
                 fallback: dict[str, str]):
        self._services, self._synced, self._fallback = services, synced, fallback

    def chosen(self, pod: Pod) -> dict[str, Service]:
        ns = pod.metadata.namespace or "default"
        links = pod.spec.enableServiceLinks is not False
        masters: dict[str, Service] = {}
        own: dict[str, Service] = {}
        for svc in self._services():
            if not has_cluster_ip(svc):
                continue
            name, svc_ns = svc.metadata.name or "", svc.metadata.namespace
            if svc_ns == "default" and name in MASTER_SERVICES:
                masters[name] = svc
            elif svc_ns == ns and links:
                own[name] = svc
        return {**masters, **own}

    def for_pod(self, pod: Pod, static: bool) -> dict[str, str]:
        """The pod's service variables; StartFailure while services are unknown."""
        if not static and not self._synced():
            raise StartFailure(CREATE_CONFIG_ERROR, NOT_SYNCED, retry_after=SYNC_RETRY)
        chosen = self.chosen(pod)
        env = {} if "kubernetes" in chosen else dict(self._fallback)
        env.update(from_services([chosen[name] for name in sorted(chosen)]))
        return env
