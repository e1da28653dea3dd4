"""tug up's supervisor with real child processes (small `python -c` scripts): a daemon that
exits is reported with its name, exit code and last log lines and started again after a
backoff that doubles, caps and is forgotten after a stable run, while the others keep
running; at start, a daemon that keeps exiting gets a fixed number of tries; the line a
daemon prints when it cannot start is relayed with its flags spelt as tug up's."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.processes import wait_until
from tugboat.cli.up.supervisor import Daemon, DaemonFailed, RestartPolicy, Supervisor

SLEEPER = "import time; print('u' + 'p', flush=True); time.sleep(600)"
CRASHER = "import sys; print('starting'); print('tug-x: the disk is on fire'); sys.exit(3)"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def daemon(title: str, script: str, ready: Callable[[], bool] = lambda: True,
           **kw: object) -> Daemon:
    return Daemon(title, title.replace(" ", "-"), ["-c", script], ready, **kw)  # type: ignore[arg-type]


def printed(d: Daemon, line: str) -> bool:
    return d.log_path is not None and f"\n{line}\n" in d.log_path.read_text()


def wait_exit(d: Daemon) -> None:
    assert d.proc is not None
    d.proc.wait(30)


@pytest.fixture
def reports() -> list[str]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sup(tmp_path: Path, reports: list[str], clock: FakeClock) -> Iterator[Supervisor]:
    s = Supervisor(tmp_path / "logs", RestartPolicy(initial=1, factor=2, cap=8, stable_after=60,
                                                    start_tries=3),
                   report=reports.append, clock=clock)
    try:
        yield s
    finally:
        s.stop_all(grace=5, report=lambda _: None)


def test_the_backoff_doubles_up_to_its_cap() -> None:
    policy = RestartPolicy(initial=1, factor=2, cap=30)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_an_exited_daemon_is_reported_and_restarted_while_the_others_keep_running(
        sup: Supervisor, reports: list[str], clock: FakeClock) -> None:
    steady, crashing = daemon("steady", SLEEPER), daemon("crasher", CRASHER)
    sup.start(steady)
    sup.start(crashing)
    steady_pid = steady.proc.pid  # type: ignore[union-attr]
    wait_exit(crashing)
    clock.now += 5
    sup.tend()
    assert reports == [
        f"the crasher exited with code 3 after 5s; the last lines of {crashing.log_path}: "
        "starting | tug-x: the disk is on fire",
        "restarting the crasher in 1s (restart 1)"]
    first = crashing.proc
    sup.tend()  # the backoff has not passed: not started yet
    assert crashing.proc is first
    clock.now += 1
    sup.tend()
    assert crashing.proc is not first and crashing.restarts == 1
    assert steady.returncode is None and steady.proc.pid == steady_pid  # type: ignore[union-attr]
    # each run appends to the same log, marked
    assert crashing.log_path is not None
    assert crashing.log_path.read_text().count("--- tug up: starting -c") == 2


def test_failures_in_a_row_double_the_delay_and_a_stable_run_forgets_them(
        sup: Supervisor, reports: list[str], clock: FakeClock) -> None:
    crashing = daemon("crasher", CRASHER)
    sup.start(crashing)
    delays = []
    for _ in range(5):
        wait_exit(crashing)
        sup.tend()
        assert crashing.restart_at is not None
        delays.append(crashing.restart_at - clock.now)
        clock.now = crashing.restart_at
        sup.tend()  # restarted
    assert delays == [1, 2, 4, 8, 8]
    # now it runs for longer than stable_after, then dies: the next delay starts over
    wait_exit(crashing)
    crashing.started_at = clock.now - 61
    sup.tend()
    assert crashing.restart_at == clock.now + 1
    assert reports[-1] == "restarting the crasher in 1s (restart 6)"


def test_a_daemon_killed_with_a_signal_is_named_so(sup: Supervisor, reports: list[str],
                                                   clock: FakeClock) -> None:
    d = daemon("scheduler", SLEEPER)
    sup.start(d)
    assert d.proc is not None
    wait_until(lambda: printed(d, "up"), 15, "the daemon to start")
    os.kill(d.proc.pid, signal.SIGKILL)
    wait_exit(d)
    sup.tend()
    assert reports[0].startswith("the scheduler was killed by SIGKILL after 0s; "
                                 f"the last lines of {d.log_path}: up")


def test_at_start_a_daemon_that_keeps_exiting_gets_a_few_tries(tmp_path: Path) -> None:
    reports: list[str] = []
    sup = Supervisor(tmp_path / "logs", RestartPolicy(initial=0.05, start_tries=3),
                     report=reports.append)
    d = daemon("scheduler",
               "import sys; sys.exit('tug-scheduler: port 10259 is already in use on "
               "127.0.0.1; stop what uses it or pick another port with --port')",
               ready=lambda: False, flags={"--port": "--scheduler-port"})
    sup.start(d)
    with pytest.raises(DaemonFailed) as failed:
        sup.wait_ready(d, lambda: False)
    assert str(failed.value) == (
        "the scheduler exited with code 1 at each of 3 tries to start it; giving up: "
        "tug-scheduler: port 10259 is already in use on 127.0.0.1; stop what uses it or pick "
        f"another port with --scheduler-port (its log: {d.log_path})")
    assert [r for r in reports if r.startswith("restarting")] == [
        "restarting the scheduler in 0s (restart 1)", "restarting the scheduler in 0s (restart 2)"]


def test_at_start_a_daemon_that_fails_once_is_ready_on_its_second_try(tmp_path: Path) -> None:
    marker = tmp_path / "second-try"
    script = (f"import pathlib, sys, time; m = pathlib.Path({str(marker)!r})\n"
              "if not m.exists(): m.touch(); sys.exit(2)\n"
              "print('serv' + 'ing', flush=True); time.sleep(600)")
    sup = Supervisor(tmp_path / "logs", RestartPolicy(initial=0.05), report=lambda _: None)
    d = daemon("controller manager", script,
               ready=lambda: printed(d, "serving"))
    sup.start(d)
    try:
        sup.wait_ready(d, lambda: False)
        assert d.returncode is None and d.restarts == 1
    finally:
        sup.stop_all(grace=5, report=lambda _: None)


def test_while_one_starts_the_others_are_supervised(tmp_path: Path) -> None:
    reports: list[str] = []
    sup = Supervisor(tmp_path / "logs", RestartPolicy(initial=0.05), report=reports.append)
    first = daemon("API server", CRASHER)
    second = daemon("kubelet", SLEEPER, ready=lambda: first.restarts >= 1)
    sup.start(first)
    wait_exit(first)
    sup.start(second)
    started = time.monotonic()
    try:
        sup.wait_ready(second, lambda: time.monotonic() - started > 20)
        assert first.restarts >= 1
        assert reports[0].startswith("the API server exited with code 3")
    finally:
        sup.stop_all(grace=5, report=lambda _: None)


def test_stop_all_stops_the_last_started_first(sup: Supervisor) -> None:
    stopped: list[str] = []
    for title in ("API server", "scheduler", "kubelet"):
        sup.start(daemon(title, SLEEPER))
    procs = [d.proc for d in sup.daemons]
    sup.stop_all(grace=5, report=stopped.append)
    assert stopped == ["stopping the kubelet ...", "stopping the scheduler ...",
                       "stopping the API server ..."]
    assert all(p is not None and p.returncode == -signal.SIGTERM for p in procs)


def test_a_daemon_that_stops_answering_its_liveness_check_is_restarted(
        sup: Supervisor, reports: list[str], clock: FakeClock) -> None:
    answering = [True]
    d = daemon("API server", SLEEPER, ready_timeout=30, alive=lambda: answering[0],
               alive_what="/livez")
    sup.start(d)
    first = d.proc
    for _ in range(3):  # it answers: nothing happens
        clock.now += 10
        sup.tend()
    answering[0] = False
    for _ in range(2):  # two failures are tolerated
        clock.now += 10
        sup.tend()
    assert reports == [] and d.proc is first and d.returncode is None
    clock.now += 10
    sup.tend()
    assert reports[0] == "the API server failed /livez 3 times in a row; stopping it"
    assert reports[1].startswith("the API server was killed by SIGTERM after 60s")
    assert reports[2] == "restarting the API server in 1s (restart 1)"
    clock.now += 1
    sup.tend()
    assert d.proc is not first and d.returncode is None


def test_a_starting_daemon_is_given_its_ready_timeout_before_liveness_counts(
        sup: Supervisor, reports: list[str], clock: FakeClock) -> None:
    d = daemon("scheduler", SLEEPER, ready_timeout=60, alive=lambda: False)
    sup.start(d)
    for _ in range(5):  # 50s, never answered yet: still starting
        clock.now += 10
        sup.tend()
    assert reports == [] and d.check_failures == 0
    for _ in range(3):
        clock.now += 10
        sup.tend()
    assert reports[0] == "the scheduler failed its liveness check 3 times in a row; stopping it"


def test_log_lines_are_reported_as_level_and_message(sup: Supervisor, reports: list[str],
                                                      clock: FakeClock) -> None:
    d = daemon("scheduler", "import sys; print('ts=2026-12-07 03:51:27,398 level=ERROR "
                            "component=scheduler logger=tugboat.scheduler.app msg=lost the "
                            "lease'); print('x' * 400); sys.exit(1)")
    sup.start(d)
    wait_exit(d)
    sup.tend()
    assert reports[0] == (f"the scheduler exited with code 1 after 0s; the last lines of "
                          f"{d.log_path}: ERROR lost the lease | {'x' * 297}...")
