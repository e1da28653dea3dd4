"""`tug down` finds the `tug up` of a data folder through its lock (a real child process
holding it), stops it with SIGTERM and returns once it has let go; with none running it
says so; one that does not stop in time is named with what to do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tugboat.cli.commands.down import stop_tug_up
from tugboat.cli.errors import CliError
from tugboat.cli.up.preflight import DataDirLock

HOLDER = """
import signal, sys, time
from pathlib import Path
from tugboat.cli.up.preflight import DataDirLock
lock = DataDirLock(Path(sys.argv[1]))
lock.acquire()
if sys.argv[2] == "stops":
    signal.signal(signal.SIGTERM, lambda *_: (lock.release(), sys.exit(0)))
else:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("locked", flush=True)
time.sleep(600)
"""


def hold(data: Path, how: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data), how],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_it_stops_the_tug_up_holding_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                procs: list[subprocess.Popen[str]]) -> None:
    up = hold(tmp_path, "stops")
    procs.append(up)
    stop_tug_up(tmp_path, timeout=30)
    assert capsys.readouterr().out == f"stopping tug up (pid {up.pid}) ... stopped\n"
    assert up.wait(10) == 0
    assert DataDirLock(tmp_path).holder() is None


def test_with_none_running_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stop_tug_up(tmp_path, timeout=1)
    assert capsys.readouterr().out == f"no tug up is running on {tmp_path}\n"


def test_one_that_does_not_stop_is_named(tmp_path: Path, procs: list[subprocess.Popen[str]]
                                        ) -> None:
    up = hold(tmp_path, "ignores SIGTERM")
    procs.append(up)
    with pytest.raises(CliError, match=rf"tug up \(pid {up.pid}\) did not stop within 1s; "
                                       rf"see the logs in .*, or kill {up.pid}"):
        stop_tug_up(tmp_path, timeout=1)
