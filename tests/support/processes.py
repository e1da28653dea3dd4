"""Start the real daemons as processes on free ports, and wait on conditions (never on
bare sleeps) for them to come up."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(cond: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class ApiServerProcess:
    """A real tug-apiserver on the loopback insecure port. With `address_space` (bytes) its
    allocations past that cap fail in the server — a 500 or an exit the test sees — where
    input that makes it grow would otherwise take the machine down."""

    def __init__(self, data_dir: Path, port: int | None = None, extra: list[str] | None = None,
                 address_space: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.extra = extra or []
        self.address_space = address_space
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "apiserver.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Path:
        return self.data_dir / "state.db"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.address_space:  # one malloc arena per thread would reserve 64 MB each
            env["MALLOC_ARENA_MAX"] = "2"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tugboat.apiserver", "--port", str(self.port),
             "--store", f"sqlite:///{self.db}", *self.extra],
            stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=self._cap)
        log.close()
        wait_until(self.ready, 30, f"apiserver on {self.url} (log {self.log_path})")

    def _cap(self) -> None:
        if self.address_space:
            resource.setrlimit(resource.RLIMIT_AS, (self.address_space, self.address_space))

    def memory(self, field: str = "VmRSS") -> int:
        """A /proc/<pid>/status memory figure in bytes: VmRSS now, VmHWM the peak."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} for the apiserver")

    def ready(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"apiserver exited: {self.log_path.read_text()[-2000:]}")
        return httpx.get(self.url + "/readyz", timeout=1).status_code == 200

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self) -> None:
        self.stop(signal.SIGKILL)
