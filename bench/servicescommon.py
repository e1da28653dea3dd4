"""What bench/services.py's proxy and DNS halves share: the test bed's names and
addresses, percentiles, a process's CPU time, stopping a process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

from tugboat.api.discovery import LAST_CHANGE_TRIGGER_TIME as TRIGGER_TIME  # noqa: F401

NAMESPACE = "bench-svc"
NODE = "bench-node"
TARGET_PORT = 8080
DOMAIN = "cluster.local"
DOCKER_BRIDGE = "172.17.0.1"
IMAGE = "busybox:1.35"
UPSTREAM = "127.0.0.77"  # the fake upstream the forwarding path is measured against
DNAT = re.compile(r"-j DNAT --to-destination (\S+)")
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "services.py"  # re-run in a namespace for its inner parts


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


def ms(s: float | None) -> str:
    return "—" if s is None or s != s else f"{s * 1000:.1f} ms"
