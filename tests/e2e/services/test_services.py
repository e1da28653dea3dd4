"""Services carrying traffic between real containers, as a user sees it: a Deployment of two
busybox httpd pods behind a Service, asked from a third pod with `nc` by ClusterIP and by
DNS name; readiness taking a backend out of rotation (S7 for real); no endpoints meaning
"connection refused"; a NodePort on the host; a headless Service resolving to the pods;
`kubectl describe svc` listing the endpoints; and ClusterIPs that never leave the host."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.e2e.services.conftest import ServicesCluster
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

IMAGE = "busybox:1.35"
# Each backend serves its own name; readiness is a file the test can take away.
WEB_SCRIPT = ("mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && "
              "exec httpd -f -p 8080 -h /www")
REQUESTS = 100


def docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def container_of(ns: str, pod: str, container: str) -> str:
    out = docker("ps", "-q", "--filter", f"label=io.tugboat.pod.namespace={ns}",
                 "--filter", f"label=io.tugboat.pod.name={pod}",
                 "--filter", f"label=io.tugboat.container.name={container}").stdout.split()
    assert out, f"no running container {container} of pod {ns}/{pod}"
    return out[0]


def sh(container: str, script: str, timeout: float = 90) -> str:
    done = docker("exec", container, "sh", "-c", script, timeout=timeout)
    return done.stdout + done.stderr


def get_page(host: str, port: int = 80, count: int = 1) -> str:
    """`count` HTTP/1.0 GETs with busybox nc, one response body line each."""
    return (f'for i in $(seq {count}); do printf "GET / HTTP/1.0\\r\\n\\r\\n" | '
            f'nc -w 3 {host} {port} 2>&1 | tail -n 1; echo; done')


def answers(client: str, host: str, count: int) -> Counter[str]:
    lines = sh(client, get_page(host, count=count)).split()
    return Counter(line for line in lines if line)


def ready_pods(kube: SyncApiClient, ns: str, selector: str) -> list[dict[str, Any]]:
    pods = kube.list("pods", ns, label_selector=selector)["items"]
    return [p for p in pods if p.get("status", {}).get("podIP") and any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in p["status"].get("conditions") or [])]


def slice_addresses(kube: SyncApiClient, ns: str, service: str, ready: bool = True) -> set[str]:
    slices = kube.list("endpointslices", ns,
                       label_selector=f"kubernetes.io/service-name={service}")["items"]
    return {a for s in slices for e in s.get("endpoints") or []
            if (e.get("conditions") or {}).get("ready") is ready for a in e["addresses"]}


@pytest.fixture(scope="module")
def web(kube: SyncApiClient, ns: str) -> dict[str, Any]:
    probe = {"exec": {"command": ["test", "-f", "/tmp/ready"]}, "periodSeconds": 1,
             "failureThreshold": 1, "successThreshold": 1}
    kube.create("deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                     "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "httpd", "image": IMAGE,
                                     "imagePullPolicy": "IfNotPresent",
                                     "command": ["sh", "-c", WEB_SCRIPT],
                                     "ports": [{"containerPort": 8080, "name": "http"}],
                                     "readinessProbe": probe}]}}}}, ns)
    svc = kube.create("services", {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"},
                 "ports": [{"port": 80, "targetPort": "http", "name": "http"}]}}, ns)
    kube.create("services", {
        "metadata": {"name": "web-headless"},
        "spec": {"clusterIP": "None", "selector": {"app": "web"},
                 "ports": [{"port": 8080, "name": "http"}]}}, ns)
    kube.create("pods", {
        "metadata": {"name": "client"},
        "spec": {"terminationGracePeriodSeconds": 0,
                 "containers": [{"name": "client", "image": IMAGE,
                                 "imagePullPolicy": "IfNotPresent",
                                 "command": ["sleep", "3600"]}]}}, ns)
    wait_until(lambda: len(ready_pods(kube, ns, "app=web")) == 2, 120, "two ready web pods")
    wait_until(lambda: len(slice_addresses(kube, ns, "web")) == 2, 60, "two endpoints")
    wait_until(lambda: kube.get("pods", "client", ns)["status"].get("phase") == "Running",
               120, "the client pod running")
    return svc


@pytest.fixture(scope="module")
def client(web: dict[str, Any], ns: str) -> str:
    return container_of(ns, "client", "client")


def test_a_pod_reaches_both_backends_by_cluster_ip_and_by_name(
        kube: SyncApiClient, ns: str, web: dict[str, Any], client: str) -> None:
    names = {p["metadata"]["name"] for p in ready_pods(kube, ns, "app=web")}
    cluster_ip = web["spec"]["clusterIP"]
    # the rules follow the endpoints within a sync or two: wait for both, then count
    wait_until(lambda: set(answers(client, cluster_ip, 10)) == names, 30,
               "both backends answering on the ClusterIP")
    by_ip = answers(client, cluster_ip, REQUESTS)
    assert set(by_ip) == names and sum(by_ip.values()) == REQUESTS, by_ip
    for host in ("web", f"web.{ns}.svc.cluster.local"):
        by_name = answers(client, host, 10)
        assert set(by_name) <= names and sum(by_name.values()) == 10, (host, by_name)


def test_the_pod_gets_the_cluster_dns_and_service_variables(
        ns: str, web: dict[str, Any], client: str) -> None:
    resolv = sh(client, "cat /etc/resolv.conf")
    assert "nameserver 10.96.0.10" in resolv
    assert f"search {ns}.svc.cluster.local svc.cluster.local cluster.local" in resolv
    assert "options ndots:5" in resolv


def test_a_headless_service_resolves_to_the_pod_addresses(
        kube: SyncApiClient, ns: str, web: dict[str, Any], client: str) -> None:
    pod_ips = {p["status"]["podIP"] for p in ready_pods(kube, ns, "app=web")}
    out = sh(client, f"nslookup -type=A web-headless.{ns}.svc.cluster.local")
    found = {line.split()[-1] for line in out.splitlines() if line.startswith("Address:")
             and not line.rstrip().endswith(":53")}
    assert found == pod_ips, out


def test_an_unready_backend_stops_getting_traffic(
        kube: SyncApiClient, ns: str, web: dict[str, Any], client: str) -> None:
    pods = sorted(p["metadata"]["name"] for p in ready_pods(kube, ns, "app=web"))
    victim, other = pods
    backend = container_of(ns, victim, "httpd")
    sh(backend, "rm /tmp/ready")
    began = time.monotonic()
    try:
        wait_until(lambda: victim not in answers(client, "web", 10), 30,
                   f"{victim} out of rotation")
        took = time.monotonic() - began
        got = answers(client, "web", 30)
        assert set(got) == {other}, got
        # one failed probe (period 1s) takes it out; the rest is the endpoint and rule sync
        assert took < 15, took
    finally:
        sh(backend, "touch /tmp/ready")
    wait_until(lambda: set(answers(client, "web", 20)) == set(pods), 60,
               "both backends again")


def test_a_node_port_answers_on_the_host(
        kube: SyncApiClient, ns: str, web: dict[str, Any],
        services_cluster: ServicesCluster) -> None:
    svc = kube.create("services", {
        "metadata": {"name": "web-nodeport"},
        "spec": {"type": "NodePort", "selector": {"app": "web"},
                 "ports": [{"port": 80, "targetPort": 8080}]}}, ns)
    node_port = svc["spec"]["ports"][0]["nodePort"]
    names = {p["metadata"]["name"] for p in ready_pods(kube, ns, "app=web")}
    url = f"http://{services_cluster.bridge}:{node_port}/"

    def page() -> str:
        try:
            return httpx.get(url, timeout=3).text.strip()
        except httpx.HTTPError:
            return ""

    wait_until(lambda: page() in names, 30, f"{url} answering")


def test_cluster_ips_never_leave_the_host(web: dict[str, Any]) -> None:
    route = subprocess.run(["ip", "route", "get", web["spec"]["clusterIP"]],
                           capture_output=True, text=True, timeout=10).stdout
    assert "dev tug-svc0" in route, route


def test_kubectl_describe_lists_the_endpoints(
        kube: SyncApiClient, ns: str, web: dict[str, Any],
        services_cluster: ServicesCluster) -> None:
    ips = sorted(slice_addresses(kube, ns, "web"))
    out = subprocess.run(["/usr/bin/kubectl", "--server", services_cluster.api.url,
                          "describe", "svc", "web", "-n", ns],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("Endpoints:"))
    assert sorted(a.split(":")[0] for a in line.split()[1].split(",")) == ips, line


def test_no_endpoints_means_connection_refused(
        kube: SyncApiClient, ns: str, web: dict[str, Any], client: str) -> None:
    kube.patch_scale("deployments", "web", 0, ns)
    wait_until(lambda: not slice_addresses(kube, ns, "web")
               and not slice_addresses(kube, ns, "web", ready=False), 90, "no endpoints")
    ip = web["spec"]["clusterIP"]
    wait_until(lambda: "Connection refused" in sh(client, get_page(ip)), 30,
               "the ClusterIP refusing")
    assert "Connection refused" in sh(client, get_page("web"))
