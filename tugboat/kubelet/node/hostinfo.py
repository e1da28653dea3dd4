"""What the host has and how it is doing, read from /proc, /sys and /etc: capacity (CPUs,
memory, ephemeral storage), system info (OS image, kernel, machine and boot ids,
architecture), its primary IP, and the pressure signals behind the MemoryPressure,
DiskPressure and PIDPressure conditions (the kubelet's default eviction thresholds:
memory.available < 100Mi, nodefs.available < 10%, less than 10% of pids free)."""

from __future__ import annotations

import os
import platform
import socket
from dataclasses import dataclass
from pathlib import Path

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
         "s390x": "s390x", "i686": "386"}
MEMORY_EVICTION_BYTES = 100 * 1024 * 1024


def _read(path: str, default: str = "") -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return default


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes."""
    out = {}
    for line in _read("/proc/meminfo").splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return out


def os_image() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return platform.system()


def architecture() -> str:
    return _ARCH.get(platform.machine(), platform.machine())


@dataclass(frozen=True)
class HostInfo:
    cpus: int
    memory_bytes: int
    ephemeral_storage_bytes: int
    os_image: str
    kernel_version: str
    machine_id: str
    boot_id: str
    system_uuid: str
    architecture: str


def read_host_info(storage_path: str = "/") -> HostInfo:
    st = os.statvfs(storage_path if os.path.exists(storage_path) else "/")
    return HostInfo(
        cpus=os.cpu_count() or 1, memory_bytes=meminfo().get("MemTotal", 0),
        ephemeral_storage_bytes=st.f_blocks * st.f_frsize, os_image=os_image(),
        kernel_version=os.uname().release, machine_id=_read("/etc/machine-id"),
        boot_id=_read("/proc/sys/kernel/random/boot_id"),
        system_uuid=_read("/sys/class/dmi/id/product_uuid"), architecture=architecture())


@dataclass(frozen=True)
class Pressure:
    memory: bool
    disk: bool
    pids: bool


def read_pressure(storage_path: str = "/") -> Pressure:
    available = meminfo().get("MemAvailable", MEMORY_EVICTION_BYTES + 1)
    st = os.statvfs(storage_path if os.path.exists(storage_path) else "/")
    disk_free = st.f_bavail / st.f_blocks if st.f_blocks else 1.0
    pid_max = int(_read("/proc/sys/kernel/pid_max", "32768") or 32768)
    procs = sum(1 for p in os.listdir("/proc") if p.isdigit())
    return Pressure(memory=available < MEMORY_EVICTION_BYTES, disk=disk_free < 0.10,
                    pids=procs > pid_max * 0.9)


def detect_node_ip() -> str:
    """The address the host would use to reach the outside world, else 127.0.0.1. No
    packet is sent: connecting a UDP socket only picks the route."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


class CpuSampler:
    """Host CPU usage from /proc/stat: cumulative nanoseconds and the rate since the last
    sample (for the summary API's node cpu)."""

    def __init__(self) -> None:
        self._last: tuple[float, int] | None = None

    def sample(self, now: float) -> tuple[int, int]:
        fields = _read("/proc/stat").splitlines()[0].split()[1:]
        ticks = [int(f) for f in fields]
        busy = sum(ticks) - ticks[3] - (ticks[4] if len(ticks) > 4 else 0)
        nanos = busy * (1_000_000_000 // (os.sysconf("SC_CLK_TCK") or 100))
        rate = 0
        if self._last is not None and now > self._last[0]:
            rate = int((nanos - self._last[1]) / (now - self._last[0]))
        self._last = (now, nanos)
        return nanos, max(rate, 0)
