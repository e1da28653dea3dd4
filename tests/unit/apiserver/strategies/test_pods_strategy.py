"""Pods: initial status on create, and Kubernetes' CheckGracefulDelete."""

from __future__ import annotations

import pytest

from tests.unit.apiserver.strategies.objects import PODS, Obj, stored
from tugboat.api.core import Pod
from tugboat.apiserver.strategies import strategy_for

POD_SPEC = {"containers": [{"name": "c", "image": "busybox"}]}


@pytest.mark.parametrize(("spec", "status", "requested", "grace"), [
    ({}, {}, None, 0),                                          # unscheduled: at once
    ({"nodeName": "n1"}, {}, None, 30),                         # bound: the default
    ({"nodeName": "n1", "terminationGracePeriodSeconds": 7}, {}, None, 7),
    ({"nodeName": "n1"}, {}, 5, 5),                             # the request wins
    ({"nodeName": "n1"}, {}, -3, 1),                            # negative reads as 1 s
    ({"nodeName": "n1", "terminationGracePeriodSeconds": -5}, {}, None, 1),
    ({"nodeName": "n1", "terminationGracePeriodSeconds": 2**62}, {}, None, 2**62),
    ({"nodeName": "n1"}, {"phase": "Succeeded"}, None, 0),      # finished: at once
    ({"nodeName": "n1"}, {"phase": "Failed"}, 10, 0),
])
def test_grace_period(spec: Obj, status: Obj, requested: int | None, grace: int) -> None:
    pod = stored("Pod", spec=spec, status=status)
    assert strategy_for(PODS).grace_period(pod, requested) == grace


def test_new_pods_start_pending_and_updates_keep_their_status() -> None:
    strat = strategy_for(PODS)
    pod = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"},
                              "spec": POD_SPEC})
    strat.default(pod, creating=True)
    assert pod.status.phase == "Pending"
    running = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"},
                                  "spec": POD_SPEC, "status": {"phase": "Running"}})
    strat.default(running, creating=False)
    assert running.status.phase == "Running"
