"""bench/services.py's proxy half: 100 Services × 10 endpoints written through the API,
single endpoints flipped, added and removed, and each change timed to its iptables rule in
a network namespace where a real tug-proxy runs (see bench/services.py)."""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.servicescommon import (  # noqa: E402
    DNAT,
    NAMESPACE,
    NODE,
    ROOT,
    SCRIPT,
    TARGET_PORT,
    TRIGGER_TIME,
    cpu_seconds,
    ms,
    pct,
    stop,
)
from tests.support.processes import ApiServerProcess, free_port, wait_until  # noqa: E402
from tugboat.proxy.chains import chain_for_endpoint, service_chain  # noqa: E402


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
        full_before = histogram(metrics_url, "sync_full_proxy_rules_duration_seconds")
        partial_before = histogram(metrics_url, "sync_partial_proxy_rules_duration_seconds")
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
            full_syncs=hist_delta(histogram(metrics_url,
                                            "sync_full_proxy_rules_duration_seconds"),
                                  full_before),
            partial_syncs=hist_delta(histogram(metrics_url,
                                               "sync_partial_proxy_rules_duration_seconds"),
                                     partial_before),
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
        cmd = ["ip", "netns", "exec", ns, sys.executable, str(SCRIPT),
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
        print(f"  proxy's sync_proxy_rules_duration (every sync): "
              f"n={syncs['count']:.0f}, p50 ~{ms(syncs['p50'])}, p99 ~{ms(syncs['p99'])}, "
              f"mean {ms(syncs['mean'])}")
    for kind, what in (("full", "read back, every chain rewritten"),
                       ("partial", "only the changed chains")):
        h = r.get(f"{kind}_syncs") or {}
        if h.get("count"):
            print(f"    {kind} ({what}): n={h['count']:.0f}, p50 ~{ms(h['p50'])}, "
                  f"p99 ~{ms(h['p99'])}, mean {ms(h['mean'])}")
    cold = r["cold_syncs"]
    print(f"  cold start → all {a.services * a.endpoints} endpoints in place: "
          f"{r['cold_start_s']:.2f} s; first sync(s) n={cold.get('count', 0):.0f}, "
          f"mean {ms(cold.get('mean'))}")
    print(f"  one whole-ruleset iptables-restore alone (the kernel's and the tool's floor): "
          f"{ms(r['restore_floor_s'])}")
    print(f"  proxy CPU over the run: {r['proxy_cpu_s']:.1f} s")
