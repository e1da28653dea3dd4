"""The Docker runtime's stop timeout: a pod may carry any int64 grace period (Kubernetes
accepts 2^62 s), and the stop call must still be one Docker and the HTTP client can make
(Go's Duration and Python's socket timeout both overflow far below 2^62)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tugboat.kubelet.runtime.docker import MAX_STOP_TIMEOUT, DockerRuntime


class RecordingApi:
    def __init__(self) -> None:
        self.stops: list[tuple[str, int]] = []

    def stop(self, container_id: str, timeout: int) -> None:
        self.stops.append((container_id, timeout))

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("grace", "sent"), [
    (0.0, 0), (2.5, 3), (30.0, 30), (float(2**62), MAX_STOP_TIMEOUT), (-1.0, 0)])
def test_stop_timeout_fits_docker(grace: float, sent: int) -> None:
    runtime: Any = DockerRuntime(pool_size=1)
    api = RecordingApi()
    runtime._api = api
    try:
        asyncio.run(runtime.stop_container("c1", grace))
    finally:
        asyncio.run(runtime.close())
    assert api.stops == [("c1", sent)]
