"""Status diffing: a status is queued for writing only when it differs from the API's copy
(or from our own write the informer has not caught up with), and quick changes coalesce."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod, PodStatus
from tugboat.kubelet.statusmanager import StatusManager

from .conftest import make_pod

pytestmark = pytest.mark.anyio


class FakeClient:
    def __init__(self) -> None:
        self.patches: list[tuple[str, Any]] = []
        self.rv = 10

    async def patch(self, resource: str, name: str, body: Any, namespace: str | None = None,
                    **kwargs: Any) -> dict[str, Any]:
        self.patches.append((name, body))
        self.rv += 1
        return {"metadata": {"resourceVersion": str(self.rv)}}


def running(ip: str = "10.1.1.1") -> PodStatus:
    return PodStatus(phase="Running", podIP=ip, qosClass="BestEffort")


async def test_an_unchanged_status_is_not_written() -> None:
    pod = make_pod()
    pod.status = running()
    client = FakeClient()
    sm = StatusManager(client, lambda p: pod)  # type: ignore[arg-type]
    sm.set(pod, running())
    assert len(sm.queue) == 0


async def test_a_changed_status_is_written_once_as_a_uid_guarded_json_patch() -> None:
    pod = make_pod()
    client = FakeClient()
    sm = StatusManager(client, lambda p: pod)  # type: ignore[arg-type]
    sm.set(pod, running("10.1.1.1"))
    sm.set(pod, running("10.1.1.2"))  # coalesces with the first
    assert len(sm.queue) == 1
    await sm._write(pod.metadata.uid or "")
    [(name, patch)] = client.patches
    assert name == "web"
    assert patch[0] == {"op": "test", "path": "/metadata/uid", "value": "uid-web"}
    assert patch[1]["path"] == "/status" and patch[1]["value"]["podIP"] == "10.1.1.2"


async def test_our_own_write_is_not_repeated_while_the_informer_lags() -> None:
    pod = make_pod()
    client = FakeClient()
    api: list[Pod] = [pod]
    sm = StatusManager(client, lambda p: api[0])  # type: ignore[arg-type]
    sm.set(pod, running())
    uid = await sm.queue.get()
    await sm._write(str(uid))
    sm.queue.done(uid)
    sm.set(pod, running())  # the informer still shows the old status (rv 1 < 11)
    assert len(client.patches) == 1 and len(sm.queue) == 0
    changed = pod.model_copy(deep=True)
    changed.metadata.resourceVersion = "20"
    changed.status = PodStatus(phase="Unknown")  # someone else wrote since
    api[0] = changed
    sm.set(pod, running())
    assert len(sm.queue) == 1


def test_current_prefers_what_the_kubelet_computed() -> None:
    pod = make_pod()
    pod.status = PodStatus(phase="Pending")
    sm = StatusManager(None, lambda p: pod)
    assert sm.current(pod).phase == "Pending"
    sm._cache[pod.metadata.uid or ""] = running()
    assert sm.current(pod).phase == "Running"
