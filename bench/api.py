"""API server benchmark (issue: API server and store; issue 11: the cost of security).
Prints, in one run on one disk:

- durable pod creates/s with 32 concurrent clients (wrk, so the load generator is not
  the bottleneck), and raw SQLite durable commits/s on the same disk, as a ratio;
- create latency p50/p99 at a fixed 300 creates/s (open-loop Python client);
- get and list p50/p99 (wrk);
- watch delivery latency p50/p99 to 100 watchers (create sent → event received);

from three servers in turn: the loopback insecure port (no security at all); HTTPS with
client certificates and Node+RBAC authorization, as a user who is not an admin and holds
its rights through an RBAC binding (the `edit` ClusterRole); and that plus everything else
`tug up` turns on (admission plugins, Secrets encryption, the Metadata audit log). The
secure figures are also printed as ratios of the plain ones. The Python clients
(fixed-rate creates, watches) present a client certificate; wrk cannot, so its requests
carry a bearer token from --token-auth-file for a user bound the same way.

The cost of security is measured first, with the three servers up at once: creates/s and
the server's CPU per create, each the median of short wrk bursts taken in turn.

Then JSON vs Kubernetes protobuf side by side (bench/apimedia.py): a list of 1,000 pods
and watch delivery, with ratios; `--media-only` runs just that.

Usage: .venv/bin/python bench/api.py [--seconds 10] [--rounds 7] [--burst 3]
                                     [--data-dir /var/tmp/tugboat-bench] [--media-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import apimedia  # noqa: E402
from tests.support.pki import TestPKI  # noqa: E402
from tests.support.processes import ApiServerProcess, free_port, wait_until  # noqa: E402
from tugboat.cli.up.apiserverconfig import ensure_apiserver_files  # noqa: E402

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "bench-",
       "labels": {"app": "bench"}},
       "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                "command": ["sleep", "3600"]}]}}
NAMESPACES = ["bench-rate", "bench-watch", "bench-list", "bench-wrk"]
BENCH_USER, BENCH_GROUP, BENCH_TOKEN = "bench", "bench-users", "bench-token-0123456789"

# A wrk script: one request shape, counting replies other than `expected`.
WRK_SCRIPT = """
wrk.method = "%(method)s"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
%(auth)s
local bad = 0
response = function(status, headers, body)
  if status ~= %(expected)d then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("unexpected=%%d\\n", bad))
end
"""


@dataclass
class Target:
    """Where and as whom the clients talk: plain HTTP, or HTTPS with a client certificate
    (the Python clients) and a bearer token (wrk)."""
    base: str
    ssl: ssl.SSLContext | None = None
    token: str | None = None

    @property
    def host(self) -> str:
        return self.base.split("://", 1)[1].split(":")[0]

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def wrk_script(self, method: str, body: str, expected: int) -> str:
        auth = f'wrk.headers["Authorization"] = "Bearer {self.token}"' if self.token else ""
        return WRK_SCRIPT % {"method": method, "body": body, "auth": auth,
                             "expected": expected}

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port, ssl=self.ssl)

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, verify=self.ssl or True, timeout=30)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def wrk(url: str, seconds: int, conns: int, script: str | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", url]
    tmp = None
    if script:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        tmp.write(script)
        tmp.close()
        cmd[1:1] = ["-s", tmp.name]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if tmp:
        os.unlink(tmp.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = re.search(r"unexpected=(\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"),
            "errors": float(errs.group(1)) if errs else 0.0,
            "bad": float(bad.group(1)) if bad else 0.0}


def raw_sqlite_commits(path: Path, seconds: float) -> float:
    """One row per transaction, WAL + synchronous=FULL: the disk's durable commit rate."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB)")
    blob = orjson.dumps(POD) * 2
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", (blob,))
        db.execute("COMMIT")
        n += 1
    db.close()
    return n / (time.perf_counter() - t0)


async def _read_response(r: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length body; return its status code."""
    head = await r.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await r.readexactly(length)
    return status


async def fixed_rate_creates(t: Target, rate: int, seconds: int, conns: int = 32) -> list[float]:
    """Open loop at `rate`/s over raw keep-alive connections (a Python HTTP library would
    itself be the bottleneck on 2 cores). A request waiting for a free connection counts
    its wait: latency runs from its scheduled send time to its reply, in ms."""
    body = orjson.dumps(POD)
    req = (f"POST /api/v1/namespaces/bench-rate/pods HTTP/1.1\r\nHost: {t.host}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
           ).encode() + body
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(conns):
        pool.put_nowait(await t.connect())
    lat: list[float] = []

    async def one(due: float) -> None:
        r, w = await pool.get()
        w.write(req)
        status = await _read_response(r)
        pool.put_nowait((r, w))
        if status == 201:
            lat.append((time.perf_counter() - due) * 1000)

    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(rate * seconds):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait()[1].close()
    return lat


async def watch_latency(t: Target, watchers: int, creates: int, rate: int) -> list[float]:
    """`watchers` raw watch streams; each created pod carries its send time; every
    watcher records (received − sent) per ADDED event."""
    path = "/api/v1/namespaces/bench-watch/pods?watch=1&resourceVersion="
    lat: list[float] = []
    seen = 0
    all_seen = asyncio.Event()
    # start at the current revision so only new pods are reported
    async with t.http() as c:
        rv = (await c.get("/api/v1/namespaces/bench-watch/pods")).json()["metadata"][
            "resourceVersion"]

    async def watcher(ready: asyncio.Event) -> None:
        nonlocal seen
        r, w = await t.connect()
        w.write(f"GET {path}{rv} HTTP/1.1\r\nHost: {t.host}\r\n\r\n".encode())
        await w.drain()
        await r.readuntil(b"\r\n\r\n")
        ready.set()
        got = 0
        while got < creates:
            size = int((await r.readline()).strip(), 16)
            chunk = await r.readexactly(size + 2)
            now = time.time()
            for line in chunk[:-2].splitlines():
                if not line:
                    continue
                ev = orjson.loads(line)
                if ev["type"] == "ADDED":
                    sent = float(ev["object"]["metadata"]["annotations"]["sent"])
                    lat.append((now - sent) * 1000)
                    got += 1
        seen += 1
        if seen == watchers:
            all_seen.set()
        w.close()

    readies = [asyncio.Event() for _ in range(watchers)]
    tasks = [asyncio.create_task(watcher(e)) for e in readies]
    await asyncio.gather(*(e.wait() for e in readies))
    async with t.http() as c:
        start = time.perf_counter()
        for i in range(creates):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pod = {**POD, "metadata": {**POD["metadata"], "annotations": {"sent": repr(time.time())}}}
            r = await c.post("/api/v1/namespaces/bench-watch/pods", json=pod)
            assert r.status_code == 201, r.text
    await asyncio.wait_for(all_seen.wait(), 60)
    for t in tasks:
        t.cancel()
    return lat


def prepare(srv: ApiServerProcess, *, secure: bool) -> None:
    """Namespaces (and, on the secure server, their `default` ServiceAccounts — there is
    no controller manager here — and the bench user's binding to `edit`), written on the
    loopback insecure port, which is privileged."""
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        for n in NAMESPACES:
            c.post("/api/v1/namespaces", json={"metadata": {"name": n}})
            if secure:
                c.post(f"/api/v1/namespaces/{n}/serviceaccounts",
                       json={"metadata": {"name": "default"}})
        if secure:
            c.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", json={
                "metadata": {"name": "bench-edit"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": "edit"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                              "name": BENCH_GROUP}]})
        for i in range(100):
            c.post("/api/v1/namespaces/bench-list/pods",
                   json={**POD, "metadata": {"name": f"p{i}"}})


def secure_server(data: Path, full: bool) -> tuple[ApiServerProcess, Target]:
    """A server on HTTPS with client certificates, a token file and Node+RBAC; with
    `full`, also `tug up`'s admission plugins, Secrets encryption and audit log. And the
    bench user's credentials."""
    pki = TestPKI(data / "pki")
    serving = pki.serving()
    files, _ = ensure_apiserver_files(data / "pki", data)
    tokens = data / "tokens.csv"
    tokens.write_text(f'{BENCH_TOKEN},{BENCH_USER},bench-uid,"{BENCH_GROUP}"\n')
    port = free_port()
    flags = ["--secure-port", str(port), "--bind-address", "127.0.0.1",
             "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
             "--client-ca-file", str(pki.ca.cert), "--token-auth-file", str(tokens),
             "--authorization-mode", "Node,RBAC"]
    if full:
        flags += ["--enable-admission-plugins",
                  "NamespaceLifecycle,ServiceAccount,NodeRestriction,PodSecurity",
                  "--service-account-key-file", str(files.sa_pub),
                  "--service-account-signing-key-file", str(files.sa_key),
                  "--encryption-provider-config", str(files.encryption_config),
                  "--audit-policy-file", str(files.audit_policy),
                  "--audit-log-path", str(data / "audit.log")]
    srv = ApiServerProcess(data / "apiserver", extra=flags)
    client = pki.client(BENCH_USER, (BENCH_GROUP,))
    ctx = ssl.create_default_context(cafile=str(pki.ca.cert))
    ctx.load_cert_chain(str(client.cert), str(client.key))
    return srv, Target(f"https://127.0.0.1:{port}", ctx, BENCH_TOKEN)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interleaved_creates(servers: dict[str, tuple[ApiServerProcess, Target]], rounds: int,
                        burst: int) -> dict[str, tuple[float, float]]:
    """Creates/s and server CPU-ms per create for each server, as the median of `rounds`
    wrk bursts taken in turn — so a neighbour's load on this shared machine falls on every
    server alike, and the ratios hold even when the absolute figures swing."""
    body = orjson.dumps(POD).decode()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, (srv, t) in servers.items():
            assert srv.proc is not None
            before = cpu_seconds(srv.proc.pid)
            c = wrk(f"{t.base}/api/v1/namespaces/bench-wrk/pods", burst, 32,
                    t.wrk_script("POST", body, 201))
            assert c["bad"] == 0, f"{name}: {c['bad']:.0f} creates were not 201"
            used = cpu_seconds(srv.proc.pid) - before
            samples[name].append((c["rps"], 1000 * used / (c["rps"] * burst)))
    return {name: (statistics.median(r for r, _ in got), statistics.median(m for _, m in got))
            for name, got in samples.items()}


def measure(t: Target, seconds: int) -> dict[str, float]:
    body = orjson.dumps(POD).decode()
    out: dict[str, float] = {}
    c = wrk(f"{t.base}/api/v1/namespaces/bench-wrk/pods", seconds, 32,
            t.wrk_script("POST", body, 201))
    out.update(creates=c["rps"], create_p50=c["p50"], create_p99=c["p99"], create_bad=c["bad"])
    lat = asyncio.run(fixed_rate_creates(t, 300, seconds))
    out.update(rate_ok=len(lat), rate_p50=pct(lat, 50), rate_p99=pct(lat, 99))
    g = wrk(f"{t.base}/api/v1/namespaces/bench-list/pods/p1", seconds, 16,
            t.wrk_script("GET", "", 200))
    out.update(gets=g["rps"], get_p50=g["p50"], get_p99=g["p99"], get_bad=g["bad"])
    li = wrk(f"{t.base}/api/v1/namespaces/bench-list/pods", seconds, 16,
             t.wrk_script("GET", "", 200))
    out.update(lists=li["rps"], list_p50=li["p50"], list_p99=li["p99"], list_bad=li["bad"])
    wl = asyncio.run(watch_latency(t, 100, 200, 20))
    out.update(watch_n=len(wl), watch_p50=pct(wl, 50), watch_p99=pct(wl, 99),
               watch_mean=statistics.mean(wl))
    return out


def report(label: str, m: dict[str, float], raw: float) -> None:
    print(f"[{label}]")
    print(f"  durable pod creates/s, 32 concurrent (wrk): {m['creates']:,.0f}  (p50 "
          f"{m['create_p50']:.1f} ms, p99 {m['create_p99']:.1f} ms, unexpected replies: "
          f"{m['create_bad']:.0f}); ratio to raw SQLite commits/s: {m['creates'] / raw:.2f}x")
    print(f"  create latency at 300/s (open loop, {m['rate_ok']:.0f} ok): p50 "
          f"{m['rate_p50']:.1f} ms, p99 {m['rate_p99']:.1f} ms")
    print(f"  get: {m['gets']:,.0f}/s, p50 {m['get_p50']:.2f} ms, p99 {m['get_p99']:.2f} ms"
          f" (unexpected: {m['get_bad']:.0f})")
    print(f"  list (100 pods): {m['lists']:,.0f}/s, p50 {m['list_p50']:.2f} ms, p99 "
          f"{m['list_p99']:.2f} ms (unexpected: {m['list_bad']:.0f})")
    print(f"  watch delivery, 100 watchers x 200 creates at 20/s ({m['watch_n']:.0f} events):"
          f" p50 {m['watch_p50']:.1f} ms, p99 {m['watch_p99']:.1f} ms, mean "
          f"{m['watch_mean']:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--data-dir", default="/var/tmp/tugboat-bench")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved create bursts")
    ap.add_argument("--burst", type=int, default=3, help="seconds per create burst")
    ap.add_argument("--media-only", action="store_true",
                    help="only the JSON vs protobuf comparison")
    args = ap.parse_args()
    data = Path(args.data_dir)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"# bench/api.py — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores, "
          f"data in {data}")
    if args.media_only:
        apimedia.run(data, args.seconds)
        return

    raw = raw_sqlite_commits(data / "raw.db", min(args.seconds, 5))
    print(f"raw SQLite durable commits/s (1 row/txn, WAL, synchronous=FULL): {raw:,.0f}")

    configs = {
        "plain": "insecure port: no authentication, authorization or admission",
        "tls+rbac": "HTTPS, client certificate (wrk: token), Node+RBAC as a non-admin user",
        "tug up": "the same plus admission (ServiceAccount, NodeRestriction, PodSecurity), "
                  "Secrets encryption and the Metadata audit log",
    }
    servers: dict[str, tuple[ApiServerProcess, Target]] = {}
    try:
        for name in configs:
            if name == "plain":
                srv = ApiServerProcess(data / name)
                srv.start()
                target = Target(srv.url)
            else:
                srv, target = secure_server(data / name.replace(" ", "-"),
                                            full=name == "tug up")
                srv.start()
                wait_until(lambda t=target: httpx.get(t.base + "/readyz", verify=t.ssl,
                                                      timeout=1).status_code == 200,
                           20, "secure port")
            servers[name] = (srv, target)
            prepare(srv, secure=name != "plain")

        print(f"[creates/s, 32 concurrent (wrk), median of {args.rounds} bursts of "
              f"{args.burst} s taken in turn; server CPU per create]")
        inter = interleaved_creates(servers, args.rounds, args.burst)
        for name, (rps, ms) in inter.items():
            print(f"  {name:8s} {rps:7,.0f}/s  {ms:.2f} CPU-ms/create  "
                  f"{rps / inter['plain'][0]:.2f}x plain creates/s, "
                  f"{ms / inter['plain'][1]:.2f}x plain CPU per create")

        results = {}
        for name, what in configs.items():
            results[name] = measure(servers[name][1], args.seconds)
            report(f"{name}: {what}", results[name], raw)
    finally:
        for srv, _ in servers.values():
            srv.stop()
    plain = results["plain"]
    for name in ("tls+rbac", "tug up"):
        sec = results[name]
        print(f"[{name} / plain, one after the other] creates/s "
              f"{sec['creates'] / plain['creates']:.2f}x; create p99 at 300/s "
              f"{sec['rate_p99'] / plain['rate_p99']:.2f}x; gets/s "
              f"{sec['gets'] / plain['gets']:.2f}x; lists/s "
              f"{sec['lists'] / plain['lists']:.2f}x; watch p99 "
              f"{sec['watch_p99'] / plain['watch_p99']:.2f}x")
    apimedia.run(data, args.seconds)

if __name__ == "__main__":
    main()
