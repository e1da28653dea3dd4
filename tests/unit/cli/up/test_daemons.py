"""What `tug up` runs: the API server with kubeadm's secure flags and no insecure port
unless asked, and every other daemon with its own kubeconfig instead of --server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tugboat.cli.up.apiserverconfig import ensure_apiserver_files
from tugboat.cli.up.components import AdminView, UpConfig, apiserver_args, daemons


def config(tmp_path: Path, insecure_port: int = 0) -> UpConfig:
    return UpConfig(tmp_path, "0.0.0.0", 6443, insecure_port, "node-a", 10250, 10259, 10257,
                    tmp_path / "admin.conf")


def flags(argv: list[str]) -> dict[str, str]:
    return {a: b for a, b in zip(argv, argv[1:], strict=False) if a.startswith("--")}


def test_the_api_server_is_secure(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    argv = apiserver_args(cfg, files)
    got = flags(argv)
    pki = tmp_path / "pki"
    assert got["--secure-port"] == "6443" and got["--bind-address"] == "0.0.0.0"
    assert got["--tls-cert-file"] == str(pki / "apiserver.crt")
    assert got["--tls-private-key-file"] == str(pki / "apiserver.key")
    assert got["--client-ca-file"] == str(pki / "ca.crt")
    assert got["--service-account-key-file"] == str(files.sa_pub)
    assert got["--service-account-signing-key-file"] == str(files.sa_key)
    assert got["--service-account-issuer"] == "https://kubernetes.default.svc.cluster.local"
    assert got["--authorization-mode"] == "Node,RBAC"
    assert got["--enable-admission-plugins"] == (
        "NamespaceLifecycle,LimitRanger,ServiceAccount,NodeRestriction,PodSecurity,Priority,"
        "ResourceQuota")
    assert got["--kubelet-client-certificate"] == str(pki / "apiserver-kubelet-client.crt")
    assert got["--kubelet-certificate-authority"] == str(pki / "ca.crt")
    assert got["--encryption-provider-config"] == str(files.encryption_config)
    assert got["--audit-log-path"] == str(tmp_path / "audit.log")
    assert got["--audit-policy-file"] == str(files.audit_policy)
    assert "--enable-bootstrap-token-auth" in argv
    assert got["--port"] == "0"  # the insecure port stays closed


def test_the_insecure_port_opens_on_loopback_only_when_asked(tmp_path: Path) -> None:
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    got = flags(apiserver_args(config(tmp_path, insecure_port=8080), files))
    assert (got["--host"], got["--port"]) == ("127.0.0.1", "8080")


@pytest.mark.parametrize("title, conf", [("scheduler", "scheduler.conf"),
                                         ("controller manager", "controller-manager.conf"),
                                         ("kubelet", "kubelet.conf"),
                                         ("service proxy", "proxy.conf"),
                                         ("cluster DNS", "dns.conf")])
def test_every_daemon_gets_its_own_kubeconfig(tmp_path: Path, title: str, conf: str) -> None:
    cfg = config(tmp_path)
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    daemon = next(d for d in daemons(cfg, files, AdminView(cfg.kubeconfig)) if d.title == title)
    got = flags(daemon.argv)
    assert got["--kubeconfig"] == str(tmp_path / conf)
    assert "--server" not in got


def test_the_controller_manager_publishes_the_ca(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    manager = daemons(cfg, files, AdminView(cfg.kubeconfig))[2]
    assert flags(manager.argv)["--root-ca-file"] == str(tmp_path / "pki" / "ca.crt")


def test_the_kubelet_serves_https_with_its_certificate(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    kubelet = daemons(cfg, files, AdminView(cfg.kubeconfig))[-1]
    got = flags(kubelet.argv)
    assert got["--tls-cert-file"] == str(tmp_path / "pki" / "kubelet.crt")
    assert got["--tls-private-key-file"] == str(tmp_path / "pki" / "kubelet.key")
    assert got["--client-ca-file"] == str(tmp_path / "pki" / "ca.crt")


def test_clients_reach_the_secure_port_on_loopback(tmp_path: Path) -> None:
    assert config(tmp_path).url == "https://127.0.0.1:6443"


def test_pods_find_the_api_server_and_the_cluster_dns_through_services(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    cfg.advertise = "172.17.0.1"
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    by_title = {d.title: d for d in daemons(cfg, files, AdminView(cfg.kubeconfig))}
    assert flags(apiserver_args(cfg, files))["--advertise-address"] == "172.17.0.1"
    kubelet = flags(by_title["kubelet"].argv)
    assert (kubelet["--cluster-dns"], kubelet["--cluster-domain"]) == ("10.96.0.10",
                                                                        "cluster.local")
    dns = by_title["cluster DNS"]
    # tug-dns listens where kube-dns's endpoint points, on the bridge pods share, not on
    # every interface; it publishes that endpoint before it starts
    assert (flags(dns.argv)["--bind-address"], flags(dns.argv)["--port"]) == ("172.17.0.1",
                                                                               "10053")
    assert dns.prepare is not None
    assert flags(by_title["service proxy"].argv)["--hostname-override"] == "node-a"
