"""The kubeconfigs `tug up` hands out, each with the cluster CA and one client
certificate embedded (kubeadm's admin.conf, scheduler.conf, controller-manager.conf and
kubelet.conf, and proxy.conf and dns.conf): the user's (~/.tug/config unless --kubeconfig
says otherwise) and one per daemon in the data folder, so that each daemon reaches the API
server as itself.
Rewritten on every start, so a renewed certificate reaches its users.
"""

from __future__ import annotations

from pathlib import Path

from tugboat.cli.up.certlist import ClusterPKI
from tugboat.cli.up.pki import identity
from tugboat.client import write_kubeconfig

CLUSTER_NAME = "tugboat"
DAEMON_KUBECONFIGS = {"scheduler": "scheduler.conf",
                      "controller-manager": "controller-manager.conf",
                      "kubelet-client": "kubelet.conf",
                      "proxy": "proxy.conf",
                      "dns": "dns.conf"}


def write_one(path: Path, server: str, pki: ClusterPKI, cert_name: str) -> Path:
    pair = pki[cert_name]
    return write_kubeconfig(path, server, name=CLUSTER_NAME, user=identity(pair.cert)[0],
                            certificate_authority_data=pki.ca.cert_pem,
                            client_certificate_data=pair.cert_pem, client_key_data=pair.key_pem)


def daemon_kubeconfigs(data_dir: Path) -> dict[str, Path]:
    """Certificate name → the daemon's kubeconfig path."""
    return {cert: data_dir / conf for cert, conf in DAEMON_KUBECONFIGS.items()}


def write_kubeconfigs(server: str, pki: ClusterPKI, data_dir: Path, admin: Path
                      ) -> dict[str, Path]:
    """Write the admin's and every daemon's kubeconfig; certificate name → path."""
    written = {"admin": write_one(admin, server, pki, "admin")}
    for cert, path in daemon_kubeconfigs(data_dir).items():
        written[cert] = write_one(path, server, pki, cert)
    return written
