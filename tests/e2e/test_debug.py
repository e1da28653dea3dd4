"""Ephemeral containers and attach with real containers and the real kubectl 1.32:
`kubectl debug -i POD --target=main` adds a container to the running pod that sees the
target's processes and talks over stdin/stdout; its status is reported and it is never
restarted; `kubectl attach` reaches a container's own stdio, a terminal's size follows
the client's; and a plain pod update may not add ephemeral containers."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path
from typing import Any

import websockets

from tests.e2e.cluster import Api, pod_manifest, restarts

KUBECTL = "/usr/bin/kubectl"
Obj = dict[str, Any]


def kubectl(kubeconfig: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir",
                           str(kubeconfig.parent / "cache"), *args],
                          capture_output=True, text=True, timeout=60, **kw)



def _read_until(proc: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    """kubectl's output lines up to one that holds `wanted` (read on a thread, so a kubectl
    that says nothing fails the test instead of hanging it)."""
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
        raise AssertionError(f"no {wanted!r} from kubectl: {lines}")
    assert any(wanted in line for line in lines), lines
    return lines


def _ephemeral_status(pod: Obj, name: str) -> Obj | None:
    return next((s for s in pod["status"].get("ephemeralContainerStatuses") or []
                 if s["name"] == name), None)


def _terminated(pod: Obj, name: str) -> bool:
    status = _ephemeral_status(pod, name)
    return bool(status and (status.get("state") or {}).get("terminated"))


def test_kubectl_debug_targets_the_main_container(api: Api, node: str, ns: str,
                                                  kubeconfig: Path) -> None:
    api.create(ns, pod_manifest("app", node, "exec sleep 3601"))
    api.wait_phase(ns, "app", "Running")
    # The debugger reads a line before it acts, so nothing it prints can come before
    # kubectl has attached (what a container writes before an attach is the log's); and
    # kubectl's stdin stays open until the answer is in, since the end of it ends an
    # attach to a container that is not stdinOnce (kubectl debug's are not).
    proc = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir",
         str(kubeconfig.parent / "cache"), "debug", "-i", "app", "--image=busybox:1.35",
         "--image-pull-policy=IfNotPresent", "--target=main", "--container=debugger", "--",
         "sh", "-c", "read word; ps; echo hi $word"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("there\n")
    proc.stdin.flush()
    lines = _read_until(proc, "hi there")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    assert any("sleep 3601" in line for line in lines), lines  # the target's PID namespace

    pod = api.wait_pod(ns, "app", lambda p: _terminated(p, "debugger"), 30,
                       "the debugger's terminated status")
    status = _ephemeral_status(pod, "debugger")
    assert status is not None
    done = status["state"]["terminated"]
    assert done["exitCode"] == 0 and done["reason"] == "Completed"
    assert status["restartCount"] == 0 and status["ready"] is False
    assert status["containerID"].startswith("docker://")
    spec = pod["spec"]["ephemeralContainers"][0]
    assert spec["targetContainerName"] == "main" and spec["stdin"] is True
    assert pod["status"]["phase"] == "Running" and restarts(pod) == 0

    # Never restarted: the pod's next syncs leave the exited debugger as it is.
    r = kubectl(kubeconfig, "get", "pod", "app", "-o",
                "jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.reason}")
    assert r.returncode == 0 and r.stdout == "Completed", r.stderr
    events = api.http.get(f"/api/v1/namespaces/{ns}/events").json()["items"]
    assert sum(1 for e in events if e["message"] == "Started container debugger") == 1


def test_kubectl_attach_to_a_container_with_stdin(api: Api, node: str, ns: str,
                                                 kubeconfig: Path) -> None:
    api.create(ns, pod_manifest("echoer", node, "while read line; do echo got $line; done",
                                restart_policy="Never", stdin=True, stdinOnce=True))
    api.wait_phase(ns, "echoer", "Running")
    r = kubectl(kubeconfig, "attach", "-i", "echoer", input="a\nb\n")
    # stdinOnce: the end of kubectl's stdin is the end of the container's, so it exits.
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-2:] == ["got a", "got b"]
    api.wait_phase(ns, "echoer", "Succeeded")


def test_stdin_stays_open_for_the_next_attach(api: Api, node: str, ns: str,
                                              kubeconfig: Path) -> None:
    """Not stdinOnce: the end of one client's stdin ends its attach, and the container
    reads on, from the next."""
    api.create(ns, pod_manifest("reader", node, "while read line; do echo got $line; done",
                                stdin=True))
    api.wait_phase(ns, "reader", "Running")
    log = f"/api/v1/namespaces/{ns}/pods/reader/log"
    for word in ("a", "b"):
        r = kubectl(kubeconfig, "attach", "-i", "reader", input=f"{word}\n")
        assert r.returncode == 0, r.stderr
        api.wait_pod(ns, "reader", lambda _p, w=word: f"got {w}" in api.http.get(log).text,
                     30, f"the reader's answer to {word}")
    pod = api.pod(ns, "reader")
    assert pod is not None and pod["status"]["phase"] == "Running" and restarts(pod) == 0
    assert api.http.get(log).text == "got a\ngot b\n"


def test_a_plain_update_may_not_add_ephemeral_containers(api: Api, node: str, ns: str,
                                                         kubeconfig: Path) -> None:
    api.create(ns, pod_manifest("plain", node, "exec sleep 3600"))
    patch = '{"spec":{"ephemeralContainers":[{"name":"sneaky","image":"busybox:1.35"}]}}'
    r = kubectl(kubeconfig, "patch", "pod", "plain", "-p", patch)
    assert r.returncode != 0
    assert "pod updates may not change fields" in r.stderr
    r = kubectl(kubeconfig, "patch", "pod", "plain", "--subresource=ephemeralcontainers",
                "-p", patch)
    assert r.returncode == 0, r.stderr
    pod = api.wait_pod(ns, "plain", lambda p: _ephemeral_status(p, "sneaky") is not None, 30,
                       "the added container's status")
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["sneaky"]


async def _attach_tty(url: str) -> bytes:
    out = b""
    async with websockets.connect(url, subprotocols=["v5.channel.k8s.io"]) as ws:
        assert ws.subprotocol == "v5.channel.k8s.io"
        await ws.send(b'\x04{"Width":100,"Height":30}')
        await ws.send(b"\x00sleep 0.3; stty size; exit\n")
        async for message in ws:
            if message[0] == 1:
                out += message[1:]
            elif message[0] == 3:
                assert b'"status":"Success"' in message
    return out


def test_attach_to_a_terminal_follows_its_size(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("shell", node, "exec sh", restart_policy="Never", stdin=True,
                                tty=True))
    api.wait_phase(ns, "shell", "Running")
    url = api.url.replace("http://", "ws://") + \
        f"/api/v1/namespaces/{ns}/pods/shell/attach?stdin=true&stdout=true&tty=true"
    assert b"30 100" in asyncio.run(_attach_tty(url))
    api.wait_phase(ns, "shell", "Succeeded")


def test_attach_errors(api: Api, node: str, ns: str, kubeconfig: Path) -> None:
    r = api.http.post(f"/api/v1/namespaces/{ns}/pods/ghost/attach")
    assert r.status_code == 404 and r.json()["reason"] == "NotFound"
    api.create(ns, pod_manifest("quiet", node, "exec sleep 3600"))
    api.wait_phase(ns, "quiet", "Running")
    r = api.http.post(f"/api/v1/namespaces/{ns}/pods/quiet/attach",
                      params={"container": "nope"})
    assert r.status_code == 400
    assert r.json()["message"] == "container nope is not valid for pod quiet"
