"""pods/binding: a validated Binding sets spec.nodeName once, adds its annotations and the
PodScheduled condition; anything else about the pod stays as stored."""

from __future__ import annotations

import pytest

from tests.unit.apiserver.strategies.objects import PODS, Obj, stored
from tugboat.api.core import Pod
from tugboat.apiserver import errors
from tugboat.apiserver.strategies import strategy_for

SPEC = {"containers": [{"name": "c", "image": "busybox"}]}


def defaulted(pod: Obj) -> Pod:
    """The pod as stored: decoded and defaulted."""
    model = Pod.model_validate(pod)
    strategy_for(PODS).default(model, creating=False)
    return model


def binding(node: object = "node-1", **meta: object) -> Obj:
    return {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "x", **meta},
            "target": {"kind": "Node", "name": node}}


@pytest.mark.parametrize(("body", "pod_meta", "pod_spec", "code", "reason"), [
    (binding(), {}, SPEC, None, None),
    (binding(annotations={"a.io/b": "c"}), {}, SPEC, None, None),
    (binding(7), {}, SPEC, 422, "Invalid"),                    # a number is no node name
    (binding(""), {}, SPEC, 422, "Invalid"),
    ({"kind": "Binding", "target": {"kind": "Pod", "name": "n"}}, {}, SPEC, 422, "Invalid"),
    ({"kind": "Pod", "target": {"name": "n"}}, {}, SPEC, 400, "BadRequest"),
    (binding(uid="other"), {}, SPEC, 409, "Conflict"),
    (binding(uid="u-1"), {}, SPEC, None, None),
    (binding(), {"deletionTimestamp": "t"}, SPEC, 409, "Conflict"),
    (binding(), {}, {**SPEC, "nodeName": "node-2"}, 409, "Conflict"),
])
def test_binding(body: Obj, pod_meta: Obj, pod_spec: Obj, code: int | None,
                 reason: str | None) -> None:
    old = stored("Pod", metadata=pod_meta, spec=pod_spec, status={"phase": "Pending"})
    strat = strategy_for(PODS, "binding")
    if code is not None:
        with pytest.raises(errors.ApiError) as e:
            strat.prepare_for_update(body, old)
        assert (e.value.code, e.value.reason) == (code, reason)
        return
    pod = strat.prepare_for_update(body, old)
    assert pod["spec"] == {**SPEC, "nodeName": "node-1"}
    assert pod["status"]["conditions"][0]["type"] == "PodScheduled"
    assert pod["metadata"].get("annotations", {}) == body["metadata"].get("annotations", {})
    assert "nodeName" not in old["spec"]  # the stored pod is never changed in place
    # the bound pod passes validation as an update of the stored one
    assert strat.validate(defaulted(pod), defaulted(old)) == []


def test_a_binding_changes_no_other_spec_field() -> None:
    strat = strategy_for(PODS, "binding")
    old = defaulted(stored("Pod", spec=SPEC))
    bound = defaulted(stored("Pod", spec={**SPEC, "nodeName": "n", "hostNetwork": True}))
    assert [c.field for c in strat.validate(bound, old)] == ["spec"]
