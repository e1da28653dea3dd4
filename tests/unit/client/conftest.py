"""Fixtures shared by the client tests: the anyio backend, a fake clock, and a
`widgets` resource typed by a small test model (so tests need no api/core.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.meta import K8sModel, ObjectMeta
from tugboat.api.resources import ResourceInfo

FakeClock = ManualClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class Widget(K8sModel):
    apiVersion: str = "example.com/v1"
    kind: str = "Widget"
    metadata: ObjectMeta = ObjectMeta()
    spec: dict[str, Any] | None = None


@pytest.fixture
def widgets() -> ResourceInfo:
    info = ResourceInfo("example.com", "v1", "widgets", "Widget", True, "meta:ObjectMeta",
                        subresources=("status", "scale"))
    info.__dict__["model"] = Widget  # fills the lazily resolved model (a cached_property)
    return info
