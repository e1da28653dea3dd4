"""Fixtures for the controller integration suite: the module's API server (tests/conftest)
with one controller manager process on fast flags, a client, and a namespace per test."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from tests.integration.controller.cluster import ControllerManagerProcess
from tests.support.processes import ApiServerProcess
from tugboat.client import SyncApiClient


@pytest.fixture(scope="module")
def kube(apiserver: ApiServerProcess) -> Iterator[SyncApiClient]:
    with SyncApiClient(apiserver.url, timeout=15.0) as client:
        yield client


@pytest.fixture(scope="module")
def manager(apiserver: ApiServerProcess, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[ControllerManagerProcess]:
    cm = ControllerManagerProcess(apiserver.url, tmp_path_factory.mktemp("cm")).start()
    yield cm
    cm.stop()


@pytest.fixture
def ns(kube: SyncApiClient, manager: ControllerManagerProcess,
       request: pytest.FixtureRequest) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"{base}-{secrets.token_hex(3)}"
    kube.create("namespaces", {"metadata": {"name": name}})
    return name
