"""The Runtime interface (the kubelet's CRI): what pod workers, the prober and the kubelet
server need from a container engine, split CRI-style into small protocols. `docker.py` is
the real implementation (and the only module that imports the Docker SDK); `fake.py` keeps
containers in memory for unit tests and control-plane scale benchmarks.

Every method is a coroutine (or an async iterator); a runtime that cannot be reached raises
RuntimeUnavailable, a refused operation RuntimeFailure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from tugboat.kubelet.runtime.types import (
    SANDBOX_NAME,
    SECCOMP_RUNTIME_DEFAULT,
    SECCOMP_UNCONFINED,
    ContainerConfig,
    ContainerStats,
    ExecResult,
    ImagePullError,
    Mount,
    NotFoundError,
    PodRef,
    PortMapping,
    RuntimeContainer,
    RuntimeEvent,
    RuntimeFailure,
    RuntimeUnavailable,
    SandboxConfig,
    SecurityConfig,
    State,
)

__all__ = [
    "SANDBOX_NAME", "SECCOMP_RUNTIME_DEFAULT", "SECCOMP_UNCONFINED", "ContainerConfig", "ContainerRuntime", "ContainerStats", "ExecResult",
    "ExecSession", "ImagePullError", "ImageService", "Mount", "NotFoundError", "PodRef",
    "PortMapping", "Runtime", "RuntimeContainer", "RuntimeEvent", "RuntimeFailure",
    "RuntimeUnavailable", "SandboxConfig", "SecurityConfig", "State", "StreamingRuntime",
]


class ContainerRuntime(Protocol):
    """Sandboxes and containers: run, stop, remove, list."""

    async def version(self) -> str:
        """`docker://20.10.24`: Node.status.nodeInfo.containerRuntimeVersion."""
        ...

    async def ping(self) -> None:
        """Return if the runtime answers; raise RuntimeUnavailable if not."""
        ...

    async def list_containers(self, node: str, pod_uid: str | None = None
                              ) -> list[RuntimeContainer]:
        """Every container (running or not, sandboxes included) labelled with `node`,
        or with `node` and `pod_uid`."""
        ...

    async def run_sandbox(self, config: SandboxConfig) -> RuntimeContainer:
        """Create and start the pod's sandbox; the result carries the pod IP."""
        ...

    async def start_container(self, config: ContainerConfig, sandbox: RuntimeContainer) -> str:
        """Create a container in the sandbox's namespaces and start it; its id."""
        ...

    async def stop_container(self, container_id: str, grace_seconds: float) -> None:
        """SIGTERM, then SIGKILL after the grace period. Stopping a stopped one is fine."""
        ...

    async def remove_container(self, container_id: str) -> None:
        """Remove (forcefully); removing a missing container is fine."""
        ...

    def events(self, node: str) -> AsyncIterator[RuntimeEvent]:
        """Container lifecycle events of the node's containers, until the stream breaks
        (RuntimeUnavailable)."""
        ...

    async def stats(self, container_ids: list[str]) -> list[ContainerStats]:
        ...

    async def close(self) -> None:
        ...


class ImageService(Protocol):
    async def image_id(self, image: str) -> str | None:
        """The local image's id, or None when it is not present."""
        ...

    async def image_user(self, image: str) -> str:
        """The user the image runs as ("" when it does not say: root)."""
        ...

    async def pull_image(self, image: str) -> str:
        """Pull and return the image id; ImagePullError when it cannot be pulled."""
        ...


class ExecSession(Protocol):
    """An interactive exec (kubectl exec): output as (stream, bytes), 1 stdout, 2 stderr."""

    async def read(self) -> tuple[int, bytes] | None:
        """The next output chunk, or None at the end of output."""
        ...

    async def write(self, data: bytes) -> None:
        ...

    async def close_stdin(self) -> None:
        ...

    async def resize(self, width: int, height: int) -> None:
        ...

    async def exit_code(self) -> int | None:
        ...

    async def close(self) -> None:
        ...


class StreamingRuntime(Protocol):
    """Exec and logs: the prober's exec probes and the kubelet server."""

    async def exec_sync(self, container_id: str, command: list[str], timeout: float
                        ) -> ExecResult:
        """Run to completion; a command that overruns `timeout` is killed and reported
        with timed_out=True."""
        ...

    async def exec_stream(self, container_id: str, command: list[str], *, stdin: bool,
                          tty: bool) -> ExecSession:
        ...

    def logs(self, container_id: str, *, follow: bool, tail: int | None,
             timestamps: bool, since: float | None = None) -> AsyncIterator[bytes]:
        """The container's output: the last `tail` lines (None: all) of those written at
        or after `since` (Unix seconds; None: from the start)."""
        ...

    async def attach(self, container_id: str, *, stdin: bool, tty: bool) -> ExecSession:
        """The running container's own stdio (kubectl attach); its exit code is 0."""
        ...


class Runtime(ContainerRuntime, ImageService, StreamingRuntime, Protocol):
    """All of it: what a runtime implementation provides."""
