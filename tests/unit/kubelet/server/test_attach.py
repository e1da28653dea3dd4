"""The kubelet's /attach endpoint over the channel protocol, on the fake runtime: an
ephemeral container's (or an app container's) output on channel 1 and a Success status on
3; v4 too; and the refusals kubectl shows — no such pod, no such container, a container
that is not running, no channel protocol."""

from __future__ import annotations

import asyncio
import warnings

import orjson
import pytest

from tugboat.api.core import Pod
from tugboat.kubelet.podmanager import PodManager
from tugboat.kubelet.runtime import ContainerConfig, PodRef, SandboxConfig
from tugboat.kubelet.runtime.fake import FakeRuntime
from tugboat.kubelet.server.app import build_app
from tugboat.kubelet.server.context import ServerContext

with warnings.catch_warnings():  # starlette would rather have httpx2, not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REF = PodRef(uid="u1", name="app", namespace="default", node="n1")


@pytest.fixture
def world() -> tuple[TestClient, FakeRuntime]:
    pods = PodManager()
    pods.update_api_pod(Pod.model_validate({
        "metadata": {"name": "app", "namespace": "default", "uid": "u1"},
        "spec": {"nodeName": "n1", "containers": [{"name": "main", "image": "busybox"}],
                 "ephemeralContainers": [{"name": "debugger", "image": "busybox",
                                          "stdin": True}]}}))
    runtime = FakeRuntime()

    async def start() -> None:
        sandbox = await runtime.run_sandbox(SandboxConfig(pod=REF, attempt=0, hostname="app"))
        for name in ("main", "debugger"):
            cid = await runtime.start_container(
                ContainerConfig(pod=REF, name=name, attempt=0, image="busybox"), sandbox)
            runtime.log_lines[cid] = f"hello from {name}\n".encode()

    asyncio.run(start())
    ctx = ServerContext(node="n1", pods=pods, runtime=runtime, stats=None, metrics=None)
    return TestClient(build_app(ctx)), runtime


def _attach(client: TestClient, path: str, protocol: str = "v5.channel.k8s.io"
            ) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    with client.websocket_connect(path, subprotocols=[protocol]) as ws:
        while True:
            message = ws.receive()
            if message["type"] == "websocket.close":
                break
            data = message["bytes"]
            out[data[0]] = out.get(data[0], b"") + data[1:]
    return out


@pytest.mark.parametrize("protocol", ["v5.channel.k8s.io", "v4.channel.k8s.io"])
@pytest.mark.parametrize("container", ["debugger", "main"])
def test_attach_relays_output_then_success(world: tuple[TestClient, FakeRuntime],
                                           protocol: str, container: str) -> None:
    client, _ = world
    out = _attach(client, f"/attach/default/app/{container}?stdin=true&stdout=true",
                  protocol)
    assert out[1] == f"hello from {container}\n".encode()
    assert orjson.loads(out[3])["status"] == "Success"


@pytest.mark.parametrize("path, code, message", [
    ("/attach/default/ghost/main", 404, 'pod "ghost" not found on this node'),
    ("/attach/default/app/nope", 400, "container nope is not valid for pod app"),
])
def test_refusals(world: tuple[TestClient, FakeRuntime], path: str, code: int,
                  message: str) -> None:
    client, _ = world
    status = orjson.loads(_attach(client, f"{path}?stdout=true")[3])
    assert status["code"] == code and status["message"] == message


def test_an_exited_container_cannot_be_attached(world: tuple[TestClient, FakeRuntime]
                                                ) -> None:
    client, runtime = world
    runtime.exit(runtime.by_name("debugger")[-1].id, 0)
    status = orjson.loads(_attach(client, "/attach/default/app/debugger?stdout=true")[3])
    assert status["message"] == 'container "debugger" in pod "app" is not running'


def test_no_channel_protocol(world: tuple[TestClient, FakeRuntime]) -> None:
    client, _ = world
    status = orjson.loads(_attach(client, "/attach/default/app/main", "chat")[3])
    assert status["reason"] == "BadRequest"
