"""Which certificates a `tug up` cluster needs, and who each one says its holder is — the
table kubeadm's certs phase keeps (certlist.go), for one host:

- apiserver: serving, for every name a client may use — the host's, and the in-cluster
  `kubernetes.default.svc...` names and 10.96.0.1, the `kubernetes` Service's ClusterIP
  (the first address of the default Service CIDR 10.96.0.0/12);
- apiserver-kubelet-client: the API server calling kubelets (logs, exec), in
  system:masters;
- admin, scheduler, controller-manager, kubelet-client: the client identities of the
  user and the daemons (CN = user name, O = groups, as Kubernetes reads them);
- kubelet: the kubelet's serving certificate, for the host's names and addresses;
- proxy: tug-proxy as system:kube-proxy (bound to system:node-proxier, as in Kubernetes);
- dns: tug-dns as system:tug-dns (bound to system:coredns; CoreDNS runs as a
  ServiceAccount, Tugboat's DNS server is a host daemon with a certificate).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from tugboat.cli.up.hostaddresses import HostAddresses
from tugboat.cli.up.pki import (
    RENEW_BEFORE,
    CertSpec,
    KeyPair,
    ensure_ca,
    ensure_cert,
    ensure_dir,
    now_utc,
)

KUBERNETES_SERVICE_IP = "10.96.0.1"
KUBERNETES_SERVICE_NAMES = ("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                            "kubernetes.default.svc.cluster.local")
MASTERS = "system:masters"
NODES = "system:nodes"


def cluster_cert_specs(node_name: str, host: HostAddresses) -> list[CertSpec]:
    node_names = tuple(dict.fromkeys((*host.names, node_name)))
    return [
        CertSpec("apiserver", "kube-apiserver",
                 dns_names=(*node_names, *KUBERNETES_SERVICE_NAMES),
                 ip_addresses=(*host.ips, KUBERNETES_SERVICE_IP), server=True),
        CertSpec("apiserver-kubelet-client", "kube-apiserver-kubelet-client", (MASTERS,),
                 client=True),
        CertSpec("admin", "kubernetes-admin", (MASTERS,), client=True),
        CertSpec("scheduler", "system:kube-scheduler", client=True),
        CertSpec("controller-manager", "system:kube-controller-manager", client=True),
        CertSpec("kubelet-client", f"system:node:{node_name}", (NODES,), client=True),
        CertSpec("kubelet", f"system:node:{node_name}", (NODES,), dns_names=node_names,
                 ip_addresses=host.ips, server=True),
        CertSpec("proxy", "system:kube-proxy", client=True),
        CertSpec("dns", "system:tug-dns", client=True),
    ]


@dataclass(frozen=True)
class ClusterPKI:
    dir: Path
    ca: KeyPair
    certs: dict[str, KeyPair]

    def __getitem__(self, name: str) -> KeyPair:
        return self.certs[name]


def ensure_certificates(pki_dir: Path, node_name: str, host: HostAddresses,
                        now: datetime.datetime | None = None) -> tuple[ClusterPKI, list[str]]:
    """Every certificate of the table, created, renewed or kept; and one line per change
    ("created ca", "renewed apiserver") for `tug up` to show."""
    now = now or now_utc()
    ensure_dir(pki_dir)
    ca, action = ensure_ca(pki_dir, now)
    changes = [] if action == "kept" else [f"{action} ca"]
    if ca.cert.not_valid_after_utc - now < RENEW_BEFORE:  # kept, but the user must act
        changes.append(f"the cluster CA expires on {ca.cert.not_valid_after_utc:%Y-%m-%d}; "
                       f"back up {pki_dir} and remove it before then to start a new CA")
    certs: dict[str, KeyPair] = {}
    for spec in cluster_cert_specs(node_name, host):
        certs[spec.name], action = ensure_cert(pki_dir, ca, spec, now)
        if action != "kept":
            changes.append(f"{action} {spec.name}")
    return ClusterPKI(pki_dir, ca, certs), changes
