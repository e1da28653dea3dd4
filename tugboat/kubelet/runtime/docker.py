"""The Docker implementation of the Runtime, and the only module that imports the Docker SDK.

One low-level `docker.APIClient` (API version negotiated on first use, so a kubelet that
starts while Docker is down keeps running) with a connection pool as large as the thread
pool its blocking calls run on, so pod workers create containers in parallel. Listing is
one `containers(all=True)` call filtered by the node (and pod) label; `inspect` results are
cached per container and state, so a sync of an unchanged pod costs one request. Exec
and attach streams use dockerhijack's asyncio connection (sessions: dockerstreaming.py);
logs and events are pumped from the SDK's streams by a thread each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import docker
import docker.errors
import requests
from docker.utils import parse_repository_tag

from tugboat.kubelet.runtime import dockerwire, labels
from tugboat.kubelet.runtime.dockerhijack import (
    DEFAULT_HOST,
    HijackedExec,
    attach_container,
    start_exec,
)
from tugboat.kubelet.runtime.dockerstreaming import HijackedSession
from tugboat.kubelet.runtime.types import (
    ContainerConfig,
    ContainerStats,
    ExecResult,
    ImagePullError,
    NotFoundError,
    RuntimeContainer,
    RuntimeEvent,
    RuntimeFailure,
    RuntimeUnavailable,
    SandboxConfig,
    State,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
EVENT_ACTIONS = ["die", "oom", "destroy"]
MAX_PROBE_OUTPUT = 10 * 1024
MAX_STOP_TIMEOUT = 2**31 - 1  # seconds: see stop_container


def _explain(e: docker.errors.APIError) -> str:
    return str(e.explanation or e)


class DockerRuntime:
    """Runtime on a Docker Engine (API ≥ 1.41, dockerd 20.10)."""

    def __init__(self, *, pause_image: str = "tugboat/pause:3.9", docker_host: str | None = None,
                 pool_size: int = 64, log_max_size: int = 10 * 1024 * 1024,
                 log_max_files: int = 5):
        self.pause_image = pause_image
        # Each container's log rotates (--container-log-max-size/-files), whatever the
        # daemon's default driver: a chatty container cannot fill the disk, and json-file
        # is a driver whose logs the API can read back across the rotated files.
        self.log_config = {"type": "json-file", "config": {
            "max-size": str(log_max_size), "max-file": str(log_max_files)}}
        self.docker_host = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        self._pool_size = pool_size
        self._threads = ThreadPoolExecutor(pool_size, thread_name_prefix="docker")
        self._api: Any = None
        self._api_lock = threading.Lock()
        self._inspected: dict[str, tuple[State, RuntimeContainer]] = {}
        # Containers Docker sent an "oom" event for: on cgroup v2, dockerd 20.10 often
        # leaves State.OOMKilled false for a container the kernel OOM-killed.
        self._oom_killed: set[str] = set()

    # --- plumbing -----------------------------------------------------------------------

    def _client(self) -> Any:
        with self._api_lock:
            if self._api is None:
                self._api = docker.APIClient(base_url=self.docker_host, version="auto",
                                             timeout=120, max_pool_size=self._pool_size)
            return self._api

    def _translated(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(self._client(), *args)
        except docker.errors.NotFound as e:
            raise NotFoundError(_explain(e)) from e
        except docker.errors.APIError as e:
            raise RuntimeFailure(_explain(e)) from e
        except (docker.errors.DockerException, requests.RequestException, OSError) as e:
            raise RuntimeUnavailable(f"Docker is not reachable: {e}") from e

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._translated, fn, *args)

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._api is not None:
            self._api.close()

    # --- node-level ---------------------------------------------------------------------

    async def version(self) -> str:
        info = await self._run(lambda api: api.version())
        return f"docker://{info.get('Version', 'unknown')}"

    async def ping(self) -> None:
        await self._run(lambda api: api.ping())

    # --- containers ---------------------------------------------------------------------

    async def list_containers(self, node: str, pod_uid: str | None = None
                              ) -> list[RuntimeContainer]:
        return await self._run(self._list, node, pod_uid)

    def _list(self, api: Any, node: str, pod_uid: str | None) -> list[RuntimeContainer]:
        items = api.containers(all=True, filters={"label": labels.node_filter(node, pod_uid)})
        found = []
        for item in items:
            rc = self._container(api, item["Id"], dockerwire.summary_state(item))
            if rc is not None:
                found.append(rc)
        if pod_uid is None:
            live = {item["Id"] for item in items}
            for cid in [c for c in self._inspected if c not in live]:
                self._inspected.pop(cid, None)
        return found

    def _container(self, api: Any, cid: str, state: State) -> RuntimeContainer | None:
        cached = self._inspected.get(cid)
        if cached is not None and cached[0] == state:
            return cached[1]
        try:
            rc = dockerwire.from_inspect(api.inspect_container(cid))
        except docker.errors.NotFound:
            return None
        if rc is not None and cid in self._oom_killed and rc.state == State.EXITED:
            rc.oom_killed = True
        if rc is not None and state in (State.RUNNING, State.EXITED):
            self._inspected[cid] = (state, rc)
        return rc

    async def run_sandbox(self, config: SandboxConfig) -> RuntimeContainer:
        return await self._run(self._run_sandbox, config)

    def _run_sandbox(self, api: Any, config: SandboxConfig) -> RuntimeContainer:
        args = dockerwire.sandbox_create(config, self.pause_image)
        try:
            cid = self._create(api, args)
        except docker.errors.ImageNotFound as e:
            raise RuntimeFailure(f"pause image {self.pause_image} is not present "
                                 f"(build it with deploy/images/build.sh)") from e
        try:
            api.start(cid)
        except docker.errors.APIError:
            with contextlib.suppress(docker.errors.APIError):
                api.remove_container(cid, force=True)
            raise
        rc = dockerwire.from_inspect(api.inspect_container(cid))
        if rc is None:
            raise RuntimeFailure(f"sandbox {cid} lost its labels")
        if rc.state == State.RUNNING:  # the pod's next sync lists it: no second inspect
            self._inspected[cid] = (State.RUNNING, rc)
        return rc

    def _create(self, api: Any, args: dict[str, Any]) -> str:
        host = api.create_host_config(**args.pop("host_config"))
        try:
            return api.create_container(**args, host_config=host, use_config_proxy=False)["Id"]
        except docker.errors.APIError as e:
            if e.status_code != 409:
                raise
            # A leftover with our name (a kubelet that died mid-start): replace it.
            api.remove_container(args["name"], force=True)
            return api.create_container(**args, host_config=host, use_config_proxy=False)["Id"]

    async def start_container(self, config: ContainerConfig, sandbox: RuntimeContainer) -> str:
        return await self._run(self._start_container, config, sandbox.id)

    def _start_container(self, api: Any, config: ContainerConfig, sandbox_id: str) -> str:
        args = dockerwire.container_create(config, sandbox_id)
        args["host_config"]["log_config"] = self.log_config
        cid = self._create(api, args)
        api.start(cid)  # a failure leaves it Created with State.Error: it reads as exited
        return cid

    async def stop_container(self, container_id: str, grace_seconds: float) -> None:
        # A pod may ask for any int64 of grace (Kubernetes accepts 2^62); Docker turns `t`
        # into a Go Duration and the client adds it to a socket timeout, and both overflow
        # far below that. 2^31-1 s (68 years) is "never kill" all the same.
        timeout = max(0, min(math.ceil(grace_seconds), MAX_STOP_TIMEOUT))
        with contextlib.suppress(NotFoundError):
            await self._run(lambda api: api.stop(container_id, timeout=timeout))

    async def remove_container(self, container_id: str) -> None:
        self._inspected.pop(container_id, None)
        try:
            await self._run(lambda api: api.remove_container(container_id, v=True, force=True))
        except NotFoundError:
            pass
        except RuntimeFailure as e:
            if "already in progress" not in str(e):
                raise

    # --- images -------------------------------------------------------------------------

    async def image_id(self, image: str) -> str | None:
        try:
            return (await self._run(lambda api: api.inspect_image(image)))["Id"]
        except NotFoundError:
            return None

    async def image_user(self, image: str) -> str:
        found = await self._run(lambda api: api.inspect_image(image))
        return (found.get("Config") or {}).get("User") or ""

    async def pull_image(self, image: str) -> str:
        repo, tag = parse_repository_tag(image)
        try:
            await self._run(lambda api: api.pull(repo, tag=tag or "latest"))
        except RuntimeFailure as e:
            raise ImagePullError(str(e)) from e
        found = await self.image_id(image)
        if found is None:
            raise ImagePullError(f"image {image} not present after pulling")
        return found

    # --- exec and logs ------------------------------------------------------------------

    async def _exec_create(self, container_id: str, command: list[str], stdin: bool,
                           tty: bool) -> str:
        created = await self._run(lambda api: api.exec_create(
            container_id, command, stdout=True, stderr=True, stdin=stdin, tty=tty))
        return created["Id"]

    async def _start_exec(self, exec_id: str, tty: bool) -> HijackedExec:
        version = self._client().api_version
        return await start_exec(self.docker_host, version, exec_id, tty)

    async def exec_sync(self, container_id: str, command: list[str], timeout: float
                        ) -> ExecResult:
        exec_id = await self._exec_create(container_id, command, False, False)
        session = await self._start_exec(exec_id, False)
        output = bytearray()
        try:
            async with asyncio.timeout(timeout):
                while (frame := await session.read()) is not None:
                    if len(output) < MAX_PROBE_OUTPUT:
                        output += frame[1]
        except TimeoutError:
            await self._kill_exec(exec_id)
            return ExecResult(None, bytes(output), timed_out=True)
        finally:
            await session.close()
        return ExecResult(await self._exec_exit_code(exec_id), bytes(output))

    async def _exec_exit_code(self, exec_id: str) -> int | None:
        for _ in range(50):  # the output can end a moment before the process is reaped
            info = await self._run(lambda api: api.exec_inspect(exec_id))
            if not info.get("Running"):
                return info.get("ExitCode")
            await asyncio.sleep(0.02)
        return None

    async def _kill_exec(self, exec_id: str) -> None:
        """Docker has no exec kill: signal the process (a host pid) and its children."""
        with contextlib.suppress(RuntimeFailure, RuntimeUnavailable):
            info = await self._run(lambda api: api.exec_inspect(exec_id))
            if info.get("Running") and info.get("Pid"):
                kill_process_tree(int(info["Pid"]))

    async def exec_stream(self, container_id: str, command: list[str], *, stdin: bool,
                          tty: bool) -> HijackedSession:
        exec_id = await self._exec_create(container_id, command, stdin, tty)
        return HijackedSession(
            await self._start_exec(exec_id, tty),
            lambda w, h: self._run(lambda api: api.exec_resize(exec_id, height=h, width=w)),
            lambda: self._exec_exit_code(exec_id))

    async def logs(self, container_id: str, *, follow: bool, tail: int | None,
                   timestamps: bool, since: float | None = None) -> AsyncIterator[bytes]:
        # Docker reads across the json-file driver's rotated files; `since` goes as a
        # float (its API takes fractional seconds); one at or before the epoch bounds
        # nothing, and the SDK refuses it, so it is left out.
        since = float(since) if since is not None and since > 0 else None
        stream = await self._run(lambda api: api.logs(
            container_id, stream=True, follow=follow, timestamps=timestamps,
            tail="all" if tail is None else tail, since=since))
        async for chunk in _pumped(stream):
            if isinstance(chunk, Exception):
                return
            yield chunk

    async def attach(self, container_id: str, *, stdin: bool, tty: bool
                     ) -> HijackedSession:
        version = self._client().api_version
        io = await attach_container(self.docker_host, version, container_id, stdin=stdin,
                                    tty=tty)
        return HijackedSession(io, lambda w, h: self._run(
            lambda api: api.resize(container_id, height=h, width=w)))

    # --- events and stats ---------------------------------------------------------------

    async def events(self, node: str) -> AsyncIterator[RuntimeEvent]:
        filters = {"type": ["container"], "label": [f"{labels.NODE}={node}"],
                   "event": EVENT_ACTIONS}
        stream = await self._run(lambda api: api.events(decode=True, filters=filters))
        self._inspected.clear()  # events may have been missed before this stream began
        async for raw in _pumped(stream):
            if isinstance(raw, Exception):
                raise RuntimeUnavailable(f"Docker event stream broke: {raw}")
            event = dockerwire.event_from(raw)
            if event is not None:
                if event.action == "oom":
                    self._oom_killed.add(event.container_id)
                elif event.action == "destroy":
                    self._oom_killed.discard(event.container_id)
                # Docker's list lags its events (it reads a replica): forget what we
                # inspected, so the woken pod worker inspects the container afresh.
                self._inspected.pop(event.container_id, None)
                yield event
        raise RuntimeUnavailable("Docker event stream ended")

    async def stats(self, container_ids: list[str]) -> list[ContainerStats]:
        async def one(cid: str) -> ContainerStats | None:
            try:
                raw = await self._run(lambda api: api.stats(cid, stream=False))
            except (RuntimeFailure, RuntimeUnavailable):
                return None
            return dockerwire.stats_from(cid, raw, time.time())

        return [s for s in await asyncio.gather(*(one(c) for c in container_ids)) if s]


async def _pumped(stream: Any) -> AsyncIterator[Any]:
    """Iterate a blocking SDK stream from a thread; closing the stream ends the thread.
    An exception in the stream arrives as a value (the consumer decides)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    done = object()

    def pump() -> None:
        try:
            for item in stream:
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except Exception as e:  # noqa: BLE001 - handed to the consumer
            loop.call_soon_threadsafe(queue.put_nowait, e)
        finally:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, done)

    threading.Thread(target=pump, daemon=True, name="docker-stream").start()
    try:
        while (item := await queue.get()) is not done:
            yield item
    finally:
        with contextlib.suppress(Exception):
            stream.close()


def kill_process_tree(pid: int) -> None:
    """SIGKILL `pid` and its descendants (found through /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    order, todo = [], [pid]
    while todo:
        p = todo.pop()
        order.append(p)
        todo.extend(children.get(p, []))
    for p in reversed(order):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)
