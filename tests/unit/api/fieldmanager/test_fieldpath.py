"""FieldsV1 sets: the form Kubernetes stores, set algebra on it, and paths as
structured-merge-diff prints them in conflict messages."""

from __future__ import annotations

from tugboat.api.fieldmanager import fieldpath as fp


def built(*paths: tuple[str, ...]) -> fp.Set:
    root: fp.Set = {}
    for p in paths:
        fp.insert(root, p)
    return fp.finish(root)


def test_members_with_children_carry_a_dot_and_leaves_are_empty() -> None:
    s = built(("f:metadata", "f:labels"), ("f:metadata", "f:labels", "f:app"),
              ("f:spec", "f:replicas"))
    assert s == {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                 "f:spec": {"f:replicas": {}}}


def test_element_strings_are_kubernetes_own() -> None:
    assert fp.key({"protocol": "TCP", "containerPort": 80}) == \
        'k:{"containerPort":80,"protocol":"TCP"}'
    assert fp.value("foregroundDeletion") == 'v:"foregroundDeletion"'
    assert fp.field("spec") == "f:spec"
    assert fp.index(2) == "i:2"


def test_union_difference_intersection() -> None:
    a = built(("f:spec", "f:replicas"), ("f:spec", "f:paused"))
    b = built(("f:spec", "f:replicas"), ("f:metadata", "f:labels", "f:x"))
    assert fp.union(a, b) == {"f:spec": {"f:replicas": {}, "f:paused": {}},
                              "f:metadata": {"f:labels": {"f:x": {}}}}
    assert fp.difference(a, b) == {"f:spec": {"f:paused": {}}}
    assert fp.intersection(a, b) == {"f:spec": {"f:replicas": {}}}
    assert fp.difference(a, a) == {}


def test_difference_keeps_a_member_whose_children_go() -> None:
    a = built(("f:labels",), ("f:labels", "f:app"))
    assert fp.difference(a, built(("f:labels", "f:app"))) == {"f:labels": {}}
    assert fp.difference(a, built(("f:labels",))) == {"f:labels": {"f:app": {}}}


def test_paths_render_as_structured_merge_diff_prints_them() -> None:
    pe = fp.key({"name": "c"})
    port = fp.key({"containerPort": 80, "protocol": "TCP"})
    assert fp.render(("f:spec", "f:replicas")) == ".spec.replicas"
    assert fp.render(("f:spec", "f:containers", pe, "f:image")) == \
        '.spec.containers[name="c"].image'
    assert fp.render(("f:ports", port)) == '.ports[containerPort=80,protocol="TCP"]'
    assert fp.render(("f:finalizers", fp.value("x"))) == '.finalizers[="x"]'
    s = built(("f:spec", "f:replicas"), ("f:metadata", "f:labels"),
              ("f:metadata", "f:labels", "f:a"))
    assert fp.paths(s) == [("f:metadata", "f:labels"), ("f:metadata", "f:labels", "f:a"),
                           ("f:spec", "f:replicas")]


def test_validity_of_fieldsv1_a_client_sends() -> None:
    assert fp.is_valid({"f:spec": {"f:replicas": {}, ".": {}}})
    assert fp.is_valid({'k:{"name":"a"}': {}})
    assert not fp.is_valid({"spec": {}})
    assert not fp.is_valid({"f:spec": 1})
    assert not fp.is_valid({"k:notjson": {}})
    assert not fp.is_valid([])
