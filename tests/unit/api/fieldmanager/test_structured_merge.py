"""The structured merge on wire objects: field sets, comparisons, merges and removals
follow each field's list type (associative, set, atomic) as Kubernetes' schema says."""

from __future__ import annotations

from typing import Any

from tugboat.api.fieldmanager.merge import compare, field_set, merge, remove

C = 'k:{"name":"c"}'
D = 'k:{"name":"d"}'


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": list(containers), **spec}}


def test_field_set_of_an_apply_configuration() -> None:
    obj = pod({"name": "c", "image": "i", "ports": [{"containerPort": 80}],
               "args": ["a", "b"]})
    obj["metadata"]["finalizers"] = ["x"]
    obj["metadata"]["labels"] = {"app": "a"}
    fs = field_set(obj, "Pod")
    container = fs["f:spec"]["f:containers"][C]
    assert container == {".": {}, "f:name": {}, "f:image": {}, "f:args": {},
                         "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                             ".": {}, "f:containerPort": {}}}}
    assert fs["f:metadata"]["f:finalizers"] == {'v:"x"': {}}
    assert fs["f:metadata"]["f:labels"] == {"f:app": {}}  # no "." when applied


def test_atomic_selector_is_one_field() -> None:
    d = {"spec": {"selector": {"matchLabels": {"a": "b"}}}}
    assert field_set(d, "Deployment") == {"f:spec": {"f:selector": {}}}


def test_compare_reports_added_modified_removed() -> None:
    old = pod({"name": "c", "image": "i1"}, {"name": "d", "image": "x"})
    new = pod({"name": "c", "image": "i2", "env": [{"name": "E", "value": "1"}]})
    added, modified, removed = compare(old, new, "Pod")
    containers = ("f:spec", "f:containers")
    assert modified == {"f:spec": {"f:containers": {C: {"f:image": {}}}}}
    assert added["f:spec"]["f:containers"][C]["f:env"] == {
        ".": {}, 'k:{"name":"E"}': {".": {}, "f:name": {}, "f:value": {}}}
    assert removed["f:spec"]["f:containers"][D] == {".": {}, "f:name": {}, "f:image": {}}
    assert containers  # paths go through the containers' keys, not positions


def test_create_compares_against_the_empty_object() -> None:
    new = {"metadata": {"labels": {"a": "b"}}, "spec": {"template": {"spec": {}}}}
    added, modified, removed = compare(None, new, "Deployment")
    # value structs (spec, template) are never added themselves; a map is
    assert added == {"f:metadata": {"f:labels": {".": {}, "f:a": {}}},
                     "f:spec": {"f:template": {"f:spec": {}}}}
    assert modified == removed == {}


def test_merge_associative_lists_by_key_and_replaces_atomic_ones() -> None:
    live = pod({"name": "c", "image": "i", "args": ["1"]}, {"name": "d", "image": "x"})
    cfg = pod({"name": "e", "image": "y"}, {"name": "c", "args": ["2"]})
    out = merge(live, cfg, "Pod")
    assert [c["name"] for c in out["spec"]["containers"]] == ["e", "c", "d"]
    assert out["spec"]["containers"][1] == {"name": "c", "image": "i", "args": ["2"]}
    assert live["spec"]["containers"][0]["args"] == ["1"]  # nothing mutated


def test_merge_sets_and_nulls() -> None:
    live = {"metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}}}
    cfg = {"metadata": {"finalizers": ["c", "a"], "labels": {"y": None}}}
    out = merge(live, cfg, "ConfigMap")
    assert out["metadata"]["finalizers"] == ["c", "a", "b"]
    assert out["metadata"]["labels"] == {"x": "1"}


def test_remove_spares_what_others_keep() -> None:
    obj = pod({"name": "c", "image": "i", "imagePullPolicy": "Always"})
    obj["metadata"]["labels"] = {"a": "1"}
    gone = {"f:metadata": {"f:labels": {"f:a": {}}},
            "f:spec": {"f:containers": {C: {".": {}, "f:name": {}, "f:image": {}}}}}
    keep = {"f:spec": {"f:containers": {C: {"f:imagePullPolicy": {}}}}}
    out = remove(obj, gone, keep, "Pod")
    assert "labels" not in out["metadata"]  # emptied, so gone
    assert out["spec"]["containers"] == [{"name": "c", "imagePullPolicy": "Always"}]
    out = remove(obj, gone, {}, "Pod")
    assert "spec" not in out  # emptied objects go with their last field
