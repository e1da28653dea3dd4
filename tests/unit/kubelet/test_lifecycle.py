"""Lifecycle hooks: exec, httpGet and sleep handlers, their failure messages and events,
preStop's share of the grace period, and a postStart given up when its pod goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.core import Container, Pod
from tugboat.kubelet.lifecycle import HookRunner
from tugboat.kubelet.runtime import ContainerConfig, ExecResult, PodRef, RuntimeContainer, State
from tugboat.kubelet.runtime.fake import FakeRuntime

from .conftest import make_pod

pytestmark = pytest.mark.anyio


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def __call__(self, _pod: Pod, type_: str, reason: str, message: str) -> None:
        self.events.append((type_, reason, message))


def _pod(lifecycle: dict[str, Any], **container: Any) -> tuple[Pod, Container]:
    pod = make_pod("hooked", containers=[{"name": "app", "image": "busybox:1.35",
                                          "lifecycle": lifecycle, **container}])
    return pod, pod.spec.containers[0]


@pytest.fixture
def runtime() -> FakeRuntime:
    return FakeRuntime()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def hooks(runtime: FakeRuntime, recorder: Recorder) -> HookRunner:
    return HookRunner(runtime, recorder)


async def _container(runtime: FakeRuntime, pod: Pod) -> str:
    ref = PodRef(uid=pod.metadata.uid or "", name="hooked", namespace="default", node="n")
    sandbox = RuntimeContainer(id="sb", pod=ref, name="POD", attempt=0, state=State.RUNNING)
    return await runtime.start_container(ContainerConfig(ref, "app", 0, "busybox:1.35"), sandbox)


async def test_post_start_exec_runs_in_the_container(runtime: FakeRuntime, hooks: HookRunner,
                                                     recorder: Recorder) -> None:
    ran: list[tuple[str, list[str]]] = []

    def handler(c: RuntimeContainer, cmd: list[str]) -> ExecResult:
        ran.append((c.id, cmd))
        return ExecResult(0, b"")
    runtime.exec_handler = handler
    pod, spec = _pod({"postStart": {"exec": {"command": ["sh", "-c", "touch /ready"]}}})
    cid = await _container(runtime, pod)
    assert await hooks.post_start(pod, spec, cid, "10.88.0.2") is None
    assert ran == [(cid, ["sh", "-c", "touch /ready"])] and recorder.events == []


async def test_a_failing_exec_hook_says_so_as_kubernetes(runtime: FakeRuntime,
                                                         hooks: HookRunner,
                                                         recorder: Recorder) -> None:
    runtime.exec_handler = lambda _c, _cmd: ExecResult(3, b"no such file\n")
    pod, spec = _pod({"postStart": {"exec": {"command": ["sh", "-c", "exit 3"]}}})
    cid = await _container(runtime, pod)
    message = await hooks.post_start(pod, spec, cid, "10.88.0.2")
    assert message == (
        'Exec lifecycle hook ([sh -c exit 3]) for Container "app" in Pod '
        '"hooked_default(uid-hooked)" failed - error: command \'sh -c exit 3\' exited with 3: '
        'no such file\n, message: "no such file\\n"')
    # The event never carries the handler's output (it may hold secrets).
    assert recorder.events == [("Warning", "FailedPostStartHook", "PostStartHook failed")]


async def test_pre_stop_takes_its_time_off_the_grace_period(runtime: FakeRuntime,
                                                            recorder: Recorder) -> None:
    clock = ManualClock()

    def handler(_c: RuntimeContainer, _cmd: list[str]) -> ExecResult:
        clock.advance(3.7)  # the hook ran for 3.7 s: 3 whole seconds are used up
        return ExecResult(1, b"")
    runtime.exec_handler = handler
    hooks = HookRunner(runtime, recorder, clock=clock)
    pod, spec = _pod({"preStop": {"exec": {"command": ["/drain"]}}})
    cid = await _container(runtime, pod)
    assert await hooks.pre_stop(pod, spec, cid, None, 30) == 27
    assert recorder.events == [("Warning", "FailedPreStopHook", "PreStopHook failed")]


async def test_pre_stop_without_a_hook_keeps_the_grace(hooks: HookRunner) -> None:
    pod = make_pod()
    assert await hooks.pre_stop(pod, pod.spec.containers[0], "x", None, 30) == 30


async def test_a_pre_stop_sleep_is_cut_at_the_grace_period(hooks: HookRunner,
                                                           recorder: Recorder) -> None:
    pod, spec = _pod({"preStop": {"sleep": {"seconds": 3600}}})
    loop = asyncio.get_running_loop()
    started = loop.time()
    left = await hooks.pre_stop(pod, spec, "x", None, 0.2)
    assert loop.time() - started < 5 and left == 0.2  # no whole second used
    assert recorder.events == []  # overrunning is not a failure: the stop signal follows


async def test_a_sleep_hook_waits(hooks: HookRunner) -> None:
    pod, spec = _pod({"postStart": {"sleep": {"seconds": 0}}})
    assert await hooks.post_start(pod, spec, "x", None) is None


async def test_an_abandoned_post_start_fails(runtime: FakeRuntime, hooks: HookRunner,
                                             recorder: Recorder) -> None:
    pod, spec = _pod({"postStart": {"sleep": {"seconds": 3600}}})
    message = await hooks.post_start(pod, spec, "x", None, abandoned=lambda: True)
    assert message == ('Sleep lifecycle hook (3600) for Container "app" in Pod '
                       '"hooked_default(uid-hooked)" failed - error: container terminated '
                       'before sleep hook finished')
    assert recorder.events == [("Warning", "FailedPostStartHook", "PostStartHook failed")]


class HttpServer:
    """A loopback server that answers every request with `status`, recording them."""

    def __init__(self, status: int):
        self.status, self.requests = status, []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head.decode())
        writer.write(f"HTTP/1.1 {self.status} X\r\nContent-Length: 0\r\n"
                     f"Connection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[HttpServer, int]]:
    srv = HttpServer(500)
    s = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    yield srv, s.sockets[0].getsockname()[1]
    s.close()
    await s.wait_closed()


async def test_http_get_goes_to_the_pod_ip_and_any_reply_will_do(
        hooks: HookRunner, recorder: Recorder, server: tuple[HttpServer, int]) -> None:
    srv, port = server
    pod, spec = _pod({"preStop": {"httpGet": {"path": "/quit", "port": "admin",
                                              "httpHeaders": [{"name": "X-Why",
                                                               "value": "stop"}]}}},
                     ports=[{"name": "admin", "containerPort": port}])
    assert await hooks.pre_stop(pod, spec, "x", "127.0.0.1", 30) == 30
    (request,) = srv.requests
    assert request.startswith("GET /quit HTTP/1.1")
    assert "x-why: stop" in request.lower() and "user-agent: kube-lifecycle/1.32" in request.lower()
    assert recorder.events == []  # a 500 is still a reply


async def test_http_get_that_cannot_connect_fails(hooks: HookRunner, recorder: Recorder
                                                  ) -> None:
    pod, spec = _pod({"postStart": {"httpGet": {"path": "/up", "port": 1,
                                                "host": "127.0.0.1"}}})
    message = await hooks.post_start(pod, spec, "x", "10.88.0.9")
    assert message is not None and message.startswith(
        'HTTP lifecycle hook (/up) for Container "app" in Pod "hooked_default(uid-hooked)" '
        'failed - error: Get "http://127.0.0.1:1/up": ')
    assert recorder.events[-1][1] == "FailedPostStartHook"
