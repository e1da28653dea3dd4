"""The daemons of `tug up` as supervised child processes, as the kubelet treats a static
pod's containers: each is started in its own session (a Ctrl-C in the terminal reaches
only `tug up`, which then stops them in order) with its log in a file; one that exits is
reported (its name, exit code and the last lines of its log) and started again after an
exponential backoff (CrashLoopBackOff: doubled per failure, capped, forgotten after a
stable run) while the others keep running. While `tug up` is still starting, a daemon
that keeps exiting gets a few tries, then `tug up` gives up and says how many it took.
A daemon that runs but stops answering its liveness check (the API server's /livez fails
when its watch cache cannot recover) is stopped and restarted likewise, as a kubelet's
liveness probe restarts a container. Stopping is SIGTERM, a grace period, then SIGKILL for
stragglers. If `tug up` itself is
killed, the kernel sends each child SIGTERM (PR_SET_PDEATHSIG), so no daemon outlives it."""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1
START_MARK = "--- tug up: starting "


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True)
class RestartPolicy:
    """When to start a daemon again. The kubelet's container backoff starts at 10s and caps
    at 5m; a control-plane daemon is worth retrying sooner, and `tug up` is interactive."""

    initial: float = 1.0  # the first restart's delay
    factor: float = 2.0
    cap: float = 30.0  # the longest delay
    stable_after: float = 60.0  # a run this long forgets earlier failures
    start_tries: int = 3  # tries while `tug up` starts, before it gives up
    liveness_period: float = 10.0  # kubeadm's static pods: periodSeconds 10
    liveness_failures: int = 3  # failed checks in a row that restart a daemon
    stop_grace: float = 10.0

    def delay(self, failures: int) -> float:
        """The delay before the next start, after `failures` failed runs in a row (≥ 1)."""
        return min(self.cap, self.initial * self.factor ** max(0, failures - 1))


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class Daemon:
    title: str  # "API server"
    name: str  # "apiserver": the log file's name
    argv: list[str]
    ready: Callable[[], bool]
    ready_timeout: float = 60.0
    alive: Callable[[], bool] | None = None  # its liveness check (e.g. GET /livez)
    alive_what: str = "its liveness check"
    # The daemon's own flags as `tug up` spells them ("--port" → "--scheduler-port"), so a
    # line the daemon prints ("pick another port with --port") tells the user what to type.
    flags: dict[str, str] = field(default_factory=dict)
    # Done once before its first start (e.g. publishing the kube-dns Service it serves)
    prepare: Callable[[], None] | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_path: Path | None = None
    started_at: float = 0.0
    failures: int = 0  # failed runs in a row
    restarts: int = 0
    restart_at: float | None = None  # waiting out a backoff until then
    next_check: float = 0.0
    check_failures: int = 0
    answered: bool = False  # its liveness check passed once since it started

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def log_tail(self, lines: int = 3) -> str:
        """The last lines this run wrote, joined, with the daemon's flags spelt as `tug up`
        spells them."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        run = text[text.rfind(START_MARK):] if START_MARK in text else text
        kept = [_short(line) for line in run.splitlines()[1:] if line.strip()][-lines:]
        return self.spelt_for_tug_up(" | ".join(kept))

    def spelt_for_tug_up(self, text: str) -> str:
        for own, ours in self.flags.items():
            text = re.sub(rf"(?<![\w-]){re.escape(own)}(?![\w-])", ours, text)
        return text


LOGFMT = re.compile(r"^ts=.*? level=(?P<level>\S+) .*?\bmsg=(?P<msg>.*)$")


def _short(line: str, limit: int = 300) -> str:
    """A daemon's log line as a person reads it in a report: `LEVEL message` for the
    daemons' logfmt lines (the time and logger are in the log file), cut to `limit`."""
    line = line.strip()
    match = LOGFMT.match(line)
    if match:
        line = f"{match['level']} {match['msg']}"
    return line if len(line) <= limit else line[:limit - 3] + "..."


class DaemonFailed(Exception):
    def __init__(self, daemon: Daemon, why: str):
        last = daemon.log_tail(1)  # a daemon that cannot start says why in one line
        super().__init__(f"the {daemon.title} {why}" + (f": {last}" if last else "")
                         + f" (its log: {daemon.log_path})")
        self.daemon = daemon


class Supervisor:
    def __init__(self, log_dir: Path, policy: RestartPolicy | None = None,
                 report: Callable[[str], None] = print,
                 clock: Callable[[], float] = time.monotonic):
        self.log_dir = log_dir
        self.policy = policy or RestartPolicy()
        self.report = report
        self.clock = clock
        self.daemons: list[Daemon] = []

    def start(self, daemon: Daemon) -> None:
        """Start a daemon and supervise it from now on."""
        self._spawn(daemon)
        self.daemons.append(daemon)

    def _spawn(self, daemon: Daemon) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        daemon.log_path = self.log_dir / f"{daemon.name}.log"
        with open(daemon.log_path, "ab") as log:
            log.write(f"{START_MARK}{' '.join(daemon.argv)}\n".encode())
            log.flush()
            daemon.proc = subprocess.Popen(
                [sys.executable, *daemon.argv], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        daemon.started_at = self.clock()
        daemon.restart_at = None
        daemon.next_check = daemon.started_at + self.policy.liveness_period
        daemon.check_failures, daemon.answered = 0, False

    def wait_ready(self, daemon: Daemon, stopping: Callable[[], bool]) -> None:
        """Wait until the daemon is ready; one that exits first is started again, up to
        the policy's start_tries, then DaemonFailed says how many tries it had."""
        deadline = self.clock() + daemon.ready_timeout
        tries = 1
        while self.clock() < deadline and not stopping():
            code = daemon.returncode
            if code is not None:
                if tries >= self.policy.start_tries:
                    raise DaemonFailed(daemon, f"{describe_exit(code)} at each of "
                                               f"{tries} tries to start it; giving up")
                self._exited(daemon, code, tries)
                if not self._sleep(self.policy.delay(tries), stopping):
                    return
                tries += 1
                daemon.restarts += 1
                self._spawn(daemon)
                deadline = self.clock() + daemon.ready_timeout
                continue
            try:
                if daemon.ready():
                    return
            except Exception:  # not answering yet
                pass
            self.tend(skip=daemon)  # those already started are supervised meanwhile
            self._sleep(0.2, stopping)
        if not stopping():
            raise DaemonFailed(daemon, f"was not ready after {daemon.ready_timeout:.0f}s")

    def _sleep(self, seconds: float, stopping: Callable[[], bool]) -> bool:
        """Sleep, waking early to stop; False when stopping."""
        end = self.clock() + seconds
        while not stopping():
            left = end - self.clock()
            if left <= 0:
                return True
            time.sleep(min(left, 0.1))
        return False

    def _exited(self, daemon: Daemon, code: int, failures: int) -> float:
        ran = self.clock() - daemon.started_at
        delay = self.policy.delay(failures)
        tail = daemon.log_tail()
        self.report(f"the {daemon.title} {describe_exit(code)} after {ran:.0f}s"
                    + (f"; the last lines of {daemon.log_path}: {tail}" if tail else ""))
        self.report(f"restarting the {daemon.title} in {delay:.0f}s "
                    f"(restart {daemon.restarts + 1})")
        return delay

    def tend(self, skip: Daemon | None = None) -> None:
        """Called now and then: report daemons that exited, and start those whose backoff
        has passed (all but `skip`, the one wait_ready is watching)."""
        now = self.clock()
        for daemon in self.daemons:
            if daemon is skip:
                continue
            if daemon.restart_at is not None:
                if now >= daemon.restart_at:
                    daemon.restarts += 1
                    self._spawn(daemon)
                continue
            code = daemon.returncode
            if code is None and self._unresponsive(daemon, now):
                code = self._stop(daemon, self.policy.stop_grace)
            if code is None:
                continue
            if now - daemon.started_at >= self.policy.stable_after:
                daemon.failures = 0
            daemon.failures += 1
            daemon.restart_at = now + self._exited(daemon, code, daemon.failures)

    def _unresponsive(self, daemon: Daemon, now: float) -> bool:
        """Check the daemon's liveness when due; True once it failed enough checks in a
        row. A daemon still starting (never answered, within its ready timeout) is given
        time, as a startup probe would."""
        if daemon.alive is None or now < daemon.next_check:
            return False
        daemon.next_check = now + self.policy.liveness_period
        try:
            ok = daemon.alive()
        except Exception:
            ok = False
        if ok:
            daemon.check_failures, daemon.answered = 0, True
            return False
        if not daemon.answered and now - daemon.started_at < daemon.ready_timeout:
            return False
        daemon.check_failures += 1
        if daemon.check_failures < self.policy.liveness_failures:
            return False
        self.report(f"the {daemon.title} failed {daemon.alive_what} "
                    f"{daemon.check_failures} times in a row; stopping it")
        return True

    def _stop(self, daemon: Daemon, grace: float,
              report: Callable[[str], None] | None = None) -> int:
        """SIGTERM, then SIGKILL after `grace`; the exit code."""
        proc = daemon.proc
        assert proc is not None
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(grace)
        except subprocess.TimeoutExpired:
            (report or self.report)(f"the {daemon.title} did not stop in {grace:.0f}s; "
                                    f"killing it")
            proc.kill()
            return proc.wait()

    def stop_all(self, grace: float = 10.0, report: Callable[[str], None] | None = None
                 ) -> None:
        """Last started, first stopped: the kubelet before the API server it reports to."""
        report = report or self.report
        for daemon in reversed(self.daemons):
            proc = daemon.proc
            if proc is None or proc.poll() is not None:
                continue
            report(f"stopping the {daemon.title} ...")
            self._stop(daemon, grace, report)
        self.daemons.clear()
