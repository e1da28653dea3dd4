"""bench/services.py's DNS half: a real tug-dns on the Docker bridge, loaded from a real
pod's network namespace, beside a trivial dnspython server and the forwarding path (see
bench/services.py)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.servicescommon import (  # noqa: E402
    DOCKER_BRIDGE,
    DOMAIN,
    IMAGE,
    NAMESPACE,
    ROOT,
    SCRIPT,
    UPSTREAM,
    cpu_seconds,
    ms,
    pct,
    stop,
)
from bench.servicesproxy import populate  # noqa: E402
from tests.support.processes import ApiServerProcess, free_port, wait_until  # noqa: E402


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
                        str(SCRIPT), "--inner", "load", "--out", str(out),
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
        me = [sys.executable, str(SCRIPT), "--inner", "echo"]
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
