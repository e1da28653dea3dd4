"""The patch kinds the apiserver accepts, and the three-way patch kubectl apply computes."""

from __future__ import annotations

import copy
import json

import pytest

from tugboat.api.patch import (
    PatchError,
    apply_patch,
    json_equal,
    json_merge_patch,
    json_patch,
    parse_pointer,
    patch_meta,
    strategic_merge_patch,
    three_way_patch,
)
from tugboat.api.patch.strategic import REPLACE


def at(obj, dotted):
    """The value at a dotted path; list items are picked by `name=value` segments."""
    for part in dotted.split("."):
        if "=" in part:
            key, value = part.split("=", 1)
            obj = next(item for item in obj if str(item.get(key)) == value)
        else:
            obj = obj[part]
    return obj


# ---------------------------------------------------------------------------------------------
# JSON equality


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        (True, True, True),
        ("1", 1, False),
        (None, None, True),
        (None, {}, False),
        ({"a": [1, {"b": 2}]}, {"a": [1.0, {"b": 2}]}, True),
        ([1, 2], [2, 1], False),
        ({"a": 1}, {"a": 1, "b": None}, False),
    ],
)
def test_json_equal(a, b, equal):
    assert json_equal(a, b) is equal


# ---------------------------------------------------------------------------------------------
# RFC 7386 merge patch: the examples of the RFC's appendix A


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
        ({"spec": {"replicas": 1, "selector": {"app": "web"}}}, {"spec": {"replicas": 3}}, {"spec": {"replicas": 3, "selector": {"app": "web"}}}),
    ],
)
def test_json_merge_patch(target, patch, result):
    before = copy.deepcopy((target, patch))
    assert json_merge_patch(target, patch) == result
    assert (target, patch) == before


def test_json_merge_patch_result_shares_nothing():
    target, patch = {"a": {"b": 1}}, {"c": {"d": [1]}}
    result = json_merge_patch(target, patch)
    result["a"]["b"] = 2
    result["c"]["d"].append(2)
    assert target == {"a": {"b": 1}} and patch == {"c": {"d": [1]}}


# ---------------------------------------------------------------------------------------------
# RFC 6902 JSON patch: the examples of the RFC's appendix A, then Kubernetes-shaped ones


@pytest.mark.parametrize(
    ("target", "ops", "result"),
    [
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
        ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}], {"foo": ["all", "cows", "eat", "grass"]}),
        ({"baz": "qux", "foo": ["a", 2, "c"]}, [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}], {"baz": "qux", "foo": ["a", 2, "c"]}),
        ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}], {"foo": "bar", "child": {"grandchild": {}}}),
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
        ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
        ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
        ({"a/b": 1}, [{"op": "replace", "path": "/a~1b", "value": 2}], {"a/b": 2}),
        ({"a": 1}, [{"op": "add", "path": "", "value": {"b": 2}}], {"b": 2}),
        ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
        ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
        ({"a": 1}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": 1}),
        ({"a": None}, [{"op": "test", "path": "/a", "value": None}], {"a": None}),
        ({"a": 1}, [{"op": "add", "path": "/a", "value": None}], {"a": None}),
        ({"list": [1, 2]}, [{"op": "add", "path": "/list/2", "value": 3}], {"list": [1, 2, 3]}),
        ({"list": [1, 2]}, [{"op": "add", "path": "/list/0", "value": 0}], {"list": [0, 1, 2]}),
        ({"n": 1}, [{"op": "test", "path": "/n", "value": 1.0}], {"n": 1}),
        (
            {"metadata": {"labels": {"app": "web"}}, "spec": {"replicas": 1}},
            [
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/metadata/labels/tier", "value": "front"},
                {"op": "remove", "path": "/metadata/labels/app"},
            ],
            {"metadata": {"labels": {"tier": "front"}}, "spec": {"replicas": 3}},
        ),
        (
            {"spec": {"containers": [{"name": "a", "image": "x:1"}]}},
            [{"op": "replace", "path": "/spec/containers/0/image", "value": "x:2"}],
            {"spec": {"containers": [{"name": "a", "image": "x:2"}]}},
        ),
        ({"a": 1}, [], {"a": 1}),
    ],
)
def test_json_patch(target, ops, result):
    before = copy.deepcopy((target, ops))
    assert json_patch(target, ops) == result
    assert (target, ops) == before


@pytest.mark.parametrize(
    ("target", "ops", "message"),
    [
        ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], "test failed"),
        ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], "test failed"),
        ({"b": True}, [{"op": "test", "path": "/b", "value": 1}], "test failed"),
        ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], 'key "baz" not found'),
        ({"a": 1}, [{"op": "remove", "path": "/b"}], 'key "b" not found'),
        ({"a": 1}, [{"op": "replace", "path": "/b", "value": 1}], 'key "b" not found'),
        ({"a": [1]}, [{"op": "remove", "path": "/a/1"}], "array index 1 out of bounds"),
        ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 1}], "array index 2 out of bounds"),
        ({"a": [1]}, [{"op": "add", "path": "/a/01", "value": 1}], 'invalid array index "01"'),
        ({"a": [1]}, [{"op": "add", "path": "/a/x", "value": 1}], 'invalid array index "x"'),
        ({"a": [1]}, [{"op": "remove", "path": "/a/-"}], 'invalid array index "-"'),
        ({"a": 1}, [{"op": "add", "path": "/a/b", "value": 1}], "cannot add"),
        ({"a": 1}, [{"op": "add", "path": "a", "value": 1}], 'must start with "/"'),
        ({"a": 1}, [{"op": "add", "path": "/~2", "value": 1}], '"~" must be followed by 0 or 1'),
        ({"a": 1}, [{"op": "add", "path": "/b"}], 'missing "value"'),
        ({"a": 1}, [{"op": "move", "path": "/b"}], 'missing "from"'),
        ({"a": 1}, [{"op": "copy", "from": "/x", "path": "/b"}], 'key "x" not found'),
        ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/c"}], "cannot move a value into itself"),
        ({"a": 1}, [{"op": "remove", "path": ""}], "cannot remove the whole document"),
        ({"a": 1}, [{"op": "frobnicate", "path": "/a"}], "unknown op 'frobnicate'"),
        ({"a": 1}, [{"path": "/a"}], "unknown op None"),
        ({"a": 1}, [{"op": "remove"}], 'missing "path"'),
        ({"a": 1}, ["remove /a"], "must be an object"),
        ({"a": 1}, {"op": "remove", "path": "/a"}, "must be a list of operations"),
    ],
)
def test_json_patch_errors(target, ops, message):
    before = copy.deepcopy(target)
    with pytest.raises(PatchError) as caught:
        json_patch(target, ops)
    assert message in str(caught.value)
    assert target == before


def test_json_patch_error_names_the_operation():
    ops = [{"op": "add", "path": "/a", "value": 1}, {"op": "remove", "path": "/spec/x"}]
    with pytest.raises(PatchError, match=r"json patch operation 1 \(remove /spec/x\)"):
        json_patch({"spec": {}}, ops)


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [("", []), ("/", [""]), ("/a/b", ["a", "b"]), ("/a~1b", ["a/b"]), ("/m~0n", ["m~n"]), ("/~01", ["~1"])],
)
def test_parse_pointer(pointer, tokens):
    assert parse_pointer(pointer) == tokens


# ---------------------------------------------------------------------------------------------
# Strategic merge patch

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web",
        "labels": {"app": "web", "tier": "front"},
        "finalizers": ["a", "b"],
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1"}],
    },
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "args": ["--a", "--b"],
            },
            {"name": "sidecar", "image": "busybox"},
        ],
        "volumes": [{"name": "data", "emptyDir": {}}],
        "tolerations": [{"key": "k1", "operator": "Exists"}],
        "nodeName": "n1",
    },
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
    },
}

APP = POD["spec"]["containers"][0]
SIDECAR = POD["spec"]["containers"][1]


def _spec(**fields):
    return {"spec": fields}


def _app(**fields):
    return _spec(containers=[{"name": "app", **fields}])


@pytest.mark.parametrize(
    ("patch", "path", "expected"),
    [
        # maps merge; null deletes
        ({"metadata": {"labels": {"tier": None, "new": "x"}}}, "metadata.labels", {"app": "web", "new": "x"}),
        ({"metadata": {"labels": {"missing": None}}}, "metadata.labels", {"app": "web", "tier": "front"}),
        ({"metadata": {"labels": None}}, "metadata", {k: v for k, v in POD["metadata"].items() if k != "labels"}),
        ({"spec": {"nodeName": "n2"}}, "spec.nodeName", "n2"),
        ({"spec": {"dnsConfig": {"nameservers": ["1.1.1.1"], "options": None}}}, "spec.dnsConfig", {"nameservers": ["1.1.1.1"]}),
        # map directives
        ({"metadata": {"labels": {"$patch": "replace", "only": "1"}}}, "metadata.labels", {"only": "1"}),
        ({"metadata": {"labels": {"$patch": "delete"}}}, "metadata.labels", {}),
        # containers merge by name; other container fields survive
        (_app(image="nginx:2"), "spec.containers", [{**APP, "image": "nginx:2"}, SIDECAR]),
        (_spec(containers=[{"name": "sidecar", "image": "busybox:2"}]), "spec.containers", [APP, {**SIDECAR, "image": "busybox:2"}]),
        # a new item lands before server-only items, exactly as in Kubernetes
        (_spec(containers=[{"name": "new", "image": "x"}]), "spec.containers", [{"name": "new", "image": "x"}, APP, SIDECAR]),
        (_spec(containers=[{"$patch": "delete", "name": "sidecar"}]), "spec.containers", [APP]),
        (_spec(containers=[{"$patch": "delete", "name": "nope"}]), "spec.containers", [APP, SIDECAR]),
        (_spec(containers=[{"$patch": "replace"}, {"name": "only", "image": "x"}]), "spec.containers", [{"name": "only", "image": "x"}]),
        # $setElementOrder orders the result and disappears
        ({"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]}}, "spec.containers", [SIDECAR, APP]),
        (
            {"spec": {"$setElementOrder/containers": [{"name": "app"}, {"name": "new"}, {"name": "sidecar"}], "containers": [{"name": "new", "image": "x"}]}},
            "spec.containers",
            [APP, {"name": "new", "image": "x"}, SIDECAR],
        ),
        ({"spec": {"$setElementOrder/containers": [{"name": "app"}], "containers": [{"name": "app", "image": "i"}]}}, "spec", {**POD["spec"], "containers": [{**APP, "image": "i"}, SIDECAR]}),
        # env by name, ports by containerPort, volumeMounts by mountPath
        (_app(env=[{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]), "spec.containers.name=app.env", [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}]),
        (_app(env=[{"name": "A", "$patch": "delete"}]), "spec.containers.name=app.env", [{"name": "B", "value": "2"}]),
        (_app(env=None), "spec.containers.name=app", {k: v for k, v in APP.items() if k != "env"}),
        (_app(env=[{"name": "B", "value": None, "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]), "spec.containers.name=app.env.name=B", {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}),
        (_app(ports=[{"containerPort": 80, "name": "http"}]), "spec.containers.name=app.ports", [{"containerPort": 80, "protocol": "TCP", "name": "http"}]),
        (_app(ports=[{"containerPort": 443}]), "spec.containers.name=app.ports", [{"containerPort": 443}, {"containerPort": 80, "protocol": "TCP"}]),
        (_app(volumeMounts=[{"mountPath": "/data", "readOnly": True}]), "spec.containers.name=app.volumeMounts", [{"name": "data", "mountPath": "/data", "readOnly": True}]),
        # lists without a merge key are replaced wholesale
        (_app(args=["--c"]), "spec.containers.name=app.args", ["--c"]),
        (_spec(tolerations=[{"key": "k2", "operator": "Exists"}]), "spec.tolerations", [{"key": "k2", "operator": "Exists"}]),
        (_spec(tolerations=[{"key": "k2", "value": None}]), "spec.tolerations", [{"key": "k2"}]),
        # volumes by name, with $retainKeys clearing the other member of the union
        (_spec(volumes=[{"name": "data", "hostPath": {"path": "/x"}, "$retainKeys": ["hostPath", "name"]}]), "spec.volumes", [{"name": "data", "hostPath": {"path": "/x"}}]),
        (_spec(volumes=[{"name": "data", "hostPath": {"path": "/x"}}]), "spec.volumes", [{"name": "data", "emptyDir": {}, "hostPath": {"path": "/x"}}]),
        # finalizers merge as an ordered set; $deleteFromPrimitiveList removes values
        ({"metadata": {"finalizers": ["c"]}}, "metadata.finalizers", ["c", "a", "b"]),
        ({"metadata": {"finalizers": ["b", "c"]}}, "metadata.finalizers", ["a", "b", "c"]),
        ({"metadata": {"finalizers": ["c"], "$setElementOrder/finalizers": ["a", "b", "c"]}}, "metadata.finalizers", ["a", "b", "c"]),
        ({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, "metadata.finalizers", ["b"]),
        ({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "b"], "finalizers": ["z"]}}, "metadata.finalizers", ["z"]),
        ({"metadata": {"finalizers": None}}, "metadata", {k: v for k, v in POD["metadata"].items() if k != "finalizers"}),
        # ownerReferences by uid, conditions by type
        ({"metadata": {"ownerReferences": [{"uid": "u1", "controller": True}]}}, "metadata.ownerReferences", [{**POD["metadata"]["ownerReferences"][0], "controller": True}]),
        ({"status": {"conditions": [{"type": "Ready", "status": "False"}]}}, "status.conditions", [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]),
        # a change of type replaces the value
        ({"status": {"conditions": "none"}}, "status.conditions", "none"),
        ({"spec": {"nodeName": {"x": None, "y": 1}}}, "spec.nodeName", {"y": 1}),
        # unknown $-keys are not stored
        ({"spec": {"$unknown": 1}}, "spec", POD["spec"]),
    ],
)
def test_strategic_merge_patch(patch, path, expected):
    before = copy.deepcopy((POD, patch))
    result = strategic_merge_patch(POD, patch)
    assert at(result, path) == expected
    assert (POD, patch) == before
    assert "$" not in json.dumps(result)


def test_strategic_merge_patch_nested_in_templates():
    deployment = {
        "kind": "Deployment",
        "spec": {"template": {"spec": {"containers": [dict(APP), dict(SIDECAR)]}}},
    }
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:9"}]}}}}
    result = strategic_merge_patch(deployment, patch)
    assert at(result, "spec.template.spec.containers") == [{**APP, "image": "nginx:9"}, SIDECAR]


SERVICE = {
    "kind": "Service",
    "spec": {
        "selector": {"app": "web"},
        "ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "https", "port": 443}],
    },
}


@pytest.mark.parametrize(
    ("target", "patch", "kind", "path", "expected"),
    [
        # Service ports merge by port...
        (SERVICE, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}, None, "spec.ports", [{"name": "http", "port": 80, "targetPort": 9090}, {"name": "https", "port": 443}]),
        (SERVICE, {"spec": {"ports": [{"port": 443, "$patch": "delete"}]}}, "Service", "spec.ports", [{"name": "http", "port": 80, "targetPort": 8080}]),
        # ...but a `spec.ports` of another kind is replaced
        (SERVICE, {"spec": {"ports": [{"port": 80}]}}, "Widget", "spec.ports", [{"port": 80}]),
        # Node taints by key, addresses by type
        (
            {"kind": "Node", "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}},
            {"spec": {"taints": [{"key": "a", "effect": "NoExecute"}, {"key": "b", "effect": "NoSchedule"}]}},
            None,
            "spec.taints",
            [{"key": "a", "effect": "NoExecute"}, {"key": "b", "effect": "NoSchedule"}],
        ),
        (
            {"kind": "Node", "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "n1"}]}},
            {"status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.2"}]}},
            None,
            "status.addresses",
            [{"type": "InternalIP", "address": "10.0.0.2"}, {"type": "Hostname", "address": "n1"}],
        ),
        # Deployment strategy with $retainKeys drops rollingUpdate when switching to Recreate
        (
            {"kind": "Deployment", "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}},
            {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
            None,
            "spec.strategy",
            {"type": "Recreate"},
        ),
        # merge patch semantics for maps still hold for scale-like patches
        ({"kind": "ReplicationController", "spec": {"replicas": 1, "selector": {"app": "web"}}}, {"spec": {"replicas": 3}}, None, "spec", {"replicas": 3, "selector": {"app": "web"}}),
    ],
)
def test_strategic_merge_patch_by_kind(target, patch, kind, path, expected):
    assert at(strategic_merge_patch(target, patch, kind), path) == expected


@pytest.mark.parametrize(
    ("kind", "path", "key", "merge"),
    [
        ("Pod", ("spec", "containers"), "name", True),
        ("Pod", ("spec", "initContainers"), "name", True),
        ("Pod", ("spec", "containers", "ports"), "containerPort", True),
        ("Pod", ("spec", "containers", "env"), "name", True),
        ("Pod", ("spec", "containers", "volumeMounts"), "mountPath", True),
        ("Pod", ("spec", "volumes"), "name", True),
        ("Pod", ("spec", "imagePullSecrets"), "name", True),
        ("Pod", ("spec", "tolerations"), None, False),
        ("Pod", ("spec", "containers", "args"), None, False),
        ("Pod", ("metadata", "finalizers"), None, True),
        ("Pod", ("metadata", "ownerReferences"), "uid", True),
        ("Pod", ("status", "conditions"), "type", True),
        ("Deployment", ("spec", "template", "spec", "containers", "ports"), "containerPort", True),
        ("Deployment", ("status", "conditions"), "type", True),
        ("Service", ("spec", "ports"), "port", True),
        ("Pod", ("spec", "ports"), None, False),
        ("Endpoints", ("subsets", "ports"), None, False),
        ("Endpoints", ("subsets", "addresses"), None, False),
        ("Node", ("status", "addresses"), "type", True),
        ("Node", ("spec", "taints"), "key", True),
        (None, ("spec", "containers"), "name", True),
    ],
)
def test_patch_meta(kind, path, key, merge):
    meta = patch_meta(kind, path)
    assert (meta.merge_key, meta.merge) == (key, merge)


def test_patch_meta_default_is_replace():
    assert patch_meta("Pod", ("spec", "nodeName")) == REPLACE


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([{"op": "add"}], "must be a JSON object"),
        (_spec(containers=[{"image": "x"}]), "does not contain declared merge key: name"),
        (_spec(containers=["app"]), "must be an object"),
        (_spec(containers=[{"$patch": "delete"}]), "does not contain declared merge key: name"),
        (_spec(containers=[{"$patch": "explode", "name": "app"}]), "unknown patch type: explode"),
        (_spec(containers=[{"$patch": "merge", "name": "app"}]), "merging lists cannot yet be specified"),
        ({"metadata": {"labels": {"$patch": "explode"}}}, "unknown patch type: explode"),
        (_spec(volumes=[{"name": "data", "$retainKeys": "hostPath"}]), "$retainKeys must be a list"),
        (_spec(volumes=[{"name": "data", "nfs": {}, "$retainKeys": ["name"]}]), "'nfs' is not listed in $retainKeys"),
        ({"spec": {"$setElementOrder/containers": {"name": "app"}}}, "$setElementOrder/containers must be a list"),
        ({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}, "$deleteFromPrimitiveList/finalizers must be a list"),
        ({"spec": {"$setElementOrder/": []}}, "names no field"),
        ({"status": {"conditions": [{"status": "True"}]}}, "does not contain declared merge key: type"),
    ],
)
def test_strategic_merge_patch_errors(patch, message):
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch(POD, patch)
    assert message in str(caught.value)


def test_strategic_merge_patch_shares_nothing_with_inputs():
    patch = _app(image="nginx:2")
    result = strategic_merge_patch(POD, patch)
    result["spec"]["containers"][0]["env"].append({"name": "Z"})
    result["metadata"]["labels"]["x"] = "y"
    assert len(APP["env"]) == 2 and "x" not in POD["metadata"]["labels"]
    assert patch == _app(image="nginx:2")


# ---------------------------------------------------------------------------------------------
# Server-side apply (simplified)

LIVE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "uid": "u-1", "resourceVersion": "7", "labels": {"app": "web", "owner": "ops"}},
    "spec": {
        "containers": [{"name": "app", "image": "nginx:1", "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
        "nodeName": "n1",
        "restartPolicy": "Always",
    },
    "status": {"phase": "Running"},
}


@pytest.mark.parametrize(
    ("applied", "path", "expected"),
    [
        ({"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}, "spec.containers", [{**LIVE["spec"]["containers"][0], "image": "nginx:2"}]),
        ({"metadata": {"labels": {"tier": "front"}}}, "metadata.labels", {"app": "web", "owner": "ops", "tier": "front"}),
        ({"metadata": {"name": "web"}}, "metadata", LIVE["metadata"]),  # unmentioned fields stay
        ({"metadata": {"labels": {"owner": None}}}, "metadata.labels", LIVE["metadata"]["labels"]),  # null is ignored
        ({"spec": {"containers": [{"name": "side", "image": "busybox"}]}}, "spec.containers.name=side", {"name": "side", "image": "busybox"}),
        ({"spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80, "name": "http"}]}]}}, "spec.containers.name=app.ports", [{"containerPort": 80, "protocol": "TCP", "name": "http"}]),
        ({"spec": {"restartPolicy": "Never", "$patch": "replace"}}, "spec.nodeName", "n1"),  # directives are not honoured
        ({"status": {"phase": "Failed"}}, "status.phase", "Failed"),
    ],
)
def test_apply_patch(applied, path, expected):
    before = copy.deepcopy((LIVE, applied))
    result = apply_patch(LIVE, applied)
    assert at(result, path) == expected
    assert at(result, "spec.nodeName") == "n1"
    assert (LIVE, applied) == before


def test_apply_patch_service_ports_by_port():
    applied = {"kind": "Service", "spec": {"ports": [{"port": 443, "targetPort": 8443}]}}
    result = apply_patch(SERVICE, applied)
    # The server-only item keeps its place ahead of the item the configuration names.
    assert at(result, "spec.ports") == [SERVICE["spec"]["ports"][0], {"name": "https", "port": 443, "targetPort": 8443}]


def test_apply_patch_rejects_non_objects():
    with pytest.raises(PatchError):
        apply_patch(LIVE, ["not", "an", "object"])


# ---------------------------------------------------------------------------------------------
# Client-side apply: the three-way patch

LAST = "kubectl.kubernetes.io/last-applied-configuration"


def _pod(labels=None, containers=None, annotations=None, **spec):
    metadata = {"name": "nginx"}
    if labels is not None:
        metadata["labels"] = labels
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": containers or [], **spec}}


def _live(config, **server_fields):
    """What the server holds after `config` was applied: config plus defaulted fields."""
    live = copy.deepcopy(config)
    live["metadata"].update(uid="u-1", resourceVersion="5")
    for container in live["spec"]["containers"]:
        container.setdefault("imagePullPolicy", "IfNotPresent")
    live["spec"].update({"nodeName": "n1", "restartPolicy": "Always", **server_fields})
    live["status"] = {"phase": "Running"}
    return live


ORIGINAL = _pod(
    labels={"app": "a", "tier": "x"},
    containers=[{"name": "a", "image": "busybox:1", "env": [{"name": "X", "value": "1"}]}, {"name": "b", "image": "nginx"}],
)
MODIFIED = _pod(labels={"app": "a"}, containers=[{"name": "a", "image": "busybox:2"}])


def test_three_way_patch_matches_kubectl():
    """The example recorded from real kubectl in COMPAT.md §6."""
    original = {**ORIGINAL, "metadata": {**ORIGINAL["metadata"], "annotations": {LAST: "old"}}}
    modified = {**MODIFIED, "metadata": {**MODIFIED["metadata"], "annotations": {LAST: "new"}}}
    current = _live(original)
    patch = three_way_patch(ORIGINAL, modified, current)
    assert patch == {
        "metadata": {"annotations": {LAST: "new"}, "labels": {"tier": None}},
        "spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"env": None, "image": "busybox:2", "name": "a"}, {"$patch": "delete", "name": "b"}],
        },
    }
    result = strategic_merge_patch(current, patch)
    assert result["metadata"]["labels"] == {"app": "a"}
    assert result["spec"]["containers"] == [{"name": "a", "image": "busybox:2", "imagePullPolicy": "IfNotPresent"}]
    assert result["spec"]["nodeName"] == "n1" and result["status"] == {"phase": "Running"}
    assert three_way_patch(modified, modified, result) == {}


def _case(original, modified, current, expected_patch, expected_result):
    return pytest.param(original, modified, current, expected_patch, expected_result)


BASE = _pod(labels={"app": "a"}, containers=[{"name": "a", "image": "i:1"}])
BASE_LIVE = _live(BASE)


@pytest.mark.parametrize(
    ("original", "modified", "current", "expected_patch", "expected_result"),
    [
        # nothing changed: server-set fields (nodeName, status, imagePullPolicy) are left alone
        _case(BASE, BASE, BASE_LIVE, {}, BASE_LIVE),
        # first apply onto an object created some other way: nothing to delete
        _case(None, BASE, BASE_LIVE, {}, BASE_LIVE),
        # a label added
        _case(BASE, _pod(labels={"app": "a", "new": "x"}, containers=[{"name": "a", "image": "i:1"}]), BASE_LIVE,
              {"metadata": {"labels": {"new": "x"}}},
              {**BASE_LIVE, "metadata": {**BASE_LIVE["metadata"], "labels": {"app": "a", "new": "x"}}}),
        # a label someone else added (not in original) is kept although modified lacks it
        _case(BASE, BASE, {**BASE_LIVE, "metadata": {**BASE_LIVE["metadata"], "labels": {"app": "a", "other": "y"}}}, {},
              {**BASE_LIVE, "metadata": {**BASE_LIVE["metadata"], "labels": {"app": "a", "other": "y"}}}),
        # a field the user dropped is deleted, a field changed by others is overwritten
        _case(_pod(labels={"app": "a", "gone": "1"}, containers=[{"name": "a", "image": "i:1"}]), BASE,
              {**BASE_LIVE, "metadata": {**BASE_LIVE["metadata"], "labels": {"app": "zzz", "gone": "1"}}},
              {"metadata": {"labels": {"app": "a", "gone": None}}}, BASE_LIVE),
        # the whole labels map dropped
        _case(BASE, _pod(containers=[{"name": "a", "image": "i:1"}]), BASE_LIVE,
              {"metadata": {"labels": None}},
              {**BASE_LIVE, "metadata": {k: v for k, v in BASE_LIVE["metadata"].items() if k != "labels"}}),
        # a container added: patch names the order
        _case(BASE, _pod(labels={"app": "a"}, containers=[{"name": "a", "image": "i:1"}, {"name": "b", "image": "j"}]), BASE_LIVE,
              {"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "b", "image": "j"}]}},
              {**BASE_LIVE, "spec": {**BASE_LIVE["spec"], "containers": [*BASE_LIVE["spec"]["containers"], {"name": "b", "image": "j"}]}}),
        # containers reordered only
        _case(_pod(labels={"app": "a"}, containers=[{"name": "a"}, {"name": "b"}]), _pod(labels={"app": "a"}, containers=[{"name": "b"}, {"name": "a"}]),
              _live(_pod(labels={"app": "a"}, containers=[{"name": "a"}, {"name": "b"}])),
              {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}},
              _live(_pod(labels={"app": "a"}, containers=[{"name": "b"}, {"name": "a"}]))),
        # a list without merge key (args) is sent whole
        _case(_pod(containers=[{"name": "a", "args": ["x", "y"]}]), _pod(containers=[{"name": "a", "args": ["y"]}]), _live(_pod(containers=[{"name": "a", "args": ["x", "y"]}])),
              {"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "a", "args": ["y"]}]}},
              _live(_pod(containers=[{"name": "a", "args": ["y"]}]))),
        # a null in the configuration for an absent field changes nothing
        _case(BASE, {**BASE, "spec": {**BASE["spec"], "hostname": None}}, BASE_LIVE, {}, BASE_LIVE),
    ],
)
def test_three_way_patch(original, modified, current, expected_patch, expected_result):
    before = copy.deepcopy((original, modified, current))
    patch = three_way_patch(original, modified, current)
    assert patch == expected_patch
    assert strategic_merge_patch(current, patch) == expected_result
    assert (original, modified, current) == before


def test_three_way_patch_finalizers_as_a_set():
    original = {"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b"]}}
    modified = {"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "new"]}}
    current = {"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b", "server"]}}
    patch = three_way_patch(original, modified, current)
    assert patch == {
        "metadata": {
            "$deleteFromPrimitiveList/finalizers": ["b"],
            "$setElementOrder/finalizers": ["a", "new"],
            "finalizers": ["new"],
        }
    }
    assert strategic_merge_patch(current, patch)["metadata"]["finalizers"] == ["a", "new", "server"]


def test_three_way_patch_retain_keys_for_deployment_strategy():
    original = {"kind": "Deployment", "spec": {"replicas": 1}}
    modified = {"kind": "Deployment", "spec": {"replicas": 1, "strategy": {"type": "Recreate"}}}
    current = {"kind": "Deployment", "spec": {"replicas": 1, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}}
    patch = three_way_patch(original, modified, current)
    assert patch == {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge_patch(current, patch)["spec"]["strategy"] == {"type": "Recreate"}


def test_three_way_patch_service_ports():
    original = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 81}]}}
    modified = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 9090}]}}
    current = {"kind": "Service", "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}, {"port": 81, "protocol": "TCP"}]}}
    patch = three_way_patch(original, modified, current)
    assert patch == {"spec": {"$setElementOrder/ports": [{"port": 80}], "ports": [{"port": 80, "targetPort": 9090}, {"$patch": "delete", "port": 81}]}}
    result = strategic_merge_patch(current, patch)
    assert result["spec"] == {"clusterIP": "10.0.0.1", "ports": [{"port": 80, "targetPort": 9090, "protocol": "TCP"}]}


def test_three_way_patch_env_and_volume_changes_round_trip():
    original = _pod(containers=[{"name": "a", "image": "i", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}], volumes=[{"name": "v", "emptyDir": {}}])
    modified = _pod(containers=[{"name": "a", "image": "i", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}], volumes=[{"name": "v", "hostPath": {"path": "/x"}}])
    current = _live(original)
    patch = three_way_patch(original, modified, current)
    result = strategic_merge_patch(current, patch)
    assert result["spec"]["containers"][0]["env"] == [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
    assert result["spec"]["volumes"] == [{"name": "v", "hostPath": {"path": "/x"}}]
    assert result["spec"]["nodeName"] == "n1"
    assert three_way_patch(modified, modified, result) == {}


def test_three_way_patch_merge_key_errors():
    with pytest.raises(PatchError, match="does not contain declared merge key: name"):
        three_way_patch(None, _pod(containers=[{"name": "a"}, {"image": "x"}]), _live(_pod(containers=[{"name": "a"}])))
