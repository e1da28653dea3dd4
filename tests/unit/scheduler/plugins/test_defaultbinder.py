"""DefaultBinder: POST pods/{name}/binding with the uid; a refusal is an Error status."""

from __future__ import annotations

import pytest

from tugboat.api.meta import Status as ApiStatus
from tugboat.client import Conflict
from tugboat.scheduler.framework import Code, CycleState, PodInfo
from tugboat.scheduler.plugins.defaultbinder import DefaultBinder

from ..objects import make_pod

pytestmark = pytest.mark.anyio


class Client:
    def __init__(self, error: Exception | None = None):
        self.calls: list[tuple] = []
        self.error = error

    async def bind(self, name, node, namespace=None, *, uid=None):
        self.calls.append((name, node, namespace, uid))
        if self.error:
            raise self.error


async def test_binds_with_uid():
    client = Client()
    pod = PodInfo.of(make_pod("web", "prod", uid="u-1"))
    assert await DefaultBinder(client).bind(CycleState(), pod, "n1") is None
    assert client.calls == [("web", "n1", "prod", "u-1")]


async def test_refusal_is_an_error_status():
    conflict = Conflict(ApiStatus(code=409, reason="Conflict",
                                  message='pod web is already assigned to node "n2"'))
    status = await DefaultBinder(Client(conflict)).bind(CycleState(),
                                                        PodInfo.of(make_pod("web")), "n1")
    assert status.code is Code.ERROR
    assert "already assigned" in status.message()
