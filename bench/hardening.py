"""What issue 12's bounds cost and what they stop (issue 12: reliability under hostile
input). Two API servers on the loopback insecure port, each capped at 2 GiB of address
space, up at once on one disk: one built from an earlier commit (a git worktree, default
the last commit before issue 12) and one from this tree. Prints:

- pod creates/s (wrk, 32 connections) and get-by-name requests/s (wrk), each the median of
  short bursts taken in turn against the two servers, and their ratio — the price of the
  body and head limits, the strict query parameters, the typed metadata and the
  object-size check on every request;
- for each attack the issue found, what each server answered, how long it took, how much
  its memory grew and whether it still answered /readyz afterwards (a server that died is
  started again for the next attack).

Usage: .venv/bin/python bench/hardening.py [--before 65465c2] [--rounds 7] [--burst 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api import WRK_SCRIPT, wrk  # noqa: E402
from tests.support.processes import free_port, wait_until  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CAP = 2 << 30  # bytes of address space: an attack that would grow further fails instead
NS = "bench-hardening"
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "bench-"},
       "spec": {"containers": [{"name": "c", "image": "busybox:1.35"}]}}
CM = f"/api/v1/namespaces/{NS}/configmaps"


class Server:
    """One tug-apiserver process importing tugboat from `tree`."""

    def __init__(self, name: str, tree: Path, data: Path):
        self.name, self.tree, self.data = name, tree, data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        log = open(self.data / "apiserver.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tugboat.apiserver", "--port", str(self.port),
             "--store", f"sqlite:///{self.data / 'state.db'}"], cwd=self.tree,
            env={**os.environ, "PYTHONPATH": str(self.tree)}, stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP)))
        log.close()
        wait_until(self.ready, 30, f"{self.name} apiserver")
        httpx.post(self.url + "/api/v1/namespaces", json={"metadata": {"name": NS}})
        r = httpx.post(self.url + CM, json={"metadata": {"name": "target"},
                                            "data": {"k": "x" * 3000}})
        assert r.status_code == 201, r.text

    def ready(self) -> bool:
        try:
            return httpx.get(self.url + "/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_mib(self) -> float:
        assert self.proc is not None
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait()


def bursts(servers: list[Server], rounds: int, seconds: int) -> None:
    create = WRK_SCRIPT % {"method": "POST", "body": orjson.dumps(POD).decode(), "auth": "",
                           "expected": 201}
    get = WRK_SCRIPT % {"method": "GET", "body": "", "auth": "", "expected": 200}
    rates: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for s in servers:
            rates.setdefault((s.name, "create"), []).append(
                wrk(f"{s.url}/api/v1/namespaces/{NS}/pods", seconds, 32, create)["rps"])
            rates.setdefault((s.name, "get"), []).append(
                wrk(f"{s.url}{CM}/target", seconds, 32, get)["rps"])
    print(f"\n## Throughput: medians of {rounds} bursts of {seconds} s, taken in turn")
    print("| request | " + " | ".join(s.name for s in servers) + " | ratio |")
    print("|---|" + "---|" * (len(servers) + 1))
    for what in ("create", "get"):
        med = [statistics.median(rates[(s.name, what)]) for s in servers]
        print(f"| {what} (req/s) | " + " | ".join(f"{m:,.0f}" for m in med)
              + f" | {med[-1] / med[0]:.2f}x |")


def raw(url: str, payload: bytes, timeout: float = 60) -> str:
    """Send bytes on a socket; the status line of the answer, or what went wrong."""
    host, port = url.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            sock.sendall(payload)
            answer = sock.recv(200)
    except OSError as e:
        return type(e).__name__
    return answer.split(b"\r\n", 1)[0].decode(errors="replace") or "connection closed"


def request(method: str, path: str, body: bytes, ctype: str) -> Callable[[str], str]:
    def send(url: str) -> str:
        try:
            r = httpx.request(method, url + path, content=body, timeout=60,
                              headers={"Content-Type": ctype})
        except httpx.HTTPError as e:
            return type(e).__name__
        return f"{r.status_code} {r.json().get('reason', '') if r.content[:1] == b'{' else ''}"
    return send


def attacks() -> dict[str, Callable[[str], str]]:
    bomb = b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)}]\n".encode() for i in range(8))
    # each copy puts the whole data map inside itself: the object doubles per operation
    doubling = [{"op": "copy", "from": "/data", "path": f"/data/d{i}"} for i in range(40)]
    deep = b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"
    huge = (f"POST {CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {300 << 20}\r\n\r\n").encode() + b'{"a":"' + b"x" * (1 << 20)
    return {
        f"YAML alias bomb ({len(bomb)} bytes)": request(
            "POST", CM, bomb, "application/yaml"),
        f"JSON patch of doubling copies ({len(orjson.dumps(doubling)):,} bytes)": request(
            "PATCH", CM + "/target", orjson.dumps(doubling), "application/json-patch+json"),
        "YAML nested 10,000 levels": request("POST", CM, deep, "application/yaml"),
        "300 MB declared body (1 MiB sent)": lambda url: raw(url, huge),
    }


def attack_table(servers: list[Server]) -> None:
    print("\n## Attacks: answer, seconds, RSS growth, ready afterwards")
    print("| attack | " + " | ".join(s.name for s in servers) + " |")
    print("|---|" + "---|" * len(servers))
    for label, send in attacks().items():
        cells = []
        for s in servers:
            if not s.ready():
                s.stop()
                s.start()
            before = s.rss_mib()
            t0 = time.perf_counter()
            answer = send(s.url).strip()
            took = time.perf_counter() - t0
            grew = s.rss_mib() - before
            alive = "ready" if s.ready() else ("died" if not s.alive() else "NOT ready")
            grown = f"{grew:+,.0f} MiB" if grew == grew else "gone"
            cells.append(f"{answer}, {took:.2f} s, {grown}, {alive}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", default="65465c2", help="the commit to compare against")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--burst", type=int, default=3, help="seconds per wrk burst")
    ap.add_argument("--data-dir", default="/var/tmp/tugboat-bench-hardening")
    args = ap.parse_args()
    data = Path(args.data_dir)
    tree = Path(tempfile.mkdtemp(prefix="tugboat-before-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree),
                    args.before], check=True, capture_output=True)
    servers = [Server(f"before ({args.before})", tree, data / "before"),
               Server("after (this tree)", ROOT, data / "after")]
    try:
        for s in servers:
            s.start()
        print(f"# bench/hardening.py --before {args.before} --rounds {args.rounds} "
              f"--burst {args.burst}  ({time.strftime('%Y-%m-%d %H:%M')}, "
              f"{os.cpu_count()} CPUs, each server capped at {CAP >> 30} GiB)")
        bursts(servers, args.rounds, args.burst)
        attack_table(servers)
    finally:
        for s in servers:
            s.stop()
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
