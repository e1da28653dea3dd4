"""An in-memory Runtime: containers are records that "run" until told otherwise.

Unit tests drive it (`exit(container_id, code)`, `images`, `pullable`, `down`, `exec_handler`)
and read what the kubelet asked for (`calls`); `tug-kubelet --runtime fake` uses it to put
many nodes' worth of pods on one machine for control-plane scale benchmarks, where every
container starts at once and runs forever.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from tugboat.kubelet.runtime.types import (
    SANDBOX_NAME,
    ContainerConfig,
    ContainerStats,
    ExecResult,
    ImagePullError,
    NotFoundError,
    RuntimeContainer,
    RuntimeEvent,
    RuntimeUnavailable,
    SandboxConfig,
    State,
)

ExecHandler = Callable[[RuntimeContainer, list[str]], ExecResult]


class FakeRuntime:
    def __init__(self, *, images: set[str] | None = None,
                 pullable: Callable[[str], bool] | None = None,
                 clock: Callable[[], float] = time.time):
        self.images: set[str] | None = images  # None: every image is present
        self.image_users: dict[str, str] = {}  # an image's configured user; "" is root
        self.pullable = pullable or (lambda _image: False)
        self.clock = clock
        self.containers: dict[str, RuntimeContainer] = {}
        self.configs: dict[str, ContainerConfig] = {}
        self.calls: list[tuple[str, str]] = []  # (operation, container name or image)
        self.down = False
        self.exec_handler: ExecHandler = lambda _c, _cmd: ExecResult(0, b"")
        self.log_lines: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._ips = itertools.count(2)
        self._events: list[asyncio.Queue[RuntimeEvent]] = []

    # --- test controls --------------------------------------------------------------------

    def exit(self, container_id: str, code: int, *, oom: bool = False) -> None:
        """The container's process ends with `code`."""
        c = self.containers[container_id]
        self.containers[container_id] = replace(
            c, state=State.EXITED, exit_code=code, finished_at=self.clock(), oom_killed=oom)
        self._emit(c, "die")

    def by_name(self, name: str) -> list[RuntimeContainer]:
        return sorted((c for c in self.containers.values() if c.name == name),
                      key=lambda c: c.attempt)

    def _check(self) -> None:
        if self.down:
            raise RuntimeUnavailable("fake runtime is down")

    def _emit(self, c: RuntimeContainer, action: str) -> None:
        for q in self._events:
            q.put_nowait(RuntimeEvent(c.pod.uid, c.id, action))

    # --- ContainerRuntime -------------------------------------------------------------------

    async def version(self) -> str:
        self._check()
        return "fake://0.1.0"

    async def ping(self) -> None:
        self._check()

    async def list_containers(self, node: str, pod_uid: str | None = None
                              ) -> list[RuntimeContainer]:
        self._check()
        return [c for c in self.containers.values()
                if c.pod.node == node and (pod_uid is None or c.pod.uid == pod_uid)]

    async def run_sandbox(self, config: SandboxConfig) -> RuntimeContainer:
        self._check()
        n = next(self._ips)
        c = self._new(config.pod, SANDBOX_NAME, config.attempt, "fake/pause",
                      ip=f"10.88.{n // 250}.{n % 250 + 2}")
        self.calls.append(("run_sandbox", config.pod.name))
        return c

    async def start_container(self, config: ContainerConfig, sandbox: RuntimeContainer) -> str:
        self._check()
        if self.images is not None and config.image not in self.images:
            raise NotFoundError(f"No such image: {config.image}")
        c = self._new(config.pod, config.name, config.attempt, config.image)
        self.configs[c.id] = config
        self.calls.append(("start", config.name))
        return c.id

    def _new(self, pod, name: str, attempt: int, image: str, ip: str | None = None
             ) -> RuntimeContainer:  # noqa: ANN001
        now = self.clock()
        cid = f"fake{next(self._ids):08d}"
        c = RuntimeContainer(id=cid, pod=pod, name=name, attempt=attempt, state=State.RUNNING,
                             image=image, image_id=f"fake://sha256:{image}", created_at=now,
                             started_at=now, ip=ip)
        self.containers[cid] = c
        return c

    async def stop_container(self, container_id: str, grace_seconds: float) -> None:
        self._check()
        c = self.containers.get(container_id)
        self.calls.append(("stop", c.name if c else container_id))
        if c is not None and c.running:
            self.exit(container_id, 137)

    async def remove_container(self, container_id: str) -> None:
        self._check()
        c = self.containers.pop(container_id, None)
        if c is not None:
            self.calls.append(("remove", c.name))
            self._emit(c, "destroy")

    async def events(self, node: str) -> AsyncIterator[RuntimeEvent]:
        self._check()
        queue: asyncio.Queue[RuntimeEvent] = asyncio.Queue()
        self._events.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._events.remove(queue)

    async def stats(self, container_ids: list[str]) -> list[ContainerStats]:
        self._check()
        now = self.clock()
        return [ContainerStats(cid, now, 1_000_000, 1_000_000, 4 << 20, 4 << 20)
                for cid in container_ids if cid in self.containers]

    async def close(self) -> None:
        pass

    # --- ImageService -----------------------------------------------------------------------

    async def image_id(self, image: str) -> str | None:
        self._check()
        if self.images is None or image in self.images:
            return f"sha256:{image}"
        return None

    async def image_user(self, image: str) -> str:
        self._check()
        return self.image_users.get(image, "")

    async def pull_image(self, image: str) -> str:
        self._check()
        self.calls.append(("pull", image))
        if not self.pullable(image):
            raise ImagePullError(f"pull access denied for {image}")
        if self.images is not None:
            self.images.add(image)
        return f"sha256:{image}"

    # --- StreamingRuntime -------------------------------------------------------------------

    async def exec_sync(self, container_id: str, command: list[str], timeout: float
                        ) -> ExecResult:
        self._check()
        return self.exec_handler(self.containers[container_id], command)

    async def exec_stream(self, container_id: str, command: list[str], *, stdin: bool,
                          tty: bool) -> FakeExecSession:
        result = await self.exec_sync(container_id, command, 60)
        return FakeExecSession(result)

    async def logs(self, container_id: str, *, follow: bool, tail: int | None,
                   timestamps: bool, since: float | None = None) -> AsyncIterator[bytes]:
        self._check()
        data = self.log_lines.get(container_id, b"")
        lines = data.splitlines(keepends=True)
        for line in lines[-tail:] if tail is not None else lines:
            yield line

    async def attach(self, container_id: str, *, stdin: bool, tty: bool) -> FakeExecSession:
        """The container's log so far, then the end of the attach."""
        self._check()
        return FakeExecSession(ExecResult(0, self.log_lines.get(container_id, b"")))


class FakeExecSession:
    """Replays one ExecResult: its output on stdout, then its exit code."""

    def __init__(self, result: ExecResult):
        self.result = result
        self.stdin = bytearray()
        self._sent = False

    async def read(self) -> tuple[int, bytes] | None:
        if self._sent:
            return None
        self._sent = True
        return 1, self.result.output

    async def write(self, data: bytes) -> None:
        self.stdin += data

    async def close_stdin(self) -> None:
        pass

    async def resize(self, width: int, height: int) -> None:
        pass

    async def exit_code(self) -> int | None:
        return self.result.exit_code

    async def close(self) -> None:
        pass
