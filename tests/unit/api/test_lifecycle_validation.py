"""Lifecycle hooks' validation as Kubernetes 1.32: a sleep must be more than 0 seconds and
fit in the pod's terminationGracePeriodSeconds (the cause names .sleep, with its message)."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate


def _pod(hook: dict[str, Any], grace: int | None = None) -> Pod:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "busybox:1.35",
                                            "lifecycle": hook}]}
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    pod = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"},
                              "spec": spec})
    apply_defaults(pod)
    return pod


@pytest.mark.parametrize(("hook", "seconds", "grace"), [
    ("preStop", 0, None), ("preStop", -1, None), ("postStart", 31, None), ("preStop", 6, 5),
])
def test_a_sleep_out_of_range(hook: str, seconds: int, grace: int | None) -> None:
    [cause] = validate(_pod({hook: {"sleep": {"seconds": seconds}}}, grace), None)
    limit = 30 if grace is None else grace
    assert (cause.field, cause.reason) == (
        f"spec.containers[0].lifecycle.{hook}.sleep", "FieldValueInvalid")
    assert cause.message == (
        f"Invalid value: {seconds}: must be greater than 0 and less than "
        f"terminationGracePeriodSeconds ({limit}). Enable AllowPodLifecycleSleepActionZeroValue "
        "feature gate for zero sleep.")


@pytest.mark.parametrize(("seconds", "grace"), [(1, None), (30, None), (5, 5)])
def test_a_sleep_within_the_grace_period(seconds: int, grace: int | None) -> None:
    assert validate(_pod({"preStop": {"sleep": {"seconds": seconds}}}, grace), None) == []


def test_exec_and_http_hooks() -> None:
    assert validate(_pod({"postStart": {"exec": {"command": ["true"]}},
                          "preStop": {"httpGet": {"port": 8080}}}), None) == []
