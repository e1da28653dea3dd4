"""The ExecSession Docker's streaming calls give (the CRI's streaming server, on Docker):
`kubectl exec` on a Docker exec and `kubectl attach` on a container's own stdio are the
same hijacked connection (dockerhijack.py); they differ only in how a terminal is resized
and what exit code the session reports, which the runtime hands in. Kept apart from
docker.py so that module stays the SDK's calls."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from tugboat.kubelet.runtime.dockerhijack import HijackedExec
from tugboat.kubelet.runtime.types import RuntimeFailure, RuntimeUnavailable

Resize = Callable[[int, int], Awaitable[object]]  # (width, height)
ExitCode = Callable[[], Awaitable[int | None]]


async def _attached() -> int | None:
    return 0  # an attach that ran to the end succeeded, whatever the container's code


class HijackedSession:
    """One exec or attach session. Closing stdin is Docker's to interpret: an exec's
    process sees EOF; on an attach, a stdinOnce container (without a tty) gets its stdin
    closed and the output goes on until it exits, while any other container keeps its
    stdin for the next attach and this attach ends (what containerd's CRI does)."""

    def __init__(self, hijacked: HijackedExec, resize: Resize,
                 exit_code: ExitCode = _attached):
        self._io, self._resize, self._exit_code = hijacked, resize, exit_code

    async def read(self) -> tuple[int, bytes] | None:
        return await self._io.read()

    async def write(self, data: bytes) -> None:
        await self._io.write(data)

    async def close_stdin(self) -> None:
        await self._io.close_stdin()

    async def resize(self, width: int, height: int) -> None:
        with contextlib.suppress(RuntimeFailure, RuntimeUnavailable):  # a gone process
            await self._resize(width, height)

    async def exit_code(self) -> int | None:
        return await self._exit_code()

    async def close(self) -> None:
        await self._io.close()
