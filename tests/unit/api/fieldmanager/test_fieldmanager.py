"""The field manager: what updates and applies record in managedFields, conflicts and
force, pruning of fields an applier drops, the entry cap, and client-set managedFields."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tugboat.api.fieldmanager import ApplyConflict, FieldManager, InvalidManagedFields
from tugboat.api.fieldmanager.manager import LAST_APPLIED, BadApply, manager_name

Obj = dict[str, Any]
FM = FieldManager("Deployment", "apps/v1")


def deployment(replicas: int = 1, **labels: str) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns", "uid": "u", "generation": 1,
                         "creationTimestamp": "2024-01-01T00:00:00Z",
                         **({"labels": labels} if labels else {})},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "d"}},
                     "template": {"metadata": {"labels": {"app": "d"}}, "spec": {
                         "containers": [{"name": "c", "image": "nginx"}]}}}}


def created(manager: str = "kubectl-create", obj: Obj | None = None) -> Obj:
    obj = obj or deployment()
    obj["metadata"]["managedFields"] = FM.update(None, obj, manager)
    return obj


def entries(obj: Obj) -> dict[tuple[str, str], Obj]:
    return {(e["manager"], e["operation"]): e for e in obj["metadata"]["managedFields"]}


def apply_config(**spec: Any) -> Obj:
    cfg: Obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    if spec:
        cfg["spec"] = spec
    return cfg


def test_manager_defaults_to_the_user_agent_product() -> None:
    assert manager_name(None, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc") == "kubectl"
    assert manager_name(None, "OpenAPI-Generator/31.0.0/python") == "OpenAPI-Generator"
    assert manager_name("mine", "kubectl/v1") == "mine"
    assert manager_name(None, "x" * 300) == "x" * 128


def test_a_create_records_every_field_but_the_servers() -> None:
    obj = created()
    (e,) = obj["metadata"]["managedFields"]
    assert (e["manager"], e["operation"], e["apiVersion"], e["fieldsType"]) == \
        ("kubectl-create", "Update", "apps/v1", "FieldsV1")
    assert e["time"].endswith("Z")
    fields = e["fieldsV1"]
    assert "f:metadata" not in fields  # name, namespace, uid ... are nobody's
    assert "f:apiVersion" not in fields and "f:kind" not in fields
    assert fields["f:spec"]["f:replicas"] == {}
    assert fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"c"}'] == \
        {".": {}, "f:name": {}, "f:image": {}}


def test_an_update_takes_the_fields_it_changes() -> None:
    obj = created()
    new = copy.deepcopy(obj)
    new["spec"]["replicas"] = 5
    new["metadata"]["managedFields"] = FM.update(obj, new, "scaler")
    got = entries(new)
    assert got["scaler", "Update"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in got["kubectl-create", "Update"]["fieldsV1"]["f:spec"]


def test_an_unchanged_update_changes_no_entry() -> None:
    obj = created()
    same = copy.deepcopy(obj)
    assert FM.update(obj, same, "other") == obj["metadata"]["managedFields"]


def test_status_is_not_owned_through_the_object_and_spec_not_through_status() -> None:
    obj = created()
    new = copy.deepcopy(obj)
    new["status"] = {"replicas": 1}
    assert FM.update(obj, new, "x") == obj["metadata"]["managedFields"]
    status = FieldManager("Deployment", "apps/v1", "status").update(obj, new, "ctrl")
    e = {x["manager"]: x for x in status}["ctrl"]
    assert e["subresource"] == "status"
    assert e["fieldsV1"] == {"f:status": {"f:replicas": {}}}  # Go always holds a status


def test_reset_with_an_empty_list_and_invalid_entries() -> None:
    obj = created()
    new = copy.deepcopy(obj)
    new["metadata"]["managedFields"] = []
    assert FM.update(obj, new, "x") == []
    new["metadata"]["managedFields"] = [{}]
    assert FM.update(obj, new, "x") == []
    # an entry that does not decode is ignored: the stored ones stay
    new["metadata"]["managedFields"] = [{"manager": "m", "fieldsType": "Other"}]
    assert FM.update(obj, new, "x") == obj["metadata"]["managedFields"]
    bad = {"manager": "m", "operation": "Bogus", "fieldsType": "FieldsV1", "fieldsV1": {}}
    new["metadata"]["managedFields"] = [bad]
    with pytest.raises(InvalidManagedFields) as e:
        FM.update(obj, new, "x")
    assert e.value.causes[0].field == "metadata.managedFields[0].operation"
    assert e.value.causes[0].message == 'Invalid value: "Bogus": must be `Apply` or `Update`'


def test_a_client_may_rewrite_entries() -> None:
    obj = created()
    new = copy.deepcopy(obj)
    new["metadata"]["managedFields"][0]["manager"] = "renamed"
    got = FM.update(obj, new, "x")
    assert [e["manager"] for e in got] == ["renamed"]


def test_more_than_ten_updaters_fold_into_ancient_changes() -> None:
    obj = created()
    for i in range(12):
        new = copy.deepcopy(obj)
        new["metadata"].setdefault("annotations", {})[f"a{i}"] = "x"
        new["metadata"]["managedFields"] = FM.update(obj, new, f"m{i:02}")
        for j, e in enumerate(new["metadata"]["managedFields"]):
            e["time"] = f"2024-01-01T00:00:{j:02}Z"  # distinct, in order
        obj = new
    managers = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(managers) == 10
    assert "ancient-changes" in managers and "kubectl-create" not in managers


def test_apply_conflicts_with_another_managers_field() -> None:
    obj = created("kubectl-client-side-apply")
    with pytest.raises(ApplyConflict) as e:
        FM.apply(obj, apply_config(replicas=3), "ssa", False)
    assert e.value.message == ('Apply failed with 1 conflict: conflict with '
                               '"kubectl-client-side-apply" using apps/v1: .spec.replicas')
    (cause,) = e.value.causes()
    assert cause.wire() == {"reason": "FieldManagerConflict", "field": ".spec.replicas",
                            "message": 'conflict with "kubectl-client-side-apply" using apps/v1'}


def test_several_conflicts_are_listed_by_manager() -> None:
    obj = created("a")
    new = copy.deepcopy(obj)
    new["metadata"]["managedFields"] = FM.apply(obj, apply_config(replicas=2), "b", True)[
        "metadata"]["managedFields"]
    new["spec"]["replicas"] = 2
    cfg = apply_config(replicas=7, template={"spec": {"containers": [
        {"name": "c", "image": "redis"}]}})
    with pytest.raises(ApplyConflict) as e:
        FM.apply(new, cfg, "z", False)
    assert e.value.message == (
        'Apply failed with 2 conflicts: conflicts with "a" using apps/v1:\n'
        '- .spec.template.spec.containers[name="c"].image\n'
        'conflicts with "b":\n- .spec.replicas')


def test_same_value_is_shared_and_force_takes_the_field() -> None:
    obj = created()
    shared = FM.apply(obj, apply_config(replicas=1), "ssa", False)
    got = entries(shared)
    assert got["ssa", "Apply"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" in got["kubectl-create", "Update"]["fieldsV1"]["f:spec"]
    forced = FM.apply(obj, apply_config(replicas=4), "ssa", True)
    assert forced["spec"]["replicas"] == 4
    got = entries(forced)
    assert "f:replicas" not in got["kubectl-create", "Update"]["fieldsV1"]["f:spec"]


def test_fields_an_applier_drops_are_removed_unless_others_own_them() -> None:
    obj = created()
    cfg = apply_config(replicas=1, minReadySeconds=5)
    cfg["metadata"]["labels"] = {"team": "a"}
    applied = FM.apply(obj, cfg, "ssa", False)
    assert applied["spec"]["minReadySeconds"] == 5
    again = FM.apply(applied, apply_config(), "ssa", False)
    assert "minReadySeconds" not in again["spec"]  # only ssa owned it
    assert "labels" not in again["metadata"]
    assert again["spec"]["replicas"] == 1  # kubectl-create owns it too
    assert ("ssa", "Apply") not in entries(again)


def test_an_update_moves_ownership_from_the_applier() -> None:
    applied = FM.apply(None, {**deployment(2), "metadata": {"name": "d"}}, "ssa", False)
    new = copy.deepcopy(applied)
    new["spec"]["replicas"] = 9
    new["metadata"]["managedFields"] = FM.update(applied, new, "hpa")
    got = entries(new)
    assert got["hpa", "Update"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in got["ssa", "Apply"]["fieldsV1"]["f:spec"]
    # and the applier applying its old value now conflicts with the updater
    with pytest.raises(ApplyConflict):
        FM.apply(new, apply_config(replicas=2), "ssa", False)


def test_kubectl_takes_fields_its_client_side_apply_annotation_names() -> None:
    cfg = deployment(2)
    obj = deployment(2)
    obj["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(cfg)}
    obj = created("kubectl-client-side-apply", obj)
    changed = copy.deepcopy(cfg)
    changed["spec"]["replicas"] = 3
    with pytest.raises(ApplyConflict):
        FM.apply(obj, changed, "other-manager", False)
    out = FM.apply(obj, changed, "kubectl", False)
    assert out["spec"]["replicas"] == 3
    last = json.loads(out["metadata"]["annotations"][LAST_APPLIED])
    assert last["spec"]["replicas"] == 3  # the annotation follows what kubectl applied


def test_apply_refuses_managed_fields_in_the_configuration() -> None:
    cfg = apply_config()
    cfg["metadata"]["managedFields"] = []
    with pytest.raises(BadApply):
        FM.apply(None, cfg, "x", False)
