"""`tug attach` with a real container: input written to the attached stdin reaches the
container's own process (started with stdin), and its replies come back; a container that
did not ask for a terminal gets kubectl's warning instead of a raw terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.cluster import Api, pod_manifest

TUG = str(Path(sys.executable).parent / "tug")


def test_attach_talks_to_the_containers_own_process(api: Api, node: str, ns: str) -> None:
    pod = pod_manifest("echoer", node, "while read line; do echo got-$line; done",
                       stdin=True)
    api.create(ns, pod)
    api.wait_phase(ns, "echoer", "Running")
    proc = subprocess.Popen([TUG, "--server", api.url, "-n", ns, "attach", "echoer", "-i"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("hello\n")
    proc.stdin.flush()
    try:
        assert proc.stdout.readline() == "got-hello\n"
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_attach_with_t_to_a_container_without_a_terminal_warns(api: Api, node: str,
                                                                  ns: str) -> None:
    api.create(ns, pod_manifest("plain", node, "exec sleep 3600"))
    api.wait_phase(ns, "plain", "Running")
    proc = subprocess.Popen([TUG, "--server", api.url, "-n", ns, "attach", "plain", "-i", "-t"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    try:
        assert proc.stderr.readline() == \
            "Unable to use a TTY - container main did not allocate one\n"
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_attach_to_a_missing_pod_is_one_line(api: Api, ns: str) -> None:
    r = subprocess.run([TUG, "--server", api.url, "-n", ns, "attach", "nope"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
