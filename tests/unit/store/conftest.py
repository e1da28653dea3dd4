"""Fixtures for the store tests: the anyio backend and a started store per implementation.

The contract suite asks for `store` (or `backend` to open one itself); adding a backend to
BACKENDS runs the whole suite against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tugboat.store import Store
from tugboat.store.sqlite import SQLiteStore


@dataclass(frozen=True)
class Backend:
    """How to build one Store implementation over a test's private folder. Building it
    twice on the same folder must reach the same data (the persistence tests reopen)."""

    name: str
    build: Callable[[Path], Store]


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder}/data/state.db"


BACKENDS = [
    Backend("sqlite", lambda folder: SQLiteStore(sqlite_url(folder))),
]



@pytest.fixture(params=BACKENDS, ids=lambda backend: backend.name)
def backend(request: pytest.FixtureRequest) -> Backend:
    return request.param


@pytest.fixture
async def store(backend: Backend, tmp_path: Path) -> AsyncIterator[Store]:
    opened = backend.build(tmp_path)
    await opened.start()
    yield opened
    await opened.close()  # a test may have closed it already: close is idempotent


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    opened = SQLiteStore(sqlite_url(tmp_path))
    await opened.start()
    yield opened
    await opened.close()
