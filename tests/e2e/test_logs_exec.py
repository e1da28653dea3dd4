"""Logs and exec through the API server to the kubelet (COMPAT.md §8–§9): plain HTTP with
every log option, exec over WebSocket v5 and v4 frame by frame, and real kubectl — `logs`,
`logs -f`, `exec -- sh -c 'exit 3'` (exit code 3) and `exec -i` with stdin."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.e2e.cluster import Api, pod_manifest, restarts
from tests.support.processes import wait_until

KUBECTL = "/usr/bin/kubectl"


@pytest.fixture
def talker(api: Api, node: str, ns: str) -> str:
    api.create(ns, pod_manifest("talker", node, "echo one; sleep 0.1; echo two >&2; sleep 0.1; "
                                "echo three; "
                                "sleep 3600"))
    api.wait_phase(ns, "talker", "Running")
    wait_until(lambda: "three" in api.http.get(f"/api/v1/namespaces/{ns}/pods/talker/log").text,
               10, "talker's output")
    return "talker"


def test_logs_over_http(api: Api, node: str, ns: str, talker: str) -> None:
    path = f"/api/v1/namespaces/{ns}/pods/{talker}/log"
    r = api.http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text.splitlines() == ["one", "two", "three"]
    assert api.http.get(path, params={"tailLines": 1}).text == "three\n"
    stamped = api.http.get(path, params={"timestamps": "true", "tailLines": 1}).text
    assert stamped.endswith("Z three\n") and stamped[:4].isdigit()
    r = api.http.get(path, params={"previous": "true"})
    assert r.status_code == 400 and "previous terminated container" in r.json()["message"]
    r = api.http.get(path, params={"container": "nope"})
    assert r.status_code == 400 and r.json()["message"] == \
        "container nope is not valid for pod talker"
    assert api.http.get(f"/api/v1/namespaces/{ns}/pods/ghost/log").status_code == 404


def test_previous_logs_after_a_restart(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("restarter", node, "echo run $(date +%s%N); sleep 1; exit 1"))
    api.wait_pod(ns, "restarter", lambda p: restarts(p) >= 1, 20)
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/restarter/log", params={"previous": "1"})
    assert r.status_code == 200 and r.text.startswith("run ")


def test_follow_streams_until_the_container_ends(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("ticker", node, "for i in 1 2 3; do echo tick $i; sleep 0.5; "
                                "done", restart_policy="Never"))
    api.wait_pod(ns, "ticker", lambda p: p["status"].get("phase") in ("Running", "Succeeded"))
    started = time.monotonic()
    lines = []
    with api.http.stream("GET", f"/api/v1/namespaces/{ns}/pods/ticker/log",
                         params={"follow": "true"}, timeout=20) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            lines.append((line, time.monotonic() - started))
    assert [text for text, _ in lines] == ["tick 1", "tick 2", "tick 3"]


async def _exec(url: str, protocol: str, stdin: bytes | None = None) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    async with websockets.connect(url, subprotocols=[protocol]) as ws:
        assert ws.subprotocol == protocol
        if stdin is not None:
            await ws.send(b"\x00" + stdin)
            await ws.send(b"\xff\x00")
        async for message in ws:
            out[message[0]] = out.get(message[0], b"") + message[1:]
    return out


@pytest.mark.parametrize("protocol", ["v5.channel.k8s.io", "v4.channel.k8s.io"])
def test_exec_over_websocket(api: Api, ns: str, talker: str, protocol: str) -> None:
    base = api.url.replace("http://", "ws://") + f"/api/v1/namespaces/{ns}/pods/{talker}/exec"
    query = "command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262%3B+exit+3" \
            "&stdout=true&stderr=true"
    out = asyncio.run(_exec(f"{base}?{query}", protocol))
    assert out[1] == b"out\n" and out[2] == b"err\n"
    assert b'"reason":"NonZeroExitCode"' in out[3] and b'"message":"3"' in out[3]
    if protocol.startswith("v5"):
        out = asyncio.run(_exec(f"{base}?command=cat&stdin=true&stdout=true&stderr=true",
                                protocol, stdin=b"piped in\n"))
        assert out[1] == b"piped in\n" and b'"status":"Success"' in out[3]


def kubectl(kubeconfig: Path, cache: Path, *args: str, **kw: Any
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache),
                           *args], capture_output=True, text=True, timeout=30, **kw)



def test_real_kubectl(api: Api, node: str, ns: str, talker: str, kubeconfig: Path,
                      tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    r = kubectl(kubeconfig, cache, "logs", talker)
    assert r.returncode == 0 and r.stdout.splitlines() == ["one", "two", "three"], r.stderr
    r = kubectl(kubeconfig, cache, "exec", talker, "--", "sh", "-c", "echo hi; exit 3")
    assert r.returncode == 3 and r.stdout == "hi\n", r.stderr
    assert "command terminated with exit code 3" in r.stderr
    r = kubectl(kubeconfig, cache, "exec", "-i", talker, "--", "sh", "-c", "tr a-z A-Z",
                input="shout\n")
    assert r.returncode == 0 and r.stdout == "SHOUT\n", r.stderr
    api.create(ns, pod_manifest("counter", node, "for i in 1 2 3; do echo n $i; sleep 0.5; "
                                "done", restart_policy="Never"))
    api.wait_pod(ns, "counter", lambda p: p["status"].get("phase") in ("Running", "Succeeded"))
    r = kubectl(kubeconfig, cache, "logs", "-f", "counter")
    assert r.returncode == 0 and r.stdout.splitlines() == ["n 1", "n 2", "n 3"], r.stderr
    r = kubectl(kubeconfig, cache, "exec", "ghost", "--", "true")
    assert r.returncode != 0 and 'pods "ghost" not found' in r.stderr


async def _tty_size(url: str) -> bytes:
    out = b""
    async with websockets.connect(url, subprotocols=["v5.channel.k8s.io"]) as ws:
        await ws.send(b'\x04{"Width":100,"Height":30}')
        await ws.send(b"\x00sleep 0.3; stty size; exit\n")
        async for message in ws:
            if message[0] == 1:
                out += message[1:]
    return out


def test_exec_with_a_terminal(api: Api, ns: str, talker: str) -> None:
    url = api.url.replace("http://", "ws://") + \
        f"/api/v1/namespaces/{ns}/pods/{talker}/exec?command=sh&stdin=true&stdout=true&tty=true"
    assert b"30 100" in asyncio.run(_tty_size(url))
