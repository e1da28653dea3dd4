"""Services benchmark (issue 13: Services that carry traffic). Prints, in one run:

- endpoint change → proxy rule in place, p50/p99, at 100 Services × 10 endpoints: a real
  tug-apiserver (loopback insecure port) and a real tug-proxy, both run inside a network
  namespace this script creates (`ip netns add`), so the host's iptables are never touched.
  The Services and their EndpointSlices are written through the API (no kubelet: slices of
  Services without a selector are the user's to write, as in Kubernetes). Then single
  endpoints are flipped ready/unready, added and removed, one at a time, and each change is
  timed from the moment the API write returns to the moment `iptables-save -t nat` in the
  namespace shows (or no longer shows) that endpoint's `-j DNAT --to-destination IP:PORT`,
  polled back to back. Beside it: the proxy's own network_programming_duration and
  sync_proxy_rules_duration histograms from its /metrics, the time to program all 1,000
  endpoints from a cold start, and what one whole-table `iptables-restore` of that ruleset
  costs the kernel and the tool alone (the floor under any full sync);
- DNS queries/s and p50/p99 from a pod: a real tug-dns serving the same 100 Services from its
  informer cache, bound on the Docker bridge address; the load generator (dnspython message
  rendering/parsing on asyncio, bounded concurrency, bounded count and time) runs inside a
  real busybox container's network namespace (`nsenter -t <pid> -n`). Side by side: the same
  generator against a trivial dnspython server that answers everything at once (the ceiling
  for a Python DNS server here, and proof the generator is not the bottleneck, with the
  generator's own CPU share), and names forwarded by tug-dns to a fake upstream on loopback.

Usage: .venv/bin/python bench/services.py [--services 100] [--endpoints 10] [--changes 300]
                                          [--change-seconds 420] [--dns-queries 30000]
                                          [--dns-seconds 20] [--concurrency 16]
                                          [--min-sync-period 1s] [--no-proxy] [--no-dns]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.processes import ApiServerProcess, free_port, wait_until  # noqa: E402
from tugboat.proxy.chains import chain_for_endpoint, service_chain  # noqa: E402

NAMESPACE = "bench-svc"
NODE = "bench-node"
TARGET_PORT = 8080
DOMAIN = "cluster.local"
DOCKER_BRIDGE = "172.17.0.1"
IMAGE = "busybox:1.35"
UPSTREAM = "127.0.0.77"  # the fake upstream the forwarding path is measured against
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
DNAT = re.compile(r"-j DNAT --to-destination (\S+)")
ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- objects through the API

def endpoint_ip(svc: int, n: int) -> str:
    """Service `svc`'s n-th endpoint (up to 250 Services × 250 endpoints)."""
    return f"10.200.{svc}.{n + 1}"


def added_ip(svc: int, change: int) -> str:
    """The endpoint the change-th change adds to Service `svc`: 10.201+.<svc>.*"""
    return f"10.{201 + change // 250}.{svc}.{change % 250 + 1}"


def service(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"svc-{i:03d}", "namespace": NAMESPACE},
            "spec": {"type": "ClusterIP",
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                                "targetPort": TARGET_PORT}]}}


def endpoint(ip: str, ready: bool) -> dict:
    return {"addresses": [ip], "nodeName": NODE,
            "conditions": {"ready": ready, "serving": ready, "terminating": False}}


def endpoint_slice(i: int, endpoints: list[dict], rv: str | None = None) -> dict:
    meta: dict = {"name": f"svc-{i:03d}-bench", "namespace": NAMESPACE,
                  "labels": {"kubernetes.io/service-name": f"svc-{i:03d}",
                             "endpointslice.kubernetes.io/managed-by": "bench.tugboat.io"},
                  # the proxy measures network programming from this stamp, as kube-proxy does
                  "annotations": {TRIGGER_TIME: datetime.now(UTC).isoformat(
                      timespec="microseconds").replace("+00:00", "Z")}}
    if rv:
        meta["resourceVersion"] = rv
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta,
            "addressType": "IPv4", "endpoints": endpoints,
            "ports": [{"name": "http", "port": TARGET_PORT, "protocol": "TCP"}]}


def populate(api: str, services: int, per: int) -> tuple[dict[int, list[dict]], dict[int, str],
                                                          dict[int, str]]:
    """The namespace, the Services and one slice each; returns endpoints, slice
    resourceVersions and ClusterIPs by service index."""
    eps: dict[int, list[dict]] = {}
    rvs: dict[int, str] = {}
    ips: dict[int, str] = {}
    with httpx.Client(base_url=api, timeout=30) as c:
        r = c.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                               "metadata": {"name": NAMESPACE}})
        assert r.status_code in (201, 409), r.text
        for i in range(services):
            r = c.post(f"/api/v1/namespaces/{NAMESPACE}/services", json=service(i))
            assert r.status_code == 201, r.text
            ips[i] = r.json()["spec"]["clusterIP"]
            eps[i] = [endpoint(endpoint_ip(i, n), True) for n in range(per)]
            r = c.post(f"/apis/discovery.k8s.io/v1/namespaces/{NAMESPACE}/endpointslices",
                       json=endpoint_slice(i, eps[i]))
            assert r.status_code == 201, r.text
            rvs[i] = r.json()["metadata"]["resourceVersion"]
    return eps, rvs, ips


# ---------------------------------------------------------------- the proxy, in a netns

def proxy_command(api: str, healthz_port: int, metrics_port: int,
                  min_sync_period: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "tugboat.proxy", "--server", api,
           "--hostname-override", NODE, "--bind-address", "127.0.0.1",
           "--healthz-port", str(healthz_port), "--metrics-port", str(metrics_port)]
    if min_sync_period:
        cmd += ["--min-sync-period", min_sync_period]
    return cmd


def dnat_targets() -> tuple[set[str], float]:
    """Every DNAT destination in the nat table now, and how long reading it took."""
    t0 = time.perf_counter()
    out = subprocess.run(["iptables-save", "-t", "nat"], capture_output=True, text=True,
                         check=True).stdout
    return set(DNAT.findall(out)), time.perf_counter() - t0


def rule_in_place(i: int, ip: str) -> tuple[bool, float]:
    """Whether Service i's chain jumps to the chain that DNATs to ip:port now (the chain
    names are computed as the proxy computes them), and how long asking took. Listing one
    chain costs ~1 ms where a whole `iptables-save -t nat` of this ruleset costs ~35 ms, so
    the poll's resolution is fine and the poller takes little CPU from the proxy."""
    name = f"svc-{i:03d}"
    svc = service_chain(f"{NAMESPACE}/{name}:http", "tcp")
    sep = chain_for_endpoint(NAMESPACE, name, "http", "TCP", f"{ip}:{TARGET_PORT}")
    t0 = time.perf_counter()
    r = subprocess.run(["iptables", "-t", "nat", "-S", svc], capture_output=True, text=True)
    took = time.perf_counter() - t0
    # no chain at all (every endpoint gone: the Service REJECTs in filter) means not in place
    return r.returncode == 0 and re.search(rf"-j {sep}$", r.stdout, re.M) is not None, took


def histogram(url: str, suffix: str) -> dict[float, float] | None:
    """The cumulative buckets (le → count) plus sum/count of the first histogram whose
    name ends with `suffix`, read from a Prometheus text endpoint."""
    from prometheus_client.parser import text_string_to_metric_families
    text = httpx.get(url, timeout=5).text
    for family in text_string_to_metric_families(text):
        if family.type == "histogram" and family.name.endswith(suffix):
            out: dict = {}
            for s in family.samples:
                if s.name.endswith("_bucket"):
                    out[float(s.labels["le"])] = out.get(float(s.labels["le"]), 0) + s.value
                elif s.name.endswith("_sum"):
                    out["sum"] = out.get("sum", 0) + s.value
                elif s.name.endswith("_count"):
                    out["count"] = out.get("count", 0) + s.value
            return out
    return None


def hist_delta(after: dict | None, before: dict | None) -> dict:
    """count, mean and p50/p99 (interpolated within buckets, as histogram_quantile does) of
    the observations made between two scrapes."""
    if not after:
        return {}
    before = before or {}
    d = {k: after[k] - before.get(k, 0) for k in after}
    count = d.get("count", 0)
    if not count:
        return {"count": 0}
    bounds = sorted(k for k in d if isinstance(k, float))

    def q(p: float) -> float:
        rank, prev_le, prev_c = p * count, 0.0, 0.0
        for le in bounds:
            if d[le] >= rank:
                if le == float("inf"):
                    return prev_le
                return prev_le + (le - prev_le) * (rank - prev_c) / max(d[le] - prev_c, 1e-9)
            prev_le, prev_c = le, d[le]
        return prev_le
    return {"count": count, "mean": d["sum"] / count, "p50": q(0.5), "p99": q(0.99)}


def restore_floor() -> float:
    """One whole-table reload of the ruleset now in place (`iptables-save | iptables-restore`,
    flushing and rewriting every table): what the kernel and the tool alone take for a full
    sync of this size, whatever the proxy's own work."""
    saved = subprocess.run(["iptables-save"], capture_output=True, text=True,
                           check=True).stdout
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(["iptables-restore"], input=saved, text=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def proxy_inner(a: argparse.Namespace) -> dict:
    """Runs inside the namespace: API server, proxy, population, the change loop."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    rng = random.Random(a.seed)
    data = Path(tempfile.mkdtemp(prefix="tugboat-bench-svc-", dir=a.data_dir))
    api = ApiServerProcess(data / "api")
    proxy = None
    result: dict = {}
    try:
        api.start()
        eps, rvs, _ = populate(api.url, a.services, a.endpoints)
        total = a.services * a.endpoints
        healthz, metrics = free_port(), free_port()
        metrics_url = f"http://127.0.0.1:{metrics}/metrics"
        log = open(data / "proxy.log", "ab")
        t0 = time.monotonic()
        proxy = subprocess.Popen(proxy_command(api.url, healthz, metrics, a.min_sync_period),
                                 stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        expected = {f"{e['addresses'][0]}:{TARGET_PORT}" for v in eps.values() for e in v}

        def all_in() -> bool:
            if proxy.poll() is not None:
                raise RuntimeError((data / "proxy.log").read_text()[-3000:])
            return expected <= dnat_targets()[0]
        wait_until(all_in, 120, f"all {total} endpoints programmed (log {data}/proxy.log)")
        result["cold_start_s"] = time.monotonic() - t0
        wait_until(lambda: (histogram(metrics_url, "sync_proxy_rules_duration_seconds")
                            or {}).get("count", 0) >= 1, 30, "the proxy's /metrics")
        cold_sync = histogram(metrics_url, "sync_proxy_rules_duration_seconds")
        result["cold_syncs"] = hist_delta(cold_sync, None)
        result["restore_floor_s"] = restore_floor()
        n_rules = subprocess.run(["iptables-save"], capture_output=True, text=True,
                                 check=True).stdout.count("\n-A ")
        result["rules"] = n_rules
        # Let the reload above settle into the proxy's view before the clock starts.
        time.sleep(0.5)
        sync_before = histogram(metrics_url, "sync_proxy_rules_duration_seconds")
        prog_before = histogram(metrics_url, "network_programming_duration_seconds")

        lat: list[float] = []
        by_kind: dict[str, list[float]] = {"unready": [], "ready": [], "add": [], "remove": []}
        polls: list[float] = []
        timeouts = 0
        added: dict[int, list[str]] = {i: [] for i in eps}
        deadline = time.monotonic() + a.change_seconds
        with httpx.Client(base_url=api.url, timeout=30) as c:
            for k in range(a.changes):
                if time.monotonic() > deadline:
                    break
                i = rng.randrange(a.services)
                kind = rng.choices(["flip", "add", "remove"], [70, 15, 15])[0]
                if kind == "remove" and not added[i]:
                    kind = "flip"
                if kind == "flip":
                    e = rng.choice(eps[i])
                    ready = not e["conditions"]["ready"]
                    e["conditions"].update(ready=ready, serving=ready)
                    ip, present, label = e["addresses"][0], ready, "ready" if ready else "unready"
                elif kind == "add":
                    ip = added_ip(i, k)
                    eps[i].append(endpoint(ip, True))
                    added[i].append(ip)
                    present, label = True, "add"
                else:
                    ip = added[i].pop(0)
                    eps[i] = [e for e in eps[i] if e["addresses"][0] != ip]
                    present, label = False, "remove"
                r = c.put(f"/apis/discovery.k8s.io/v1/namespaces/{NAMESPACE}/endpointslices/"
                          f"svc-{i:03d}-bench", json=endpoint_slice(i, eps[i], rvs[i]))
                written = time.monotonic()
                assert r.status_code == 200, r.text
                rvs[i] = r.json()["metadata"]["resourceVersion"]
                while True:
                    seen, took = rule_in_place(i, ip)
                    polls.append(took)
                    if seen == present:
                        d = time.monotonic() - written
                        lat.append(d)
                        by_kind[label].append(d)
                        break
                    if time.monotonic() - written > 30:
                        timeouts += 1
                        break
                # a random pause, so changes land at every phase of the proxy's sync timer
                time.sleep(rng.uniform(0, a.pace))
        # the end state, read whole: every ready endpoint DNATed to, and nothing else
        want = {f"{e['addresses'][0]}:{TARGET_PORT}" for v in eps.values() for e in v
                if e["conditions"]["ready"]}
        time.sleep(2 * (parse_seconds(a.min_sync_period) if a.min_sync_period else 1.0))
        result["final_matches"] = dnat_targets()[0] == want
        result.update(
            changes=len(lat), timeouts=timeouts, p50=pct(lat, 50), p99=pct(lat, 99),
            max=max(lat, default=float("nan")), mean=statistics.mean(lat) if lat else None,
            by_kind={k: (len(v), pct(v, 50), pct(v, 99)) for k, v in by_kind.items()},
            poll_p50=pct(polls, 50), poll_p99=pct(polls, 99),
            syncs=hist_delta(histogram(metrics_url, "sync_proxy_rules_duration_seconds"),
                             sync_before),
            programming=hist_delta(histogram(metrics_url,
                                             "network_programming_duration_seconds"),
                                   prog_before),
            proxy_cpu_s=cpu_seconds(proxy.pid), min_sync_period=a.min_sync_period)
        return result
    finally:
        stop(proxy)
        api.stop()
        if not a.keep:
            shutil.rmtree(data, ignore_errors=True)


def parse_seconds(text: str) -> float:
    return float(text.rstrip("s"))


def run_proxy_phase(a: argparse.Namespace, min_sync_period: str | None) -> dict:
    """Creates the namespace, re-runs this script inside it, deletes the namespace."""
    ns = f"tugbench-{secrets.token_hex(3)}"
    out = Path(tempfile.mkstemp(prefix="tugboat-bench-svc-", suffix=".json")[1])
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        cmd = ["ip", "netns", "exec", ns, sys.executable, str(Path(__file__).resolve()),
               "--inner", "proxy", "--out", str(out), "--services", str(a.services),
               "--endpoints", str(a.endpoints), "--changes", str(a.changes),
               "--change-seconds", str(a.change_seconds), "--pace", str(a.pace),
               "--seed", str(a.seed)]
        if min_sync_period:
            cmd += ["--min-sync-period", min_sync_period]
        if a.data_dir:
            cmd += ["--data-dir", a.data_dir]
        if a.keep:
            cmd.append("--keep")
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text())
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)
        out.unlink(missing_ok=True)


# ---------------------------------------------------------------- DNS

def dns_command(api: str, port: int, health: int, upstream: str) -> list[str]:
    return [sys.executable, "-m", "tugboat.dns", "--server", api,
            "--bind-address", DOCKER_BRIDGE, "--port", str(port),
            "--health-port", str(health), "--upstream", upstream]


class EchoServer(asyncio.DatagramProtocol):
    """Answers every query at once with one A record: the least a Python DNS server built
    on dnspython can do per query (parse, render, send)."""

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
        import dns.message
        import dns.rrset
        q = dns.message.from_wire(data)
        r = dns.message.make_response(q)
        r.flags |= 0x0400  # AA
        r.answer.append(dns.rrset.from_text(q.question[0].name, 5, "IN", "A", "10.96.0.10"))
        self.transport.sendto(r.to_wire(), addr)


def echo_inner(a: argparse.Namespace) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(EchoServer, local_addr=(a.bind, a.port))
        await asyncio.Event().wait()
    asyncio.run(main())


def load_inner(a: argparse.Namespace) -> dict:
    """The load generator, run inside the pod's network namespace: `concurrency` workers,
    each with its own UDP socket and one query in flight, until `count` queries or
    `seconds` have gone."""
    import dns.message
    import dns.rcode
    names = a.names.split(",")

    class Client(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.queue: asyncio.Queue[bytes] = asyncio.Queue()

        def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
            self.queue.put_nowait(data)

    lat: list[float] = []
    rcodes: Counter[str] = Counter()
    timeouts, checked = 0, 0
    counter = itertools.count()
    # Queries are rendered by dnspython once per name; each send patches in a fresh ID, and
    # answers are matched and counted from the 12-byte header, every 50th one parsed in full
    # — so the generator spends its CPU on sending, not on parsing what it already knows.
    wires = [bytearray(dns.message.make_query(n, a.qtype).to_wire()) for n in names]

    async def worker(deadline: float) -> None:
        nonlocal timeouts, checked
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_datagram_endpoint(
            Client, remote_addr=(a.target, a.port))
        try:
            while (n := next(counter)) < a.count and time.monotonic() < deadline:
                wire = wires[n % len(wires)]
                qid = n & 0xFFFF
                wire[0:2] = qid.to_bytes(2, "big")
                t0 = time.perf_counter()
                transport.sendto(bytes(wire))
                try:
                    while True:  # skip a late answer to an earlier, timed-out query
                        data = await asyncio.wait_for(proto.queue.get(), 2)
                        if int.from_bytes(data[0:2], "big") == qid:
                            break
                except TimeoutError:
                    timeouts += 1
                    continue
                lat.append(time.perf_counter() - t0)
                rcodes[dns.rcode.to_text(data[3] & 0x0F)] += 1
                if n % 50 == 0:  # a real answer to the question asked, in full
                    r = dns.message.from_wire(data)
                    assert r.question == dns.message.from_wire(bytes(wire)).question
                    assert r.rcode() != dns.rcode.NOERROR or r.answer, r
                    checked += 1
        finally:
            transport.close()

    async def main() -> float:
        t0 = time.perf_counter()
        deadline = time.monotonic() + a.seconds
        await asyncio.gather(*(worker(deadline) for _ in range(a.concurrency)))
        return time.perf_counter() - t0

    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    cpu0 = time.process_time()
    wall = asyncio.run(main())
    cpu = time.process_time() - cpu0
    return {"answered": len(lat), "timeouts": timeouts, "wall_s": wall,
            "qps": len(lat) / wall, "p50": pct(lat, 50), "p99": pct(lat, 99),
            "rcodes": dict(rcodes), "checked": checked, "generator_cpu": cpu / wall}


def run_load(pid: int, a: argparse.Namespace, port: int, names: list[str],
             server_pid: int | None, upstream_pid: int | None = None,
             qtype: str = "A") -> dict:
    out = Path(tempfile.mkstemp(prefix="tugboat-bench-dns-", suffix=".json")[1])
    try:
        cpu0 = cpu_seconds(server_pid) if server_pid else 0.0
        up0 = cpu_seconds(upstream_pid) if upstream_pid else 0.0
        subprocess.run(["nsenter", "-t", str(pid), "-n", sys.executable,
                        str(Path(__file__).resolve()), "--inner", "load", "--out", str(out),
                        "--target", DOCKER_BRIDGE, "--port", str(port),
                        "--names", ",".join(names), "--qtype", qtype,
                        "--count", str(a.dns_queries), "--seconds", str(a.dns_seconds),
                        "--concurrency", str(a.concurrency)], check=True)
        r = json.loads(out.read_text())
        if server_pid:
            r["server_cpu"] = (cpu_seconds(server_pid) - cpu0) / r["wall_s"]
        if upstream_pid:
            r["upstream_cpu"] = (cpu_seconds(upstream_pid) - up0) / r["wall_s"]
        return r
    finally:
        out.unlink(missing_ok=True)


def dns_phase(a: argparse.Namespace) -> dict:
    data = Path(tempfile.mkdtemp(prefix="tugboat-bench-dns-", dir=a.data_dir))
    api = ApiServerProcess(data / "api")
    container = f"tugbench-dns-{secrets.token_hex(3)}"
    procs: list[subprocess.Popen] = []
    result: dict = {}
    try:
        api.start()
        populate(api.url, a.services, a.endpoints)
        up_port, dns_port, health, echo_port = free_port(), free_port(), free_port(), free_port()
        me = [sys.executable, str(Path(__file__).resolve()), "--inner", "echo"]
        upstream = subprocess.Popen([*me, "--bind", UPSTREAM, "--port", str(up_port)])
        procs.append(upstream)
        echo = subprocess.Popen([*me, "--bind", DOCKER_BRIDGE, "--port", str(echo_port)])
        procs.append(echo)
        log = open(data / "dns.log", "ab")
        dns_proc = subprocess.Popen(dns_command(api.url, dns_port, health,
                                                f"{UPSTREAM}:{up_port}"),
                                    stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        procs.append(dns_proc)

        def ready() -> bool:
            if dns_proc.poll() is not None:
                raise RuntimeError((data / "dns.log").read_text()[-3000:])
            return httpx.get(f"http://127.0.0.1:{health}/ready", timeout=1).status_code == 200
        wait_until(ready, 60, f"tug-dns ready (log {data}/dns.log)")
        subprocess.run(["docker", "run", "-d", "--rm", "--network", "bridge", "--name",
                        container, IMAGE, "sleep", "3600"], check=True, capture_output=True)
        pid = int(subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", container],
                                 check=True, capture_output=True, text=True).stdout)
        cluster = [f"svc-{i:03d}.{NAMESPACE}.svc.{DOMAIN}." for i in range(a.services)]
        outside = [f"host-{i}.bench.example." for i in range(50)]
        # a short warm-up so the first figures do not include imports and first-touch costs
        run_load(pid, argparse.Namespace(**{**vars(a), "dns_queries": 500}), dns_port,
                 cluster, None)
        # The three in turn, round after round, so a neighbour's load falls on all alike;
        # each figure is the median over the rounds.
        part = argparse.Namespace(**{**vars(a), "dns_queries": a.dns_queries // a.rounds,
                                     "dns_seconds": a.dns_seconds / a.rounds})
        rounds: dict[str, list[dict]] = {"cluster": [], "echo": [], "forwarded": []}
        for _ in range(a.rounds):
            rounds["cluster"].append(run_load(pid, part, dns_port, cluster, dns_proc.pid))
            rounds["echo"].append(run_load(pid, part, echo_port, cluster, echo.pid))
            rounds["forwarded"].append(run_load(pid, part, dns_port, outside, dns_proc.pid,
                                                upstream.pid))
        for key, runs in rounds.items():
            merged: dict = {k: statistics.median(r[k] for r in runs)
                            for k in ("qps", "p50", "p99", "server_cpu", "generator_cpu")}
            if key == "forwarded":
                merged["upstream_cpu"] = statistics.median(r["upstream_cpu"] for r in runs)
            merged["timeouts"] = sum(r["timeouts"] for r in runs)
            merged["rcodes"] = dict(sum((Counter(r["rcodes"]) for r in runs), Counter()))
            merged["qps_all"] = [round(r["qps"]) for r in runs]
            result[key] = merged
        return result
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)
        for p in procs:
            stop(p)
        api.stop()
        if not a.keep:
            shutil.rmtree(data, ignore_errors=True)


# ---------------------------------------------------------------- report

def ms(s: float | None) -> str:
    return "—" if s is None or s != s else f"{s * 1000:.1f} ms"


def report_proxy(r: dict, a: argparse.Namespace) -> None:
    print(f"\nendpoint change → rule in place, {a.services} Services × {a.endpoints} endpoints "
          f"(min-sync-period {r['min_sync_period'] or 'default'}; "
          f"{r['rules']} iptables rules)")
    print(f"  changes timed: {r['changes']} ({r['timeouts']} not seen within 30 s)")
    print(f"  write returned → rule in place: p50 {ms(r['p50'])}, p99 {ms(r['p99'])}, "
          f"max {ms(r['max'])}")
    for kind, (n, p50, p99) in r["by_kind"].items():
        print(f"    {kind:8} n={n:<4} p50 {ms(p50)}, p99 {ms(p99)}")
    print(f"  one poll, `iptables -t nat -S <the Service's chain>`: p50 {ms(r['poll_p50'])}, "
          f"p99 {ms(r['poll_p99'])}")
    print(f"  at the end, the nat table's DNATs are exactly the API's ready endpoints: "
          f"{'yes' if r['final_matches'] else 'NO'}")
    prog, syncs = r["programming"], r["syncs"]
    if prog.get("count"):
        print(f"  proxy's network_programming_duration: n={prog['count']:.0f}, "
              f"p50 ~{ms(prog['p50'])}, p99 ~{ms(prog['p99'])}, mean {ms(prog['mean'])}")
    if syncs.get("count"):
        print(f"  proxy's sync_proxy_rules_duration (each a whole-table restore): "
              f"n={syncs['count']:.0f}, p50 ~{ms(syncs['p50'])}, p99 ~{ms(syncs['p99'])}, "
              f"mean {ms(syncs['mean'])}")
    cold = r["cold_syncs"]
    print(f"  cold start → all {a.services * a.endpoints} endpoints in place: "
          f"{r['cold_start_s']:.2f} s; first sync(s) n={cold.get('count', 0):.0f}, "
          f"mean {ms(cold.get('mean'))}")
    print(f"  one whole-ruleset iptables-restore alone (the kernel's and the tool's floor): "
          f"{ms(r['restore_floor_s'])}")
    print(f"  proxy CPU over the run: {r['proxy_cpu_s']:.1f} s")


def report_dns(r: dict, a: argparse.Namespace) -> None:
    print(f"\nDNS from a pod (busybox container's netns → {DOCKER_BRIDGE}), UDP, "
          f"{a.concurrency} queries in flight, up to {a.dns_queries} queries / "
          f"{a.dns_seconds} s per server, in {a.rounds} interleaved rounds (medians)")
    print(f"  {'server / names':44} {'q/s':>8} {'p50':>9} {'p99':>9} {'lost':>5} "
          f"{'server CPU':>10} {'gen CPU':>8}  rcodes")
    for key, label in (("cluster", "tug-dns, svc-N.bench-svc.svc.cluster.local A"),
                       ("forwarded", "tug-dns, forwarded to fake upstream"),
                       ("echo", "trivial dnspython echo server (ceiling)")):
        x = r[key]
        print(f"  {label:44} {x['qps']:>8.0f} {ms(x['p50']):>9} {ms(x['p99']):>9} "
              f"{x['timeouts']:>5} {x.get('server_cpu', 0):>9.0%} {x['generator_cpu']:>8.0%}"
              f"  {x['rcodes']} rounds {x['qps_all']} q/s")
    up = r["forwarded"].get("upstream_cpu")
    if up is not None:
        print(f"  (the fake upstream itself used {up:.0%} of a CPU during the forwarded run; "
              f"every 50th answer was parsed in full and matched its question)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--services", type=int, default=100)
    p.add_argument("--endpoints", type=int, default=10)
    p.add_argument("--changes", type=int, default=300)
    p.add_argument("--change-seconds", type=float, default=420)
    p.add_argument("--pace", type=float, default=0.3,
                   help="most seconds of random pause between changes")
    p.add_argument("--min-sync-period", default=None,
                   help="passed to tug-proxy; several, comma-separated, run in turn")
    p.add_argument("--dns-queries", type=int, default=30000)
    p.add_argument("--dns-seconds", type=float, default=20)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--rounds", type=int, default=3, help="DNS: rounds of the three loads")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--keep", action="store_true", help="keep data dirs and logs")
    p.add_argument("--no-proxy", action="store_true")
    p.add_argument("--no-dns", action="store_true")
    # the pieces this script runs in other namespaces or processes
    p.add_argument("--inner", choices=["proxy", "load", "echo"], help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--target", help=argparse.SUPPRESS)
    p.add_argument("--bind", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--names", help=argparse.SUPPRESS)
    p.add_argument("--qtype", default="A", help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    a = p.parse_args()

    if a.inner == "proxy":
        Path(a.out).write_text(json.dumps(proxy_inner(a)))
        return
    if a.inner == "load":
        Path(a.out).write_text(json.dumps(load_inner(a)))
        return
    if a.inner == "echo":
        echo_inner(a)
        return

    print("command: " + " ".join([".venv/bin/python", "bench/services.py", *sys.argv[1:]]))
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
    if not a.no_proxy:
        for msp in (a.min_sync_period.split(",") if a.min_sync_period else [None]):
            report_proxy(run_proxy_phase(a, msp), a)
    if not a.no_dns:
        report_dns(dns_phase(a), a)
    print(f"\nfinished, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
