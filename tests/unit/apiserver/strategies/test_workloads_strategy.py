"""Nodes keep their status on create; workloads' Scale selector; Jobs' generated selector;
/status and /scale change only what they own."""

from __future__ import annotations

import pytest

from tests.unit.apiserver.strategies.objects import (
    DEPLOYMENTS,
    JOBS,
    NODES,
    RCS,
    Obj,
    none_stored,
    stored,
)
from tugboat.api.batch import Job
from tugboat.apiserver import errors
from tugboat.apiserver.strategies import strategy_for


def test_node_keeps_the_status_it_registers_with() -> None:
    body: Obj = {"metadata": {"name": "n1"}, "status": {"capacity": {"pods": "110"}}}
    strategy_for(NODES).prepare_for_create(body, None, none_stored)
    assert body["status"] == {"capacity": {"pods": "110"}}


@pytest.mark.parametrize(("info", "selector", "text"), [
    (RCS, {"app": "web", "tier": "a"}, "app=web,tier=a"),
    (DEPLOYMENTS, {"matchLabels": {"app": "web"}}, "app=web"),
    (DEPLOYMENTS, None, ""),
])
def test_scale_selector(info, selector: Obj | None, text: str) -> None:
    obj = stored(info.kind, spec={"selector": selector} if selector else {})
    assert strategy_for(info).scale_selector(obj) == text


def test_job_selector_is_generated_from_its_uid_on_create() -> None:
    job = Job.model_validate({"metadata": {"name": "j", "namespace": "default", "uid": "u-9"},
                              "spec": {"template": {"spec": {
                                  "restartPolicy": "Never",
                                  "containers": [{"name": "c", "image": "busybox"}]}}}})
    strategy_for(JOBS).default(job, creating=True)
    assert "u-9" in job.spec.selector.matchLabels.values()
    assert "u-9" in job.spec.template.metadata.labels.values()


def test_status_changes_only_status() -> None:
    old = stored("Deployment", spec={"replicas": 1}, status={"replicas": 0},
                 metadata={"labels": {"a": "b"}})
    new = {"metadata": {"name": "x", "labels": {}}, "spec": {"replicas": 9},
           "status": {"replicas": 1}}
    out = strategy_for(DEPLOYMENTS, "status").prepare_for_update(new, old)
    assert out["spec"] == {"replicas": 1} and out["metadata"] == old["metadata"]
    assert out["status"] == {"replicas": 1}


@pytest.mark.parametrize(("scale", "code", "replicas"), [
    ({"kind": "Scale", "spec": {"replicas": 3}}, None, 3),
    ({"spec": {"replicas": 0}}, None, 0),
    ({"kind": "Scale", "spec": {"replicas": -1}}, 422, None),
    ({"kind": "Scale", "spec": {"replicas": "3"}}, 422, None),
    ({"kind": "Scale", "spec": {"replicas": True}}, 422, None),
    ({"kind": "Deployment", "spec": {"replicas": 3}}, 400, None),
])
def test_scale_changes_only_replicas(scale: Obj, code: int | None, replicas: int | None) -> None:
    old = stored("Deployment", spec={"replicas": 1, "paused": False}, status={"replicas": 1})
    strat = strategy_for(DEPLOYMENTS, "scale")
    if code is not None:
        with pytest.raises(errors.ApiError) as e:
            strat.prepare_for_update(scale, old)
        assert e.value.code == code
        return
    out = strat.prepare_for_update(scale, old)
    assert out["spec"] == {"replicas": replicas, "paused": False}
    assert out["metadata"]["generation"] == (1 if replicas == 1 else 2)
