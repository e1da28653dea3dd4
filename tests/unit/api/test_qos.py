"""The QoS class as both the API server and the kubelet compute it: init containers count,
zero means unset, and a recorded class is kept."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.qos import pod_qos_class, qos_class

FULL = {"cpu": "500m", "memory": "64Mi"}


def _pod(containers: list[dict[str, Any]], init: list[dict[str, Any]] | None = None,
         qos: str | None = None) -> Pod:
    def spec(i: int, resources: dict[str, Any]) -> dict[str, Any]:
        return {"name": f"c{i}", "image": "busybox:1.35", "resources": resources}
    body: dict[str, Any] = {"spec": {"containers": [spec(i, r) for i, r in enumerate(containers)]}}
    if init is not None:
        body["spec"]["initContainers"] = [spec(10 + i, r) for i, r in enumerate(init)]
    if qos:
        body["status"] = {"qosClass": qos}
    return Pod.model_validate(body)


@pytest.mark.parametrize(("containers", "init", "expected"), [
    ([{}], None, "BestEffort"),
    ([{"limits": FULL, "requests": FULL}], None, "Guaranteed"),
    ([{"limits": FULL, "requests": FULL}], [{}], "Burstable"),
    ([{"limits": FULL, "requests": FULL}], [{"limits": FULL, "requests": FULL}], "Guaranteed"),
    ([{}], [{"requests": {"memory": "1Mi"}}], "Burstable"),
    ([{"requests": {"cpu": "0", "memory": "0"}}], None, "BestEffort"),
    ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "512Mi"}}],
     None, "Burstable"),
    ([{"limits": {"nvidia.com/gpu": "1"}}], None, "BestEffort"),
], ids=["nothing", "equal", "init-empty", "init-equal", "init-request", "zeros",
        "request-below-limit", "extended-only"])
def test_qos_class_counts_every_container(containers: list[dict[str, Any]],
                                         init: list[dict[str, Any]] | None,
                                         expected: str) -> None:
    assert qos_class(_pod(containers, init).spec) == expected


def test_the_recorded_class_wins_over_computing() -> None:
    assert pod_qos_class(_pod([{}], qos="Burstable")) == "Burstable"
    assert pod_qos_class(_pod([{"limits": FULL, "requests": FULL}])) == "Guaranteed"
