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
import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servicesdns import dns_phase, echo_inner, load_inner, report_dns  # noqa: E402
from bench.servicesproxy import proxy_inner, report_proxy, run_proxy_phase  # noqa: E402


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
