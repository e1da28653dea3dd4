"""API server benchmark (issue: API server and store). Prints, in one run on one disk:

- durable pod creates/s with 32 concurrent clients (wrk, so the load generator is not
  the bottleneck), and raw SQLite durable commits/s on the same disk, as a ratio;
- create latency p50/p99 at a fixed 300 creates/s (open-loop Python client);
- get and list p50/p99 (wrk);
- watch delivery latency p50/p99 to 100 watchers (create sent → event received).

Usage: .venv/bin/python bench/api.py [--seconds 10] [--data-dir /var/tmp/tugboat-bench]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.processes import ApiServerProcess  # noqa: E402

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "bench-",
       "labels": {"app": "bench"}},
       "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                "command": ["sleep", "3600"]}]}}

WRK_POST = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
local bad = 0
response = function(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non201=%%d\\n", bad))
end
"""


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
    non201 = re.search(r"non201=(\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"),
            "errors": float(errs.group(1)) if errs else 0.0,
            "non201": float(non201.group(1)) if non201 else 0.0}


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


async def fixed_rate_creates(base: str, rate: int, seconds: int, conns: int = 32) -> list[float]:
    """Open loop at `rate`/s over raw keep-alive connections (a Python HTTP library would
    itself be the bottleneck on 2 cores). A request waiting for a free connection counts
    its wait: latency runs from its scheduled send time to its reply, in ms."""
    host, port = base.removeprefix("http://").split(":")
    body = orjson.dumps(POD)
    req = (f"POST /api/v1/namespaces/bench-rate/pods HTTP/1.1\r\nHost: {host}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
           ).encode() + body
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(conns):
        pool.put_nowait(await asyncio.open_connection(host, int(port)))
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


async def watch_latency(base: str, watchers: int, creates: int, rate: int) -> list[float]:
    """`watchers` raw watch streams; each created pod carries its send time; every
    watcher records (received − sent) per ADDED event."""
    host, port = base.removeprefix("http://").split(":")
    path = "/api/v1/namespaces/bench-watch/pods?watch=1&resourceVersion="
    lat: list[float] = []
    seen = 0
    all_seen = asyncio.Event()
    # start at the current revision so only new pods are reported
    async with httpx.AsyncClient() as c:
        rv = (await c.get(f"{base}/api/v1/namespaces/bench-watch/pods")).json()["metadata"][
            "resourceVersion"]

    async def watcher(ready: asyncio.Event) -> None:
        nonlocal seen
        r, w = await asyncio.open_connection(host, int(port))
        w.write(f"GET {path}{rv} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
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
    async with httpx.AsyncClient() as c:
        start = time.perf_counter()
        for i in range(creates):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pod = {**POD, "metadata": {**POD["metadata"], "annotations": {"sent": repr(time.time())}}}
            r = await c.post(f"{base}/api/v1/namespaces/bench-watch/pods", json=pod)
            assert r.status_code == 201, r.text
    await asyncio.wait_for(all_seen.wait(), 60)
    for t in tasks:
        t.cancel()
    return lat


def make_namespaces(base: str, names: list[str]) -> None:
    for n in names:
        httpx.post(f"{base}/api/v1/namespaces", json={"metadata": {"name": n}})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--data-dir", default="/var/tmp/tugboat-bench")
    args = ap.parse_args()
    data = Path(args.data_dir)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"# bench/api.py — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores, "
          f"data in {data}")

    raw = raw_sqlite_commits(data / "raw.db", min(args.seconds, 5))
    print(f"raw SQLite durable commits/s (1 row/txn, WAL, synchronous=FULL): {raw:,.0f}")

    srv = ApiServerProcess(data / "apiserver")
    srv.start()
    try:
        base = srv.url
        make_namespaces(base, ["bench-rate", "bench-watch", "bench-list"])
        body = orjson.dumps(POD).decode()
        res = wrk(f"{base}/api/v1/namespaces/default/pods", args.seconds, 32, WRK_POST % body)
        print(f"durable pod creates/s, 32 concurrent (wrk): {res['rps']:,.0f}  "
              f"(p50 {res['p50']:.1f} ms, p99 {res['p99']:.1f} ms, non-201: {res['non201']:.0f})")
        print(f"  ratio to raw SQLite commits/s: {res['rps'] / raw:.2f}x")

        lat = asyncio.run(fixed_rate_creates(base, 300, args.seconds))
        print(f"create latency at 300/s (open loop, {len(lat)} ok): p50 {pct(lat, 50):.1f} ms, "
              f"p99 {pct(lat, 99):.1f} ms")

        for i in range(100):
            httpx.post(f"{base}/api/v1/namespaces/bench-list/pods",
                       json={**POD, "metadata": {"name": f"p{i}"}})
        g = wrk(f"{base}/api/v1/namespaces/bench-list/pods/p1", args.seconds, 16)
        print(f"get: {g['rps']:,.0f}/s, p50 {g['p50']:.2f} ms, p99 {g['p99']:.2f} ms")
        li = wrk(f"{base}/api/v1/namespaces/bench-list/pods", args.seconds, 16)
        print(f"list (100 pods): {li['rps']:,.0f}/s, p50 {li['p50']:.2f} ms, "
              f"p99 {li['p99']:.2f} ms")

        wl = asyncio.run(watch_latency(base, 100, 200, 20))
        print(f"watch delivery, 100 watchers x 200 creates at 20/s ({len(wl)} events): "
              f"p50 {pct(wl, 50):.1f} ms, p99 {pct(wl, 99):.1f} ms, "
              f"mean {statistics.mean(wl):.1f} ms")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
