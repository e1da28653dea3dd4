"""The daemons of `tug up` as child processes: started in their own session (a Ctrl-C in
the terminal reaches only `tug up`, which then stops them in order) with logs in files,
watched while they run, and stopped cleanly — SIGTERM, a grace period, then SIGKILL for
stragglers. If `tug up` itself is killed, the kernel sends each child SIGTERM
(PR_SET_PDEATHSIG), so no daemon outlives it."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass
class Daemon:
    title: str  # "API server"
    name: str  # "apiserver": the log file's name
    argv: list[str]
    ready: Callable[[], bool]
    ready_timeout: float = 60.0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_path: Path | None = None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def log_tail(self, lines: int = 3) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(line.strip() for line in text[-lines:])


class DaemonFailed(Exception):
    def __init__(self, daemon: Daemon, why: str):
        tail = daemon.log_tail()
        super().__init__(f"the {daemon.title} {why}; see {daemon.log_path}"
                         + (f" ({tail})" if tail else ""))
        self.daemon = daemon


class Supervisor:
    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.daemons: list[Daemon] = []

    def start(self, daemon: Daemon) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        daemon.log_path = self.log_dir / f"{daemon.name}.log"
        with open(daemon.log_path, "ab") as log:
            log.write(f"--- tug up: starting {' '.join(daemon.argv)}\n".encode())
            log.flush()
            daemon.proc = subprocess.Popen(
                [sys.executable, *daemon.argv], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.daemons.append(daemon)

    def wait_ready(self, daemon: Daemon, stopping: Callable[[], bool]) -> None:
        deadline = time.monotonic() + daemon.ready_timeout
        while time.monotonic() < deadline and not stopping():
            if daemon.proc is not None and daemon.proc.poll() is not None:
                raise DaemonFailed(daemon, f"exited with code {daemon.proc.returncode}")
            try:
                if daemon.ready():
                    return
            except Exception:  # not answering yet
                pass
            time.sleep(0.2)
        if not stopping():
            raise DaemonFailed(daemon, f"was not ready after {daemon.ready_timeout:.0f}s")

    def exited(self) -> Daemon | None:
        """A daemon that died on its own, if any."""
        return next((d for d in self.daemons if d.proc is not None and d.proc.poll() is not None),
                    None)

    def stop_all(self, grace: float = 10.0, report: Callable[[str], None] = print) -> None:
        """Last started, first stopped: the kubelet before the API server it reports to."""
        for daemon in reversed(self.daemons):
            proc = daemon.proc
            if proc is None or proc.poll() is not None:
                continue
            report(f"stopping the {daemon.title} ...")
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                report(f"the {daemon.title} did not stop in {grace:.0f}s; killing it")
                proc.kill()
                proc.wait()
        self.daemons.clear()
