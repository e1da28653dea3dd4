"""Pod start-up benchmark (issue 4, the kubelet). Prints, in one run on one machine:

- create → Running latency p50/p99 for a burst of 20 and of 50 busybox pods posted at
  once to a real apiserver, run by a real tug-kubelet on Docker (pods carry nodeName, so
  no scheduler is involved; Running is observed through a watch);
- the time until all of them are Running, beside the same number of bare
  `docker run -d` (a pause container plus the app joined to its network, as a pod
  needs) — run one after another, and all at once — and a Docker Swarm service with that
  many replicas (`docker swarm init` here, `docker swarm leave --force` after);
- the floor under any orchestrator on Docker: the same pause+app pairs made through the
  Docker API directly, all at once, with the seccomp setting the kubelet's pods get (no
  CLI processes, no apiserver, no status) — what Tugboat would take with zero overhead;
- the ratios the issue targets: Tugboat / bare Docker ≤ 1.3 and Tugboat / Swarm ≤ 0.5.

`--init-configmap` measures instead what issue 14 targets: a pod with one init container
(busybox `true`) and a configMap volume reaches Running within 1.2× a plain pod's time.
Both kinds run side by side on one kubelet, interleaved (the order flips each round), one
pod at a time (the ratio of the median create→Running) and in bursts; Docker's event
stream times each pod's containers, so the report says where the extra time goes.

Pods carry no seccompProfile, so the kubelet runs them Unconfined as Kubernetes' does by
default; `--seccomp-default` starts the kubelet with that flag (RuntimeDefault, the filter
bare `docker run` and Swarm apply) to show how much of the gap is that default.

Usage: .venv/bin/python bench/startup.py [--bursts 20,50] [--data-dir DIR] [--no-swarm]
                                        [--seccomp-default]
       .venv/bin/python bench/startup.py --init-configmap [--rounds 10] [--bursts 20]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.startupinit import init_configmap_main  # noqa: E402
from bench.startuppods import (  # noqa: E402
    bare_docker,
    cpu_seconds,
    docker,
    docker_api_floor,
    pct,
    swarm_service,
    tugboat_burst,
)
from tests.e2e.cluster import KubeletProcess, remove_node_containers  # noqa: E402
from tests.support.processes import ApiServerProcess, wait_until  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bursts", default=None,
                   help="burst sizes (default 20,50; with --init-configmap 20, 0 for none)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--no-swarm", action="store_true")
    p.add_argument("--seccomp-default", action="store_true",
                   help="run the kubelet with --seccomp-default (RuntimeDefault for pods)")
    p.add_argument("--init-configmap", action="store_true",
                   help="issue 14: an init container and a configMap volume vs a plain pod")
    p.add_argument("--rounds", type=int, default=10,
                   help="--init-configmap: pods of each kind started one at a time")
    p.add_argument("--burst-rounds", type=int, default=2,
                   help="--init-configmap: bursts of each kind per burst size")
    args = p.parse_args()
    if args.init_configmap:
        init_configmap_main(args)
        return
    bursts = [int(b) for b in (args.bursts or "20,50").split(",")]
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="tugboat-startup-"))
    api = ApiServerProcess(data / "apiserver")
    api.start()
    node = f"bench-{secrets.token_hex(3)}"
    kubelet = KubeletProcess(api.url, node, data / node,
                             extra=["--seccomp-default"] if args.seccomp_default else None)
    kubelet.start()
    wait_until(lambda: httpx.get(f"{api.url}/api/v1/nodes/{node}").status_code == 200, 20,
               "node registered")
    swarm = not args.no_swarm and docker("info", "--format",
                                         "{{.Swarm.LocalNodeState}}") == "inactive"
    if swarm:
        docker("swarm", "init", "--advertise-addr", "127.0.0.1")
    rows = []
    try:
        tugboat_burst(api.url, node, 5)  # warm-up: first-use costs are not what we measure
        for n in bursts:
            pids = [p.proc.pid for p in (api, kubelet) if p.proc]
            cpu0 = [cpu_seconds(pid) for pid in pids]
            latencies, total = tugboat_burst(api.url, node, n)
            cpu = [cpu_seconds(pid) - c for pid, c in zip(pids, cpu0, strict=True)]
            print(f"burst of {n}: apiserver {cpu[0]:.1f} CPU-s, kubelet {cpu[1]:.1f} CPU-s "
                  f"(create, run and delete)", flush=True)
            sequential, parallel = bare_docker(n, False), bare_docker(n, True)
            floor = docker_api_floor(n, unconfined=not args.seccomp_default)
            swarm_s = swarm_service(n) if swarm else float("nan")
            rows.append((n, latencies, total, sequential, parallel, floor, swarm_s))
    finally:
        if swarm:
            docker("swarm", "leave", "--force", check=False)
        kubelet.stop()
        api.stop()
        remove_node_containers(node)
        if not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)
    report(rows, "RuntimeDefault" if args.seccomp_default else "Unconfined")


def report(rows: list, seccomp: str) -> None:  # noqa: ANN001
    info = docker("version", "--format", "{{.Server.Version}}")
    print(f"pod start-up: Tugboat kubelet (pods' seccomp {seccomp}) vs bare docker run vs "
          f"Docker Swarm ({os.cpu_count()} CPUs, Docker {info})")
    print(f"{'pods':>5} {'p50':>7} {'p99':>7} {'all Running':>12} {'docker seq':>11} "
          f"{'docker par':>11} {'API floor':>10} {'swarm':>8} {'/docker seq':>12} "
          f"{'/docker par':>12} {'/floor':>7} {'/swarm':>7} {'floor/swarm':>12}")
    for n, lat, total, seq, par, floor, sw in rows:
        print(f"{n:>5} {pct(lat, 50):>6.2f}s {pct(lat, 99):>6.2f}s {total:>11.2f}s "
              f"{seq:>10.2f}s {par:>10.2f}s {floor:>9.2f}s {sw:>7.2f}s {total / seq:>12.2f} "
              f"{total / par:>12.2f} {total / floor:>7.2f} {total / sw:>7.2f} "
              f"{floor / sw:>12.2f}")
        print(f"      (mean create→Running {statistics.mean(lat):.2f}s)")


if __name__ == "__main__":
    main()
