"""`tug debug` with real containers: an ephemeral container that sees its target's
processes and talks over stdin, the same with a terminal (and input typed before it is
up), a copy of the pod with a debug container or another image, a pod on the node in
its host namespaces, and kubectl's refusals."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cluster import Api, pod_manifest, restarts

TUG = str(Path(sys.executable).parent / "tug")
BUSYBOX = ["--image=busybox:1.35", "--image-pull-policy=IfNotPresent"]
Obj = dict[str, Any]


def tug(api: Api, ns: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TUG, "--server", api.url, "-n", ns, *args], capture_output=True,
                          text=True, timeout=90, **kw)


def _read_until(proc: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if wanted in line:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout):
        proc.kill()
        raise AssertionError(f"no {wanted!r} from tug: {lines}")
    assert any(wanted in line for line in lines), lines
    return lines


def _ephemeral_status(pod: Obj, name: str) -> Obj | None:
    return next((s for s in pod["status"].get("ephemeralContainerStatuses") or []
                 if s["name"] == name), None)


@pytest.fixture
def app(api: Api, node: str, ns: str) -> str:
    pod = pod_manifest("app", node, "exec sleep 3601")
    pod["metadata"]["labels"] = {"app": "web"}
    pod["spec"]["containers"][0]["readinessProbe"] = {"exec": {"command": ["true"]}}
    api.create(ns, pod)
    api.wait_phase(ns, "app", "Running")
    return "app"


def test_an_ephemeral_container_targeting_main(api: Api, ns: str, app: str) -> None:
    proc = subprocess.Popen(
        [TUG, "--server", api.url, "-n", ns, "debug", "-i", app, *BUSYBOX, "--target=main",
         "-c", "debugger", "--", "sh", "-c", "read word; ps; echo hi $word"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write("there\n")
    proc.stdin.flush()
    lines = _read_until(proc, "hi there")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    assert lines[0].startswith('Targeting container "main". If you don\'t see processes')
    assert any("sleep 3601" in line for line in lines), lines  # the target's processes

    pod = api.wait_pod(ns, app, lambda p: bool((_ephemeral_status(p, "debugger") or {})
                                               .get("state", {}).get("terminated")), 30)
    ec = pod["spec"]["ephemeralContainers"][0]
    assert ec["targetContainerName"] == "main" and ec["stdin"] is True
    assert ec["securityContext"]["capabilities"]["add"] == ["SYS_PTRACE"]  # general profile
    assert ec["terminationMessagePolicy"] == "File"
    assert restarts(pod) == 0


def _in_terminal(argv: list[str], typed: bytes, wanted: bytes, timeout: float = 90
                 ) -> tuple[int, bytes]:
    master, slave = os.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    os.write(master, typed)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        else:
            raise AssertionError(f"tug still running; it wrote {out!r}")
        return proc.wait(timeout=10), out
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_a_terminal_in_an_ephemeral_container(api: Api, ns: str, app: str) -> None:
    code, out = _in_terminal(
        [TUG, "--server", api.url, "-n", ns, "debug", "-it", app, *BUSYBOX],
        b"echo hello-$((40+2)); exit\n", b"Session ended")
    assert code == 0, out
    assert b"Defaulting debug container name to debugger-" in out
    assert b"hello-42" in out, out
    assert b"Session ended, the ephemeral container will not be restarted" in out
    pod = api.pod(ns, app)
    assert pod is not None
    ec = pod["spec"]["ephemeralContainers"][0]
    assert ec["name"].startswith("debugger-") and ec["tty"] is True


def test_a_copy_of_the_pod(api: Api, ns: str, app: str) -> None:
    r = tug(api, ns, "debug", app, "--copy-to=app-debug", "--same-node", *BUSYBOX,
            "-c", "dbg", "--", "sleep", "3600")
    assert r.returncode == 0, r.stderr
    pod = api.wait_phase(ns, "app-debug", "Running", 60)
    spec = pod["spec"]
    assert [c["name"] for c in spec["containers"]] == ["main", "dbg"]
    assert spec["containers"][1]["command"] == ["sleep", "3600"]
    assert spec["shareProcessNamespace"] is True
    assert "readinessProbe" not in spec["containers"][0]
    assert not pod["metadata"].get("labels")  # no Service or controller adopts the copy
    assert api.pod(ns, app) is not None

    # Only another image, and the original replaced.
    r = tug(api, ns, "debug", app, "--copy-to=app-image", "--same-node", "--replace",
            "--set-image=main=busybox:1.35", "--keep-labels")
    assert r.returncode == 0, r.stderr
    pod = api.wait_phase(ns, "app-image", "Running", 60)
    assert [c["image"] for c in pod["spec"]["containers"]] == ["busybox:1.35"]
    assert pod["metadata"]["labels"] == {"app": "web"}
    api.wait_gone(ns, app)


def test_attach_to_a_copy(api: Api, ns: str, app: str) -> None:
    proc = subprocess.Popen(
        [TUG, "--server", api.url, "-n", ns, "debug", "-i", app, "--copy-to=app-talk",
         "--same-node", *BUSYBOX, "-c", "talk", "--", "sh", "-c", "read w; echo got $w"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write("word\n")
    proc.stdin.flush()
    _read_until(proc, "got word")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""


def test_a_node(api: Api, node: str, ns: str) -> None:
    proc = subprocess.Popen(
        [TUG, "--server", api.url, "-n", ns, "debug", "-i", f"node/{node}", *BUSYBOX, "--",
         "sh", "-c", "read w; ls /host; echo done-$w"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write("x\n")
    proc.stdin.flush()
    lines = _read_until(proc, "done-x")
    proc.stdin.close()
    proc.wait(timeout=30)
    assert lines[0].startswith(f"Creating debugging pod node-debugger-{node}-")
    assert any(line.strip() == "proc" for line in lines), lines  # the node's root
    pods = api.http.get(f"/api/v1/namespaces/{ns}/pods").json()["items"]
    spec = pods[0]["spec"]
    assert spec["hostPID"] and spec["hostNetwork"] and spec["nodeName"] == node


def test_refusals(api: Api, ns: str, app: str) -> None:
    cases = {
        ("debug", app): "error: you must specify --image when not using --copy-to.",
        ("debug", app, "-i"): "error: you must specify --container or create a new container "
                              "using --image in order to attach.",
        ("debug", app, "--copy-to=x", "--target=main", "--image=busybox:1.35"):
            "error: --target is incompatible with --copy-to. Use --share-processes instead.",
        ("debug", app, "--image=busybox:1.35", "--replace"):
            "error: --replace may only be used with --copy-to.",
        ("debug", app, "-t", "--image=busybox:1.35", "--attach=false"):
            "error: -i/--stdin is required for containers with -t/--tty=true",
        ("debug", "ghost", "--image=busybox:1.35"):
            'Error from server (NotFound): pods "ghost" not found',
    }
    for args, message in cases.items():
        r = tug(api, ns, *args)
        assert (r.returncode, r.stderr.strip()) == (1, message), args
