"""The README's tour of tug's kubectl verbs, on a real container: the hello pod of
examples/pod.yaml (placed on the node: this suite runs no scheduler), `diff` of the
unchanged file, `explain`, `events --for`, `cp` into it, and `debug` with an ephemeral
container that targets the pod's own container (named `hello`) — the commands the README
lists, so a reader who types them sees them work."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.cluster import Api

TUG = str(Path(sys.executable).parent / "tug")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def tug(api: Api, ns: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TUG, "--server", api.url, "-n", ns, *args], capture_output=True,
                          text=True, timeout=90, **kw)


def _read_until(proc: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if wanted in line:
                found.set()
                break

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(timeout):
        proc.kill()
        raise AssertionError(f"no {wanted!r} from tug debug: {lines}")
    return lines


def test_the_readme_tour_on_the_hello_pod(api: Api, node: str, ns: str,
                                          tmp_path: Path) -> None:
    pod = yaml.safe_load((EXAMPLES / "pod.yaml").read_text())
    pod["spec"]["nodeName"] = node
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(yaml.safe_dump(pod))
    assert tug(api, ns, "apply", "-f", str(manifest)).stdout == "pod/hello created\n"
    api.wait_phase(ns, "hello", "Running", 60)

    r = tug(api, ns, "diff", "-f", str(manifest))  # exit 0: nothing would change
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = tug(api, ns, "explain", "pods.spec.containers.livenessProbe")
    assert r.returncode == 0 and r.stdout.startswith("KIND:       Pod\nVERSION:    v1\n")
    r = tug(api, ns, "events", "--for", "pod/hello")
    assert r.returncode == 0 and "Started" in r.stdout, r.stdout + r.stderr

    r = tug(api, ns, "cp", str(EXAMPLES / "pod.yaml"), "hello:/tmp/pod.yaml")
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    r = tug(api, ns, "exec", "hello", "--", "cat", "/tmp/pod.yaml")
    assert r.stdout == (EXAMPLES / "pod.yaml").read_text()

    # The README's debug line, with stdin a pipe instead of a terminal (-i, no -t), held
    # open until the output is in: closing it would end the attach, as under CRI.
    proc = subprocess.Popen(
        [TUG, "--server", api.url, "-n", ns, "debug", "-i", "hello", "--image=busybox:1.35",
         "--image-pull-policy=IfNotPresent", "--target=hello", "-c", "debugger", "--",
         "sh", "-c", "read go; ps"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    seen = _read_until(proc, "sleep 10")  # hello's own loop, seen from the debug container
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0, seen
    # (the pod has no container "main": a target that is not there is the server's 422)
    r = tug(api, ns, "debug", "hello", "--image=busybox:1.35", "--target=main")
    assert r.returncode == 1 and r.stderr.strip().endswith(
        'spec.ephemeralContainers[0].targetContainerName: Not found: "main"'), r.stderr
