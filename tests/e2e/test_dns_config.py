"""What a real container reads in /etc/resolv.conf for each dnsPolicy: a kubelet started
with --cluster-dns (as `tug up` starts it) gives ClusterFirst pods the cluster DNS server,
the `<ns>.svc.cluster.local svc.cluster.local cluster.local` search path and ndots:5 — in
every container of the pod; Default copies the host's resolver file; None takes only
dnsConfig; dnsConfig merges into the others. The shared kubelet, without --cluster-dns,
falls back to the host's file with a MissingClusterDNS warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.cluster import IMAGE, Api, KubeletProcess, remove_node_containers
from tests.e2e.conftest import RUN
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.kubelet.dns import parse_resolv_conf

HOST_RESOLV = "nameserver 192.0.2.53\nsearch corp.example\noptions timeout:2\n"


@pytest.fixture(scope="module")
def dns_node(cluster_api: ApiServerProcess, e2e_dir: Path) -> Iterator[str]:
    """A kubelet of its own, with the flags the shared one lacks."""
    node = f"e2e-dns-{RUN}"
    host_file = e2e_dir / "host-resolv.conf"
    host_file.write_text(HOST_RESOLV)
    proc = KubeletProcess(cluster_api.url, node, e2e_dir / node, [
        "--cluster-dns", "10.96.0.10", "--cluster-domain", "cluster.local",
        "--resolv-conf", str(host_file), "--node-status-update-frequency", "1s"])
    proc.start()
    wait_until(lambda: httpx.get(f"{cluster_api.url}/api/v1/nodes/{node}").status_code == 200,
               20, f"node {node} registered")
    yield node
    proc.stop()
    remove_node_containers(node)


def cat_pod(name: str, node: str, policy: str | None = None, containers: int = 1,
            **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nodeName": node, "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
        "containers": [{"name": f"c{i}", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                        "command": ["cat", "/etc/resolv.conf"]} for i in range(containers)],
        **spec}
    if policy:
        body["dnsPolicy"] = policy
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}


def resolv_conf(api: Api, ns: str, name: str, container: str = "c0") -> str:
    api.wait_phase(ns, name, "Succeeded", timeout=60)
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{name}/log", params={"container": container})
    assert r.status_code == 200, r.text
    return r.text


def test_each_policy_in_a_real_container(api: Api, dns_node: str, ns: str) -> None:
    api.create(ns, cat_pod("cluster-first", dns_node, containers=2))
    api.create(ns, cat_pod("default", dns_node, "Default"))
    api.create(ns, cat_pod("none", dns_node, "None", dnsConfig={
        "nameservers": ["192.0.2.1"], "searches": ["my.dns.search.suffix"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}))
    api.create(ns, cat_pod("merged", dns_node, "ClusterFirst", dnsConfig={
        "nameservers": ["192.0.2.2"], "searches": ["extra.example"],
        "options": [{"name": "ndots", "value": "3"}]}))
    cluster = (f"search {ns}.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
               "nameserver 10.96.0.10\n"
               "options ndots:5\n")
    assert resolv_conf(api, ns, "cluster-first") == cluster
    assert resolv_conf(api, ns, "cluster-first", "c1") == cluster  # one file per pod
    assert resolv_conf(api, ns, "default") == ("search corp.example\n"
                                               "nameserver 192.0.2.53\n"
                                               "options timeout:2\n")
    assert resolv_conf(api, ns, "none") == ("search my.dns.search.suffix\n"
                                            "nameserver 192.0.2.1\n"
                                            "options ndots:2 edns0\n")
    assert resolv_conf(api, ns, "merged") == (
        f"search {ns}.svc.cluster.local svc.cluster.local cluster.local corp.example "
        "extra.example\n"
        "nameserver 10.96.0.10\nnameserver 192.0.2.2\n"
        "options ndots:3\n")


def test_none_without_a_nameserver_is_refused(api: Api, dns_node: str, ns: str) -> None:
    r = api.http.post(f"/api/v1/namespaces/{ns}/pods", json=cat_pod("bad", dns_node, "None"))
    assert r.status_code == 422, r.text
    assert r.json()["details"]["causes"] == [{
        "reason": "FieldValueRequired", "field": "spec.dnsConfig",
        "message": "Required value: must provide `dnsConfig` when `dnsPolicy` is None"}]


def test_without_cluster_dns_cluster_first_falls_back_to_the_host(
        api: Api, node: str, ns: str) -> None:
    api.create(ns, cat_pod("fallback", node))
    seen = parse_resolv_conf(resolv_conf(api, ns, "fallback"))
    with open("/etc/resolv.conf") as f:
        assert seen == parse_resolv_conf(f.read())

    def warned() -> bool:
        events = api.http.get(f"/api/v1/namespaces/{ns}/events").json()["items"]
        return any(e["reason"] == "MissingClusterDNS" and e["type"] == "Warning"
                   and e["involvedObject"]["name"] == "fallback"
                   and "Falling back to \"Default\" policy" in e["message"] for e in events)

    wait_until(warned, 15, "a MissingClusterDNS event")
