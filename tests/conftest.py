"""Shared fixtures: real API server processes on free ports with their own data folders."""

from __future__ import annotations

import pytest

from tests.support.processes import ApiServerProcess


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory):
    """A real tug-apiserver process (module-scoped: start-up is not what tests measure)."""
    proc = ApiServerProcess(tmp_path_factory.mktemp("apiserver"))
    proc.start()
    yield proc
    proc.stop()
