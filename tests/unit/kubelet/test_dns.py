"""A pod's resolv.conf per dnsPolicy and dnsConfig, as Kubernetes' kubelet forms it: the
cluster search path and ndots:5 for ClusterFirst, the host's file for Default (and for
ClusterFirst without --cluster-dns or on the host network), dnsConfig alone for None, the
merge rules and the resolver's limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tugboat.kubelet.dns import DNSConfig, DNSConfigurer, fit_limits, parse_resolv_conf

from .conftest import make_pod

HOST = """# written by the host's DHCP client
nameserver 192.168.1.1
nameserver 192.168.1.2
search example.com corp.example.com.
options rotate timeout:2
options timeout:3
"""


@pytest.fixture
def host_file(tmp_path: Path) -> str:
    path = tmp_path / "host-resolv.conf"
    path.write_text(HOST)
    return str(path)


def configurer(tmp_path: Path, host_file: str, cluster_dns: tuple[str, ...] = ("10.96.0.10",),
               domain: str = "cluster.local") -> DNSConfigurer:
    return DNSConfigurer(tmp_path / "root", cluster_dns, domain, host_file)


def pod(policy: str | None = None, namespace: str = "shop", **spec: Any) -> Any:
    p = make_pod(**({"dnsPolicy": policy} if policy else {}), **spec)
    p.metadata.namespace = namespace
    return p


def test_the_host_file_is_read_as_the_c_library_reads_it() -> None:
    assert parse_resolv_conf(HOST) == DNSConfig(
        ("192.168.1.1", "192.168.1.2"), ("example.com", "corp.example.com"),
        ("rotate", "timeout:3"))
    assert parse_resolv_conf("search a\nsearch b c\nnameserver\n; x\n") == DNSConfig(
        (), ("b", "c"), ())


def test_cluster_first_uses_the_cluster_dns_and_search_path(tmp_path: Path,
                                                           host_file: str) -> None:
    formed = configurer(tmp_path, host_file).pod_dns(pod())
    assert formed.warnings == []
    assert formed.config.render() == (
        "search shop.svc.cluster.local svc.cluster.local cluster.local example.com "
        "corp.example.com\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n")


@pytest.mark.parametrize(("policy", "host_network", "cluster"), [
    ("ClusterFirst", False, True), ("ClusterFirstWithHostNet", False, True),
    ("ClusterFirstWithHostNet", True, True), ("ClusterFirst", True, False),
    ("Default", False, False), ("Default", True, False)])
def test_which_policies_get_the_cluster_dns(tmp_path: Path, host_file: str, policy: str,
                                            host_network: bool, cluster: bool) -> None:
    config = configurer(tmp_path, host_file).pod_dns(
        pod(policy, hostNetwork=host_network)).config
    if cluster:
        assert config.servers == ("10.96.0.10",) and config.options == ("ndots:5",)
    else:
        assert config == parse_resolv_conf(HOST)


def test_without_cluster_dns_cluster_first_falls_back_with_a_warning(
        tmp_path: Path, host_file: str) -> None:
    formed = configurer(tmp_path, host_file, cluster_dns=()).pod_dns(pod())
    assert formed.config == parse_resolv_conf(HOST)
    assert formed.warnings == [(
        "MissingClusterDNS", 'pod: "web_shop(uid-web)". kubelet does not have ClusterDNS IP '
        'configured and cannot create Pod using "ClusterFirst" policy. Falling back to '
        '"Default" policy.')]
    assert configurer(tmp_path, host_file, cluster_dns=()).pod_dns(pod("Default")).warnings == []


def test_an_empty_resolv_conf_flag_means_no_resolver(tmp_path: Path) -> None:
    config = configurer(tmp_path, "").pod_dns(pod("Default")).config
    assert config.render() == "nameserver 127.0.0.1\n"


def test_none_takes_only_dns_config(tmp_path: Path, host_file: str) -> None:
    config = configurer(tmp_path, host_file).pod_dns(pod("None", dnsConfig={
        "nameservers": ["1.2.3.4"], "searches": ["ns1.svc.cluster-domain.example"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]})).config
    assert config.render() == ("search ns1.svc.cluster-domain.example\n"
                               "nameserver 1.2.3.4\n"
                               "options ndots:2 edns0\n")


def test_dns_config_is_merged_into_the_policys_config(tmp_path: Path, host_file: str) -> None:
    config = configurer(tmp_path, host_file).pod_dns(pod(dnsConfig={
        "nameservers": ["10.96.0.10", "8.8.8.8"], "searches": ["cluster.local", "extra.io"],
        "options": [{"name": "ndots", "value": "1"}, {"name": "single-request"}]})).config
    assert config.servers == ("10.96.0.10", "8.8.8.8")
    assert config.searches == ("shop.svc.cluster.local", "svc.cluster.local", "cluster.local",
                               "example.com", "corp.example.com", "extra.io")
    assert config.options == ("ndots:1", "single-request")


def test_the_resolver_limits_are_applied_with_warnings() -> None:
    many = DNSConfig(("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"),
                     tuple(f"d{i}.example" for i in range(40)))
    fitted = fit_limits(many)
    assert fitted.config.servers == ("1.1.1.1", "2.2.2.2", "3.3.3.3")
    assert len(fitted.config.searches) == 32
    assert [r for r, _m in fitted.warnings] == ["DNSConfigForming", "DNSConfigForming"]
    assert fitted.warnings[0][1] == ("Nameserver limits were exceeded, some nameservers have "
                                     "been omitted, the applied nameserver line is: "
                                     "1.1.1.1 2.2.2.2 3.3.3.3")
    long = tuple("x" * 60 + f".{i}.example" for i in range(32)) + ("y" * 254,)
    fitted = fit_limits(DNSConfig(("1.1.1.1",), long))
    assert "y" * 254 not in fitted.config.searches
    assert len(" ".join(fitted.config.searches)) <= 2048
    assert fitted.config.searches == long[:len(fitted.config.searches)]
    assert fit_limits(DNSConfig(("1.1.1.1",), ("a.b",))).warnings == []


def test_the_file_is_written_in_the_pod_folder_and_mounted(tmp_path: Path,
                                                           host_file: str) -> None:
    dns = configurer(tmp_path, host_file)
    p = pod("None", dnsConfig={"nameservers": ["1.2.3.4"]})
    mount, formed = dns.mount(p)  # missing: formed now
    assert formed is not None
    assert mount.container_path == "/etc/resolv.conf" and not mount.read_only
    assert Path(mount.host_path) == tmp_path / "root/pods/uid-web/resolv.conf"
    assert Path(mount.host_path).read_text() == "nameserver 1.2.3.4\n"
    assert dns.mount(p) == (mount, None)  # there already: kept as the sandbox formed it
