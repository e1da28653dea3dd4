"""JSON vs Kubernetes protobuf on the API server (issue 15), side by side in one run on one
server (bench/api.py runs it after its own figures; it also runs alone):

- a list of 1,000 pods: client-visible latency p50/p99 and lists/s (wrk, 4 connections,
  the C load generator idle most of the time), the server's CPU per list (from
  /proc/PID/stat around each wrk run) and the bytes on the wire; the server's encoders
  also timed in this process on the same list (orjson vs the protobuf codec, a first
  encode and one with the per-resourceVersion message cache warm, as the server holds it);
- watch delivery: 20 JSON and 20 protobuf watchers open at once, 200 pods created at
  20/s; each event's latency is create sent -> frame received, its bytes counted.

Usage: .venv/bin/python bench/apimedia.py [--seconds 10] [--data-dir /var/tmp/tugboat-media]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
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
from tugboat.api.proto import codec  # noqa: E402
from tugboat.apiserver import protobuf  # noqa: E402

NS = "bench-media"
PB = protobuf.MEDIA_TYPE
ACCEPT = {"json": "application/json", "protobuf": f"{PB},application/json"}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"app": "bench"}},
       "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                "command": ["sleep", "3600"],
                                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                                "ports": [{"containerPort": 8080, "name": "http"}]}]}}
WRK_SCRIPT = """
wrk.headers["Accept"] = "%s"
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("unexpected=%%d\\n", bad))
end
"""


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, accept: str) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % accept)
    try:
        out = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", f.name,
                              url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert m, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    bad = re.search(r"unexpected=(\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50": ms("50"), "p99": ms("99"), "bad": float(bad.group(1)) if bad else 0.0}


async def fill(url: str, n: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        await c.post("/api/v1/namespaces", json={"metadata": {"name": NS}})
        sem = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with sem:
                r = await c.post(f"/api/v1/namespaces/{NS}/pods",
                                 json={**POD, "metadata": {**POD["metadata"], "name": f"p{i}"}})
                assert r.status_code == 201, r.text
        await asyncio.gather(*(one(i) for i in range(n)))


def timed(fn, rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    """The best of `rounds` runs, in ms (the least disturbed by the neighbours)."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def encode_in_process(lst: dict) -> dict[str, float]:
    """The server's two encoders on the same list, in this process."""
    def cold() -> None:
        protobuf.CACHE.entries.clear()
        protobuf.CACHE.size = 0
        protobuf.encode_list(lst)
    out = {"json": timed(lambda: orjson.dumps(lst)), "protobuf_first": timed(cold)}
    protobuf.encode_list(lst)
    out["protobuf_cached"] = timed(lambda: protobuf.encode_list(lst))
    return out


async def _watch(url: str, media: str, rv: str, want: int, lat: list[float],
                 sizes: list[int], ready: asyncio.Event) -> None:
    host, port = url.split("://")[1].split(":")
    r, w = await asyncio.open_connection(host, int(port))
    w.write(f"GET /api/v1/namespaces/{NS}/pods?watch=1&resourceVersion={rv} HTTP/1.1\r\n"
            f"Host: {host}\r\nAccept: {ACCEPT[media]}\r\n\r\n".encode())
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    assert (PB.encode() if media == "protobuf" else b"application/json") in head, head
    ready.set()
    got, buf = 0, b""
    while got < want:
        size = int((await r.readline()).strip(), 16)
        buf += (await r.readexactly(size + 2))[:-2]
        now = time.time()  # before any parsing: the client's decode is not the server's
        events = []
        if media == "json":
            lines = buf.split(b"\n")
            buf = lines.pop()
            events = [(len(x) + 1, orjson.loads(x)) for x in lines if x]
        else:
            while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], "big"):
                n = int.from_bytes(buf[:4], "big")
                frame, buf = buf[4:4 + n], buf[4 + n:]
                ev = dict((k, v) for k, _w, v in codec.fields(frame))
                raw = dict((k, v) for k, _w, v in codec.fields(ev[2]))[1]
                # only the pod's metadata is read: the load generator stays light
                _av, _kind, payload = codec.open_envelope(raw)
                meta = codec.decode_message(dict((k, v) for k, _w, v in codec.fields(
                    payload))[1], f"{codec.META}.ObjectMeta")
                events.append((n + 4, {"type": ev[1].decode(), "object": {"metadata": meta}}))
        for size_, ev in events:
            if ev["type"] == "ADDED":
                lat.append((now - float(ev["object"]["metadata"]["annotations"]["sent"])) * 1000)
                sizes.append(size_)
                got += 1
    w.close()


async def watch_delivery(url: str, watchers: int, creates: int, rate: int
                         ) -> dict[str, tuple[list[float], list[int]]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        rv = (await c.get(f"/api/v1/namespaces/{NS}/pods", params={"limit": "1"})).json()[
            "metadata"]["resourceVersion"]
        results: dict[str, tuple[list[float], list[int]]] = {m: ([], []) for m in ACCEPT}
        readies, tasks = [], []
        for i in range(watchers * 2):
            media = "json" if i % 2 else "protobuf"
            ready = asyncio.Event()
            readies.append(ready)
            tasks.append(asyncio.create_task(_watch(url, media, rv, creates, *results[media],
                                                    ready)))
        await asyncio.gather(*(e.wait() for e in readies))
        start = time.perf_counter()
        for i in range(creates):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            meta = {**POD["metadata"], "name": f"w{i}", "annotations": {"sent": repr(time.time())}}
            r = await c.post(f"/api/v1/namespaces/{NS}/pods", json={**POD, "metadata": meta})
            assert r.status_code == 201, r.text
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return results


def run(data: Path, seconds: int, pods: int = 1000) -> None:
    srv = ApiServerProcess(data / "media")
    srv.start()
    try:
        asyncio.run(fill(srv.url, pods))
        url = f"{srv.url}/api/v1/namespaces/{NS}/pods"
        wire = {m: httpx.get(url, headers={"Accept": a}, timeout=30) for m, a in ACCEPT.items()}
        assert wire["protobuf"].headers["content-type"] == PB
        lst = wire["json"].json()
        assert len(lst["items"]) == pods
        assert len(codec.decode(wire["protobuf"].content)["items"]) == pods
        enc = encode_in_process(lst)
        print(f"[JSON vs protobuf: list of {pods:,} pods, wrk 4 connections, {seconds} s each,"
              f" JSON and protobuf taken in turn, twice]")
        runs: dict[str, list[tuple[dict[str, float], float]]] = {m: [] for m in ACCEPT}
        for _ in range(2):
            for media, accept in ACCEPT.items():
                assert srv.proc is not None
                before = cpu_seconds(srv.proc.pid)
                res = wrk(url, seconds, accept)
                assert res["bad"] == 0, res
                runs[media].append((res, (cpu_seconds(srv.proc.pid) - before) * 1000
                                    / (res["rps"] * seconds)))
        summary = {}
        for media in ACCEPT:
            res, cpu = max(runs[media], key=lambda x: x[0]["rps"])  # the less disturbed run
            summary[media] = (res, cpu)
            print(f"  {media:8s} {res['rps']:6.1f} lists/s  p50 {res['p50']:6.1f} ms  p99 "
                  f"{res['p99']:6.1f} ms  server CPU {cpu:5.1f} ms/list  "
                  f"{len(wire[media].content):9,} bytes")
        (j, jc), (p, pc) = summary["json"], summary["protobuf"]
        print(f"  protobuf / JSON: lists/s {p['rps'] / j['rps']:.2f}x, p50 "
              f"{p['p50'] / j['p50']:.2f}x, p99 {p['p99'] / j['p99']:.2f}x, server CPU "
              f"{pc / jc:.2f}x, bytes {len(wire['protobuf'].content) / len(wire['json'].content):.2f}x")
        print(f"  encoders in process (best of 5): orjson {enc['json']:.1f} ms; protobuf "
              f"{enc['protobuf_first']:.1f} ms first, {enc['protobuf_cached']:.1f} ms with the "
              f"message cache warm")

        res = asyncio.run(watch_delivery(srv.url, 20, 200, 20))
        print("[watch delivery: 20 JSON + 20 protobuf watchers at once, 200 creates at 20/s]")
        for media, (lat, sizes) in res.items():
            print(f"  {media:8s} {len(lat):5d} events  p50 {pct(lat, 50):5.1f} ms  p99 "
                  f"{pct(lat, 99):5.1f} ms  mean {statistics.mean(lat):5.1f} ms  "
                  f"{statistics.mean(sizes):6.0f} bytes/event")
        (jl, js), (pl, ps) = res["json"], res["protobuf"]
        print(f"  protobuf / JSON: p50 {pct(pl, 50) / pct(jl, 50):.2f}x, p99 "
              f"{pct(pl, 99) / pct(jl, 99):.2f}x, bytes/event "
              f"{statistics.mean(ps) / statistics.mean(js):.2f}x")
    finally:
        srv.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--data-dir", default="/var/tmp/tugboat-media")
    args = ap.parse_args()
    data = Path(args.data_dir)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"# bench/apimedia.py — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores")
    run(data, args.seconds)


if __name__ == "__main__":
    main()
