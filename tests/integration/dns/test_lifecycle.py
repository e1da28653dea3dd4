"""tug-dns as a daemon: health, readiness and metrics on its health port, a clean exit on
SIGTERM, and one clear line when its port is taken."""

from __future__ import annotations

import socket
import subprocess
import sys

import dns.rcode
import httpx

from tests.integration.dns.conftest import DNSProcess
from tests.support.processes import free_port, wait_until


def test_healthz_ready_and_metrics(tugdns: DNSProcess):
    assert httpx.get(tugdns.url("/healthz")).text == "OK"
    assert httpx.get(tugdns.url("/ready")).status_code == 200
    tugdns.query("kubernetes.default.svc.cluster.local")
    tugdns.query("nothing-here.default.svc.cluster.local", "AAAA")
    metrics = httpx.get(tugdns.url("/metrics")).text
    assert 'coredns_dns_requests_total{' in metrics and 'type="AAAA"' in metrics
    assert 'rcode="NXDOMAIN"' in metrics
    assert "coredns_dns_request_duration_seconds_bucket{" in metrics
    assert "coredns_kubernetes_synced 1.0" in metrics


def test_not_ready_until_the_api_server_answers(tmp_path):
    # an API server that is not there: DNS listens, /ready stays 503, SIGTERM still stops it
    dead = f"http://127.0.0.1:{free_port()}"
    proc = DNSProcess(dead, tmp_path / "dns.log", "--upstream", "127.0.0.77:9").start(
        wait=False)
    try:
        wait_until(lambda: httpx.get(proc.url("/ready"), timeout=1).status_code == 503, 20,
                   "/ready answering 503")
        assert proc.query("kubernetes.default.svc.cluster.local").rcode() == dns.rcode.SERVFAIL
    finally:
        assert proc.stop() == 0


def test_sigterm_stops_it_cleanly(apiserver, tmp_path):
    proc = DNSProcess(apiserver.url, tmp_path / "dns.log", "--upstream", "127.0.0.77:9").start()
    assert proc.stop() == 0
    assert "Traceback" not in (tmp_path / "dns.log").read_text()


def test_a_taken_port_is_one_line_naming_the_flag(apiserver):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "tugboat.dns", "--server", apiserver.url,
             "--bind-address", "127.0.0.1", "--port", str(port), "--health-port", "0"],
            capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert out.stderr.strip() == (
        f"tug-dns: port {port} is already in use on 127.0.0.1; stop what uses it or pick "
        f"another port with --port")
