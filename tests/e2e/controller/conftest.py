"""One real cluster (API server, scheduler, controller manager, two kubelets on this
host's Docker) shared by the controller end-to-end tests, a namespace per test, and
cleanup of every container the test nodes left. Skipped where Docker or the local images
(`make images`) are missing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from tests.e2e.controller.cluster import Cluster
from tugboat.client import SyncApiClient


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("e2e-cluster"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture
def kube(cluster: Cluster) -> SyncApiClient:
    assert cluster.kube is not None
    return cluster.kube


@pytest.fixture
def ns(kube: SyncApiClient, request: pytest.FixtureRequest) -> Iterator[str]:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"{base}-{secrets.token_hex(3)}"
    kube.create("namespaces", {"metadata": {"name": name}})
    yield name
    kube.delete("namespaces", name)  # the namespace controller empties it in the background
