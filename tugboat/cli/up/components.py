"""What `tug up` runs and how it watches it: the cluster's settings (UpConfig), its own
admin view of the cluster (AdminView), and one Daemon per component with the flags kubeadm
would give it — the API server, scheduler, controller manager, service proxy, cluster DNS
and kubelet, each reaching the API server as itself through its own kubeconfig."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from tugboat.cli.up import clusterdns
from tugboat.cli.up.apiserverconfig import ApiServerFiles
from tugboat.cli.up.hostaddresses import interface_ipv4s, ipv4_network_of, ipv4_of
from tugboat.cli.up.kubeconfigs import daemon_kubeconfigs
from tugboat.cli.up.supervisor import Daemon
from tugboat.client import SyncApiClient, load_config

SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
AUTHORIZATION_MODES = "Node,RBAC"
# Kubernetes' default order (and kubeadm's NodeRestriction); ResourceQuota last.
ADMISSION_PLUGINS = ("NamespaceLifecycle,LimitRanger,ServiceAccount,NodeRestriction,PodSecurity,"
                     "Priority,ResourceQuota")
CLUSTER_DOMAIN = "cluster.local"


def advertise_address() -> str:
    """The address pods reach the host's daemons at — the API server behind the
    `kubernetes` Service, the DNS server behind kube-dns: the docker0 bridge's gateway,
    else the first interface's address, else loopback (then the Services have no
    endpoints, as Kubernetes refuses loopback endpoints)."""
    return ipv4_of("docker0") or next(iter(interface_ipv4s()), "127.0.0.1")


@dataclass
class UpConfig:
    data_dir: Path
    bind_address: str
    secure_port: int
    insecure_port: int  # 0: closed
    node_name: str
    kubelet_port: int
    scheduler_port: int
    controller_port: int
    kubeconfig: Path
    cleanup: bool = False
    proxy_port: int = 10256  # tug-proxy's /healthz and /metrics (kube-proxy's healthz port)
    dns_port: int = 10053  # where tug-dns answers, behind kube-dns's 53
    dns_health_port: int = 10054  # tug-dns's /healthz, /ready and /metrics
    advertise: str = ""  # filled by advertise_address() when empty

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.bind_address in ("0.0.0.0", "::", "") else self.bind_address
        host = f"[{host}]" if ":" in host else host
        return f"https://{host}:{self.secure_port}"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def advertise_address(self) -> str:
        if not self.advertise:
            self.advertise = advertise_address()
        return self.advertise


def _get_ok(url: str) -> bool:
    return httpx.get(url, timeout=2).status_code == 200


class AdminView:
    """tug up's own view of the cluster, as the admin of the kubeconfig it wrote: /readyz
    (anonymous reads of it are allowed) and the node's Ready condition, over TLS."""

    def __init__(self, kubeconfig: Path):
        self.kubeconfig = kubeconfig
        self._client: SyncApiClient | None = None

    @property
    def client(self) -> SyncApiClient:
        if self._client is None:
            self._client = SyncApiClient.from_config(load_config(self.kubeconfig), timeout=2)
        return self._client

    def ready(self) -> bool:
        return self.client.http.get("/readyz").status_code == 200

    def live(self) -> bool:
        return self.client.http.get("/livez").status_code == 200

    def node_ready(self, name: str) -> bool:
        node = self.client.http.get(f"/api/v1/nodes/{name}")
        if node.status_code != 200:
            return False
        conditions = (node.json().get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def apiserver_args(cfg: UpConfig, files: ApiServerFiles) -> list[str]:
    """kube-apiserver's flags, as kubeadm's static pod manifest passes them."""
    pki, data = cfg.pki_dir, cfg.data_dir
    args = ["-m", "tugboat.apiserver", "--store", f"sqlite:///{data / 'state.db'}",
            "--secure-port", str(cfg.secure_port), "--bind-address", cfg.bind_address,
            "--tls-cert-file", str(pki / "apiserver.crt"),
            "--tls-private-key-file", str(pki / "apiserver.key"),
            "--client-ca-file", str(pki / "ca.crt"),
            "--service-account-key-file", str(files.sa_pub),
            "--service-account-signing-key-file", str(files.sa_key),
            "--service-account-issuer", SERVICE_ACCOUNT_ISSUER,
            "--authorization-mode", AUTHORIZATION_MODES,
            "--enable-admission-plugins", ADMISSION_PLUGINS,
            "--kubelet-client-certificate", str(pki / "apiserver-kubelet-client.crt"),
            "--kubelet-client-key", str(pki / "apiserver-kubelet-client.key"),
            "--kubelet-certificate-authority", str(pki / "ca.crt"),
            "--encryption-provider-config", str(files.encryption_config),
            "--audit-log-path", str(data / "audit.log"),
            "--audit-policy-file", str(files.audit_policy),
            "--enable-bootstrap-token-auth",
            # the `kubernetes` Service's endpoint: where pods reach the secure port
            "--advertise-address", cfg.advertise_address]
    # The insecure port: Kubernetes' old --insecure-port, where 0 kept it closed.
    return args + ["--host", "127.0.0.1", "--port", str(cfg.insecure_port)]


def daemons(cfg: UpConfig, files: ApiServerFiles, view: AdminView) -> list[Daemon]:
    data, pki = cfg.data_dir, cfg.pki_dir
    confs = daemon_kubeconfigs(data)

    def scheduler_healthz() -> bool:
        return _get_ok(f"http://127.0.0.1:{cfg.scheduler_port}/healthz")

    def controller_healthz() -> bool:
        return _get_ok(f"http://127.0.0.1:{cfg.controller_port}/healthz")

    def proxy_healthz() -> bool:
        return _get_ok(f"http://127.0.0.1:{cfg.proxy_port}/healthz")

    def dns_ready() -> bool:
        return _get_ok(f"http://127.0.0.1:{cfg.dns_health_port}/ready")

    def dns_alive() -> bool:
        return _get_ok(f"http://127.0.0.1:{cfg.dns_health_port}/healthz")

    pod_cidr = ipv4_network_of("docker0")  # the pods' addresses on this host

    def publish_dns() -> None:  # kube-dns names tug-dns before any pod can ask it
        clusterdns.publish(view.client, cfg.advertise_address, cfg.dns_port)

    return [
        Daemon("API server", "apiserver", apiserver_args(cfg, files), view.ready, 60,
               alive=view.live, alive_what="/livez"),
        Daemon("scheduler", "scheduler",
               ["-m", "tugboat.scheduler", "--kubeconfig", str(confs["scheduler"]),
                "--bind-address", "127.0.0.1", "--port", str(cfg.scheduler_port)],
               scheduler_healthz, 60, alive=scheduler_healthz, alive_what="/healthz",
               flags={"--port": "--scheduler-port"}),
        Daemon("controller manager", "controller-manager",
               ["-m", "tugboat.controller", "--kubeconfig", str(confs["controller-manager"]),
                "--root-ca-file", str(pki / "ca.crt"),  # kube-root-ca.crt for pods
                "--bind-address", "127.0.0.1", "--port", str(cfg.controller_port)],
               controller_healthz, 60, alive=controller_healthz, alive_what="/healthz",
               flags={"--port": "--controller-manager-port"}),
        Daemon("service proxy", "proxy",
               ["-m", "tugboat.proxy", "--kubeconfig", str(confs["proxy"]),
                "--hostname-override", cfg.node_name, "--bind-address", "127.0.0.1",
                # one port for /healthz and /metrics; the pods' range for masquerading
                "--healthz-port", str(cfg.proxy_port), "--metrics-port", str(cfg.proxy_port),
                *(["--cluster-cidr", pod_cidr] if pod_cidr else [])],
               proxy_healthz, 60, alive=proxy_healthz, alive_what="/healthz",
               flags={"--healthz-port": "--proxy-port"}),
        Daemon("cluster DNS", "dns",
               ["-m", "tugboat.dns", "--kubeconfig", str(confs["dns"]),
                "--bind-address", cfg.advertise_address, "--port", str(cfg.dns_port),
                "--health-port", str(cfg.dns_health_port),
                "--cluster-domain", CLUSTER_DOMAIN],
               dns_ready, 60, alive=dns_alive, alive_what="/healthz",
               flags={"--port": "--dns-port", "--health-port": "--dns-health-port"},
               prepare=publish_dns),
        Daemon("kubelet", "kubelet",
               ["-m", "tugboat.kubelet", "--kubeconfig", str(confs["kubelet-client"]),
                "--node-name", cfg.node_name, "--port", str(cfg.kubelet_port),
                "--tls-cert-file", str(pki / "kubelet.crt"),
                "--tls-private-key-file", str(pki / "kubelet.key"),
                "--client-ca-file", str(pki / "ca.crt"), "--healthz-port", "0",
                "--cluster-dns", clusterdns.CLUSTER_DNS_IP, "--cluster-domain", CLUSTER_DOMAIN,
                "--root-dir", str(data / "kubelet"), "--manifests-dir", str(data / "manifests")],
               lambda: view.node_ready(cfg.node_name), 90, flags={"--port": "--kubelet-port"}),
    ]
