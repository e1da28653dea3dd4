"""Fixtures for the API server integration suite: an HTTP client on the module's real
server process, and a fresh namespace per test so tests sharing a server stay independent."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import ApiServerProcess


@pytest.fixture(scope="module")
def client(apiserver: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=apiserver.url, timeout=15.0) as c:
        yield c


def unique_name(request: pytest.FixtureRequest, limit: int = 40) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:limit].strip("-")
    return f"{base}-{secrets.token_hex(3)}"


@pytest.fixture
def ns(client: httpx.Client, request: pytest.FixtureRequest) -> str:
    name = unique_name(request)
    r = client.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": name}})
    assert r.status_code == 201, r.text
    return name


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A unique DNS-1123 name for cluster-scoped objects (nodes, namespaces)."""
    return unique_name(request, 30)
