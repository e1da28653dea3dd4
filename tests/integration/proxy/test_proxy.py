"""tug-proxy with real packets: a real proxy programs iptables inside a node namespace
from Services and EndpointSlices in the real API server, and connections from the node
(and from a pod) reach the pods the rules choose."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from tests.integration.proxy.conftest import (
    NODE_NAME,
    Api,
    ProxyProcess,
    connect,
    endpoint,
    refused,
)
from tests.integration.proxy.netns import NetNs, Node
from tests.support.processes import wait_until
from tugboat.proxy import chains

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def pods(node: Node) -> list:
    return [node.pod(i) for i in (2, 3, 4)]


def answers(node: Node, ip: str, port: int, n: int) -> Counter[str]:
    return answers_from(node.ns, ip, port, n)


def answers_from(ns: NetNs, ip: str, port: int, n: int) -> Counter[str]:
    return Counter(connect(ns, ip, port) for _ in range(n))


def test_cluster_ip_spreads_over_ready_endpoints_and_skips_unready_ones(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("web")["spec"]["clusterIP"]
    api.slice("web", [endpoint(pods[0]), endpoint(pods[1])])
    wait_until(lambda: connect(node.ns, vip, 80) in ("pod-2", "pod-3"), 15, "the ClusterIP")
    seen = answers(node, vip, 80, 100)
    assert set(seen) == {"pod-2", "pod-3"} and min(seen.values()) >= 20, seen

    api.slice("web", [endpoint(pods[0]), endpoint(pods[1], ready=False)])
    wait_until(lambda: set(answers(node, vip, 80, 20)) == {"pod-2"}, 15,
               "the unready endpoint to leave the rules")
    assert set(answers(node, vip, 80, 50)) == {"pod-2"}


def test_a_service_without_endpoints_refuses_connections(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("empty")["spec"]["clusterIP"]
    wait_until(lambda: refused(node.ns, vip, 80), 15, "connection refused")
    api.slice("empty", [endpoint(pods[2])])
    wait_until(lambda: connect(node.ns, vip, 80) == "pod-4", 15, "the new endpoint")
    api.slice("empty", [])  # scale to zero
    wait_until(lambda: refused(node.ns, vip, 80), 15, "connection refused again")


def test_terminating_endpoints_serve_only_when_none_is_ready(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("drain")["spec"]["clusterIP"]
    api.slice("drain", [endpoint(pods[0], ready=False, serving=True, terminating=True)])
    wait_until(lambda: connect(node.ns, vip, 80) == "pod-2", 15, "the draining endpoint")


def test_node_port_reaches_the_endpoints_from_the_node_and_from_a_pod(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    svc = api.service("np", type="NodePort")
    node_port = svc["spec"]["ports"][0]["nodePort"]
    api.slice("np", [endpoint(pods[1])])
    wait_until(lambda: connect(node.ns, Node.IP, node_port) == "pod-3", 15, "the NodePort")
    assert connect(pods[0].ns, Node.IP, node_port) == "pod-3"  # through PREROUTING


def test_client_ip_affinity_sticks_to_one_endpoint(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("sticky", sessionAffinity="ClientIP")["spec"]["clusterIP"]
    api.slice("sticky", [endpoint(p) for p in pods])
    wait_until(lambda: connect(node.ns, vip, 80).startswith("pod-"), 15, "the ClusterIP")
    assert len(answers(node, vip, 80, 30)) == 1


def test_internal_traffic_policy_local_uses_only_this_nodes_endpoints(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("local", internalTrafficPolicy="Local")["spec"]["clusterIP"]
    api.slice("local", [endpoint(pods[0], node="node-b"), endpoint(pods[1])])
    wait_until(lambda: connect(node.ns, vip, 80) == "pod-3", 15, "the local endpoint")
    assert set(answers(node, vip, 80, 30)) == {"pod-3"}


def test_external_traffic_policy_local_keeps_outside_clients_on_this_nodes_endpoints(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    svc = api.service("extlocal", type="NodePort", externalTrafficPolicy="Local")
    node_port = svc["spec"]["ports"][0]["nodePort"]
    api.slice("extlocal", [endpoint(pods[1]), endpoint(pods[2], node="node-b")])
    wait_until(lambda: connect(pods[0].ns, Node.IP, node_port) == "pod-3", 15, "the NodePort")
    assert set(answers_from(pods[0].ns, Node.IP, node_port, 30)) == {"pod-3"}
    # The node's own traffic may use every endpoint, as kube-proxy routes it.
    wait_until(lambda: set(answers(node, Node.IP, node_port, 30)) == {"pod-3", "pod-4"}, 15,
               "both endpoints from the node")


def test_a_pod_reaches_a_cluster_ip_and_its_own_service_through_hairpin(
        proxy: ProxyProcess, node: Node, pods: list, api: Api) -> None:
    vip = api.service("self")["spec"]["clusterIP"]
    api.slice("self", [endpoint(pods[0])])
    wait_until(lambda: connect(pods[1].ns, vip, 80) == "pod-2", 15, "the ClusterIP from a pod")
    assert connect(pods[0].ns, vip, 80) == "pod-2"  # pod-2 to itself, masqueraded


def test_healthz_and_metrics(proxy: ProxyProcess) -> None:
    code, body = proxy.get("/healthz")
    assert code == 200 and '"lastUpdated"' in body and '"currentTime"' in body
    code, text = proxy.get("/metrics")
    assert code == 200
    assert "tug_proxy_sync_proxy_rules_duration_seconds_count" in text
    assert "tug_proxy_network_programming_duration_seconds_count" in text
    assert "tug_proxy_sync_proxy_rules_last_timestamp_seconds" in text
    assert "tug_proxy_sync_full_proxy_rules_duration_seconds_count" in text
    assert "tug_proxy_sync_partial_proxy_rules_duration_seconds_count" in text


def test_an_unmatched_cluster_ip_never_leaves_the_node(proxy: ProxyProcess,
                                                       node: Node) -> None:
    route = node.ns.exec("ip", "route", "get", "10.96.200.200").stdout
    assert "dev tug-svc0" in route


def test_a_chain_flushed_by_hand_comes_back_at_the_periodic_full_sync(
        apiserver, api: Api, tmp_path) -> None:
    # Partial syncs trust what they wrote last; only the full sync every
    # --iptables-sync-period reads the tables back and rewrites every chain.
    other = Node(tmp_path)
    try:
        pod = other.pod(2)
        p = ProxyProcess(other, apiserver.port, tmp_path / "proxy.log",
                         "--iptables-sync-period", "2s").start()
        vip = api.service("handmade")["spec"]["clusterIP"]
        api.slice("handmade", [endpoint(pod)])
        wait_until(lambda: connect(other.ns, vip, 80) == "pod-2", 15, "the ClusterIP")
        svc = chains.service_chain(f"{api.ns}/handmade:http", "tcp")
        other.ns.exec("iptables", "-t", "nat", "-F", svc)
        assert other.ns.exec("iptables", "-t", "nat", "-S", svc).stdout == f"-N {svc}\n"
        wait_until(lambda: "-j TUG-SEP-" in other.ns.exec(
            "iptables", "-t", "nat", "-S", svc).stdout, 15, "the flushed chain to come back")
        assert connect(other.ns, vip, 80) == "pod-2"
        assert p.stop() == 0
    finally:
        other.delete()


def test_cleanup_removes_every_chain_and_the_link(apiserver, tmp_path) -> None:
    other = Node(tmp_path)
    try:
        p = ProxyProcess(other, apiserver.port, tmp_path / "proxy.log").start()
        assert p.stop() == 0
        assert "TUG-" in other.ns.exec("iptables-save").stdout  # rules stay on SIGTERM
        done = other.ns.exec(sys.executable, "-m", "tugboat.proxy", "--cleanup",
                             "--hostname-override", NODE_NAME, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "TUG-" not in other.ns.exec("iptables-save").stdout
        assert other.ns.exec("ip", "link", "show", "tug-svc0", check=False).returncode != 0
    finally:
        other.delete()
