"""The kubeconfigs `tug up` writes: CA and client certificate embedded, read back by
tug's own client config and by real kubectl."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.hostaddresses import HostAddresses
from tugboat.cli.up.kubeconfigs import write_kubeconfigs
from tugboat.client import daemon_config, load_config

KUBECTL = "/usr/bin/kubectl"
SERVER = "https://127.0.0.1:6443"
HOST = HostAddresses(("localhost",), ("127.0.0.1",))


@pytest.fixture
def pki(tmp_path: Path) -> ClusterPKI:
    return ensure_certificates(tmp_path / "pki", "node-a", HOST)[0]


@pytest.fixture
def written(tmp_path: Path, pki: ClusterPKI) -> dict[str, Path]:
    return write_kubeconfigs(SERVER, pki, tmp_path, tmp_path / "home" / ".tug" / "config")


def test_one_kubeconfig_per_identity(tmp_path: Path, written: dict[str, Path]) -> None:
    assert written == {"admin": tmp_path / "home" / ".tug" / "config",
                       "scheduler": tmp_path / "scheduler.conf",
                       "controller-manager": tmp_path / "controller-manager.conf",
                       "kubelet-client": tmp_path / "kubelet.conf",
                       "proxy": tmp_path / "proxy.conf",
                       "dns": tmp_path / "dns.conf"}
    for path in written.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_admin_kubeconfig_round_trips(pki: ClusterPKI, written: dict[str, Path]) -> None:
    cfg = load_config(written["admin"])
    assert cfg.server == SERVER and cfg.context == "kubernetes-admin@tugboat"
    assert cfg.certificate_authority_data == pki.ca.cert_pem
    assert cfg.client_certificate_data == pki["admin"].cert_pem
    assert cfg.client_key_data == pki["admin"].key_pem
    assert cfg.token is None and cfg.verify is True


@pytest.mark.parametrize("cert, user", [("scheduler", "system:kube-scheduler"),
                                        ("controller-manager", "system:kube-controller-manager"),
                                        ("kubelet-client", "system:node:node-a")])
def test_each_daemon_reads_its_own_identity(pki: ClusterPKI, written: dict[str, Path],
                                            cert: str, user: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUG_SERVER", "http://elsewhere:1")  # never redirects a daemon
    doc = yaml.safe_load(written[cert].read_text())
    assert doc["users"][0]["name"] == user
    cfg = daemon_config(str(written[cert]), "http://127.0.0.1:8080")
    assert cfg.server == SERVER and cfg.client_certificate_data == pki[cert].cert_pem


def test_kubectl_reads_the_admin_kubeconfig(pki: ClusterPKI, written: dict[str, Path]) -> None:
    out = subprocess.run([KUBECTL, "config", "view", "--raw", "-o", "json",
                          "--kubeconfig", str(written["admin"])],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    doc = json.loads(out)
    assert doc["current-context"] == "kubernetes-admin@tugboat"
    assert doc["clusters"][0]["cluster"]["server"] == SERVER
    assert doc["users"][0]["name"] == "kubernetes-admin"
    assert set(doc["users"][0]["user"]) == {"client-certificate-data", "client-key-data"}
    context = subprocess.run([KUBECTL, "config", "current-context",
                              "--kubeconfig", str(written["admin"])],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    assert context.strip() == "kubernetes-admin@tugboat"
