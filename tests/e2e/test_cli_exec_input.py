"""`tug exec -it` keeps what the user typed before the remote shell was up: the line goes
into tug's terminal (a real pseudo-terminal here) before tug has even started, and the
shell in a real container still runs it. Switching the terminal to raw mode used to flush
that pending input (tty.setraw's TCSAFLUSH)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.cluster import Api, pod_manifest

TUG = str(Path(sys.executable).parent / "tug")


def _run_in_terminal(argv: list[str], typed: bytes, timeout: float = 60) -> tuple[int, bytes]:
    """Run `argv` on a fresh pseudo-terminal with `typed` already waiting in its input;
    its exit status and everything it wrote (killed, with what it wrote, at the deadline)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    os.write(master, typed)  # typed before tug has even started
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not chunk:
                break
            out += chunk
        else:
            proc.kill()
            raise AssertionError(f"tug still running after {timeout}s; it wrote {out!r}")
        return proc.wait(timeout=10), out
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_input_typed_before_the_shell_starts_reaches_it(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("shell", node, "exec sleep 3600"))
    api.wait_phase(ns, "shell", "Running")
    # The arithmetic tells the shell's answer (hello-42) from the echo of the typed line.
    code, out = _run_in_terminal(
        [TUG, "--server", api.url, "-n", ns, "exec", "-it", "shell", "--", "sh"],
        b"echo hello-$((40+2)); exit 7\n")
    assert b"hello-42" in out, out
    assert code == 7, out


def test_piped_input_without_a_terminal(api: Api, node: str, ns: str) -> None:
    """-t without a terminal falls back to plain stdin, as kubectl does, saying so."""
    api.create(ns, pod_manifest("piped", node, "exec sleep 3600"))
    api.wait_phase(ns, "piped", "Running")
    r = subprocess.run([TUG, "--server", api.url, "-n", ns, "exec", "-it", "piped", "--",
                        "sh"], input="echo hello-$((40+2))\n", capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello-42\n"
    assert "Unable to use a TTY" in r.stderr
