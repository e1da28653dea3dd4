"""Each daemon binds its own ports (tug up no longer checks them first, which raced with the
bind): a port that is taken ends the daemon at once with a non-zero exit and one line that
names the port and the flag that changes it — no traceback — which tug up relays."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

UNREACHABLE = "http://127.0.0.1:1"  # never reached: the daemons fail before they connect


@pytest.fixture
def busy() -> Iterator[int]:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 0))
        s.listen()
        yield s.getsockname()[1]


def run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, timeout=60)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_the_api_server_names_the_secure_or_insecure_port(busy: int, tmp_path: Path) -> None:
    line = one_line(run("tugboat.apiserver", "--store", f"sqlite:///{tmp_path / 'db'}",
                        "--host", "127.0.0.1", "--port", str(busy)))
    assert line == (f"tug-apiserver: port {busy} is already in use on 127.0.0.1; stop what "
                    f"uses it or pick another port with --insecure-port")


def test_the_scheduler_names_its_port(busy: int) -> None:
    line = one_line(run("tugboat.scheduler", "--server", UNREACHABLE, "--bind-address",
                        "127.0.0.1", "--port", str(busy)))
    assert line == (f"tug-scheduler: port {busy} is already in use on 127.0.0.1; stop what "
                    f"uses it or pick another port with --port")


def test_the_controller_manager_names_its_port(busy: int) -> None:
    line = one_line(run("tugboat.controller", "--server", UNREACHABLE, "--bind-address",
                        "127.0.0.1", "--port", str(busy)))
    assert line == (f"tug-controller-manager: port {busy} is already in use on 127.0.0.1; "
                    f"stop what uses it or pick another port with --port")


def test_the_kubelet_names_its_port(busy: int, tmp_path: Path) -> None:
    line = one_line(run("tugboat.kubelet", "--server", UNREACHABLE, "--node-name", "ports",
                        "--port", str(busy), "--healthz-port", "0",
                        "--root-dir", str(tmp_path / "kubelet")))
    assert line == (f"tug-kubelet: port {busy} is already in use on 0.0.0.0; stop what uses "
                    f"it or pick another port with --port")
