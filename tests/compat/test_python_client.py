"""The official `kubernetes` Python client (37.x, pydantic models with strict types) against
the server: CRUD with optimistic concurrency, status, binding, pagination, selectors, the
scale subresource, the apps and batch kinds, events, delete options and dry runs
(COMPAT.md §0, §3, §7, §12)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.compat.conftest import Rest, pod_manifest, pod_template


def pod(name: str, labels: dict[str, str] | None = None,
        image: str = "nginx:1.25") -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image=image)]))


def status_body(e: ApiException) -> dict:
    return json.loads(e.body)


def expect_api_error(code: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
    """Call fn, require an ApiException with this HTTP code; return the Status body."""
    with pytest.raises(ApiException) as info:
        fn(*args, **kwargs)
    assert info.value.status == code, info.value
    body = status_body(info.value)
    assert body["kind"] == "Status" and body["code"] == code, body
    return body


@pytest.fixture
def apps(api_client: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api_client)


@pytest.fixture
def batch(api_client: client.ApiClient) -> client.BatchV1Api:
    return client.BatchV1Api(api_client)


# -- pods: CRUD -----------------------------------------------------------------------------


def test_pod_crud(core: client.CoreV1Api, ns: str) -> None:
    created = core.create_namespaced_pod(ns, pod("web", {"app": "web"}))
    assert isinstance(created, client.V1Pod)
    m = created.metadata
    assert (m.name, m.namespace) == ("web", ns)
    assert m.uid and m.resource_version
    assert isinstance(m.creation_timestamp, datetime.datetime)
    assert created.spec.restart_policy == "Always"
    assert created.spec.termination_grace_period_seconds == 30
    assert created.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert created.status.phase == "Pending"

    got = core.read_namespaced_pod("web", ns)
    assert got.metadata.uid == m.uid
    assert got.metadata.resource_version == m.resource_version

    got.metadata.labels["tier"] = "front"
    replaced = core.replace_namespaced_pod("web", ns, got)
    assert replaced.metadata.labels == {"app": "web", "tier": "front"}
    assert int(replaced.metadata.resource_version) > int(m.resource_version)

    got.metadata.labels["tier"] = "back"  # still carries the old resourceVersion
    body = expect_api_error(409, core.replace_namespaced_pod, "web", ns, got)
    assert body["reason"] == "Conflict"
    assert core.read_namespaced_pod("web", ns).metadata.labels["tier"] == "front"

    patched = core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"tier": None,
                                                                           "env": "prod"}}})
    assert patched.metadata.labels == {"app": "web", "env": "prod"}

    deleted = core.delete_namespaced_pod("web", ns)
    assert isinstance(deleted, client.V1Pod)
    assert deleted.metadata.uid == m.uid
    body = expect_api_error(404, core.read_namespaced_pod, "web", ns)
    assert body["reason"] == "NotFound"
    assert body["message"] == 'pods "web" not found'


def test_create_duplicate_is_already_exists(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    body = expect_api_error(409, core.create_namespaced_pod, ns, pod("web"))
    assert body["reason"] == "AlreadyExists"
    assert body["message"] == 'pods "web" already exists'


def test_create_invalid_pod_is_422_naming_the_field(core: client.CoreV1Api, ns: str) -> None:
    bad = pod("Not_A_Name")
    body = expect_api_error(422, core.create_namespaced_pod, ns, bad)
    assert body["reason"] == "Invalid"
    assert "metadata.name" in [c.get("field") for c in body["details"]["causes"]]


def test_replace_with_json_patch_list_body(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web", {"app": "web"}))
    patched = core.patch_namespaced_pod("web", ns, [
        {"op": "add", "path": "/metadata/labels/env", "value": "prod"}])
    assert patched.metadata.labels == {"app": "web", "env": "prod"}


def test_patch_with_stale_resource_version_is_conflict(core: client.CoreV1Api, ns: str) -> None:
    created = core.create_namespaced_pod(ns, pod("web", {"app": "web"}))
    core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"v": "1"}}})
    body = expect_api_error(409, core.patch_namespaced_pod, "web", ns, {"metadata": {
        "resourceVersion": created.metadata.resource_version, "labels": {"v": "2"}}})
    assert body["reason"] == "Conflict"


# -- status and binding ---------------------------------------------------------------------


def test_pod_status_subresource(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    st = core.read_namespaced_pod_status("web", ns)
    assert isinstance(st, client.V1Pod)
    assert st.spec.containers[0].name == "main"  # the whole pod, not just its status
    assert st.status.phase == "Pending"

    patched = core.patch_namespaced_pod_status("web", ns, {"status": {
        "phase": "Running", "podIP": "10.1.0.5"}})
    assert patched.status.phase == "Running"
    assert core.read_namespaced_pod("web", ns).status.pod_ip == "10.1.0.5"

    # status moves only through /status: a patch of the pod itself leaves it alone
    core.patch_namespaced_pod("web", ns, {"status": {"phase": "Failed"},
                                          "metadata": {"labels": {"x": "1"}}})
    again = core.read_namespaced_pod("web", ns)
    assert again.status.phase == "Running"
    assert again.metadata.labels == {"x": "1"}


def binding(name: str, node: str) -> client.V1Binding:
    return client.V1Binding(metadata=client.V1ObjectMeta(name=name),
                            target=client.V1ObjectReference(kind="Node", name=node))


def test_pod_binding_subresource(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    # the reply is a Status, which the client can't read as a V1Binding: take it raw
    resp = core.create_namespaced_pod_binding("web", ns, binding("web", "node-1"),
                                              _preload_content=False)
    assert resp.status == 201
    bound = core.read_namespaced_pod("web", ns)
    assert bound.spec.node_name == "node-1"
    scheduled = [c for c in bound.status.conditions or [] if c.type == "PodScheduled"]
    assert scheduled and scheduled[0].status == "True"

    body = expect_api_error(409, core.create_namespaced_pod_binding, "web", ns,
                            binding("web", "node-2"), _preload_content=False)
    assert body["reason"] == "Conflict"
    assert core.read_namespaced_pod("web", ns).spec.node_name == "node-1"


def test_bindings_collection(core: client.CoreV1Api, ns: str) -> None:
    """create_namespaced_binding POSTs to /api/v1/namespaces/{ns}/bindings with the pod's
    name in the body; Kubernetes serves it like pods/{name}/binding."""
    core.create_namespaced_pod(ns, pod("web"))
    resp = core.create_namespaced_binding(ns, binding("web", "node-1"), _preload_content=False)
    assert resp.status == 201
    assert core.read_namespaced_pod("web", ns).spec.node_name == "node-1"
    body = expect_api_error(409, core.create_namespaced_binding, ns, binding("web", "node-2"),
                            _preload_content=False)
    assert body["reason"] == "Conflict"


def test_binding_a_missing_pod_is_not_found(core: client.CoreV1Api, ns: str) -> None:
    expect_api_error(404, core.create_namespaced_pod_binding, "ghost", ns,
                     binding("ghost", "node-1"), _preload_content=False)


# -- lists: pagination and selectors --------------------------------------------------------


def test_pagination_returns_every_pod_exactly_once(core: client.CoreV1Api, rest: Rest,
                                                   ns: str) -> None:
    for i in range(25):
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest(f"p{i:02d}"))
    names: list[str] = []
    sizes: list[int] = []
    list_rvs: set[str] = set()
    token = None
    for _ in range(10):
        page = core.list_namespaced_pod(ns, limit=10, _continue=token)
        assert isinstance(page, client.V1PodList)
        sizes.append(len(page.items))
        names += [p.metadata.name for p in page.items]
        list_rvs.add(page.metadata.resource_version)
        token = page.metadata.var_continue
        if not token:
            break
        if len(sizes) == 1:  # created mid-way: a paginated list is one snapshot
            rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("late"))
    assert sizes == [10, 10, 5]
    assert sorted(names) == [f"p{i:02d}" for i in range(25)]
    assert len(list_rvs) == 1, "pages came from different snapshots"


def test_list_without_limit_and_empty_list(core: client.CoreV1Api, ns: str) -> None:
    empty = core.list_namespaced_pod(ns)
    assert empty.items == []
    assert empty.metadata.resource_version
    core.create_namespaced_pod(ns, pod("a"))
    assert [p.metadata.name for p in core.list_namespaced_pod(ns).items] == ["a"]


@pytest.mark.parametrize("selector,expected", [
    ("app=x", ["a", "b"]),
    ("app==x", ["a", "b"]),
    ("app!=x", ["c", "d"]),
    ("app in (x,y)", ["a", "b", "c"]),
    ("app notin (x)", ["c", "d"]),
    ("tier", ["a", "c"]),
    ("!tier", ["b", "d"]),
    ("app=x,tier=fe", ["a"]),
])
def test_list_with_label_selector(core: client.CoreV1Api, rest: Rest, ns: str, selector: str,
                                  expected: list[str]) -> None:
    for name, labels in (("a", {"app": "x", "tier": "fe"}), ("b", {"app": "x"}),
                         ("c", {"app": "y", "tier": "be"}), ("d", {})):
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest(name, labels))
    got = core.list_namespaced_pod(ns, label_selector=selector)
    assert sorted(p.metadata.name for p in got.items) == expected


def test_list_with_field_selectors(core: client.CoreV1Api, rest: Rest, ns: str) -> None:
    for name in ("a", "b", "c"):
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest(name))
    rest.bind(ns, "b", "node-x")
    rest.merge_patch(f"/api/v1/namespaces/{ns}/pods/c/status", {"status": {"phase": "Running"}})

    def names(**kw: str) -> list[str]:
        return sorted(p.metadata.name for p in core.list_namespaced_pod(ns, **kw).items)

    assert names(field_selector="metadata.name=a") == ["a"]
    assert names(field_selector="metadata.name!=a") == ["b", "c"]
    assert names(field_selector="spec.nodeName=node-x") == ["b"]
    assert names(field_selector="status.phase=Running") == ["c"]
    assert names(field_selector="status.phase=Pending,metadata.name!=b") == ["a"]
    everywhere = core.list_pod_for_all_namespaces(field_selector=f"metadata.namespace={ns}")
    assert sorted(p.metadata.name for p in everywhere.items) == ["a", "b", "c"]


def test_unsupported_field_selector_is_bad_request(core: client.CoreV1Api, ns: str) -> None:
    body = expect_api_error(400, core.list_namespaced_pod, ns, field_selector="spec.bogus=1")
    assert body["reason"] == "BadRequest"


# -- scale ----------------------------------------------------------------------------------


def make_rc(core: client.CoreV1Api, ns: str, replicas: int = 1) -> None:
    core.create_namespaced_replication_controller(ns, client.V1ReplicationController(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ReplicationControllerSpec(
            replicas=replicas, selector={"app": "web"},
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(
                    name="main", image="nginx:1.25")])))))


def test_replication_controller_scale(core: client.CoreV1Api, ns: str) -> None:
    make_rc(core, ns)
    scale = core.read_namespaced_replication_controller_scale("web", ns)
    assert isinstance(scale, client.V1Scale)
    assert scale.spec.replicas == 1
    assert scale.status.selector == "app=web"
    assert scale.metadata.name == "web" and scale.metadata.resource_version

    out = core.patch_namespaced_replication_controller_scale("web", ns, {"spec": {"replicas": 4}})
    assert isinstance(out, client.V1Scale)
    assert out.spec.replicas == 4
    assert core.read_namespaced_replication_controller("web", ns).spec.replicas == 4

    scale = core.read_namespaced_replication_controller_scale("web", ns)
    scale.spec.replicas = 2
    assert core.replace_namespaced_replication_controller_scale("web", ns, scale).spec.replicas == 2
    scale.spec.replicas = 7  # scale's resourceVersion is now stale
    expect_api_error(409, core.replace_namespaced_replication_controller_scale, "web", ns, scale)
    assert core.read_namespaced_replication_controller("web", ns).spec.replicas == 2


def test_negative_scale_is_invalid(core: client.CoreV1Api, ns: str) -> None:
    make_rc(core, ns)
    body = expect_api_error(422, core.patch_namespaced_replication_controller_scale, "web", ns,
                            {"spec": {"replicas": -1}})
    assert body["reason"] == "Invalid"


def test_deployment_scale(apps: client.AppsV1Api, ns: str) -> None:
    apps.create_namespaced_deployment(ns, WORKLOAD_BODIES["deployment"]())
    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert scale.status.selector == "app=web"
    apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 3}})
    assert apps.read_namespaced_deployment("web", ns).spec.replicas == 3


# -- apps/v1 and batch/v1 -------------------------------------------------------------------


def _template(restart_policy: str = "Always") -> dict:
    return pod_template({"app": "web"}, restart_policy)


WORKLOAD_BODIES: dict[str, Callable[[], dict]] = {
    "deployment": lambda: {"apiVersion": "apps/v1", "kind": "Deployment",
                           "metadata": {"name": "web"},
                           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                    "template": _template()}},
    "replica_set": lambda: {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                            "metadata": {"name": "web"},
                            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                     "template": _template()}},
    "daemon_set": lambda: {"apiVersion": "apps/v1", "kind": "DaemonSet",
                           "metadata": {"name": "web"},
                           "spec": {"selector": {"matchLabels": {"app": "web"}},
                                    "template": _template()}},
    "job": lambda: {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "web"},
                    "spec": {"template": _template("Never")}},
}


@pytest.mark.parametrize("kind", sorted(WORKLOAD_BODIES))
def test_workload_crud(api_client: client.ApiClient, ns: str, kind: str) -> None:
    api = client.BatchV1Api(api_client) if kind == "job" else client.AppsV1Api(api_client)

    def call(verb: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(api, f"{verb}_namespaced_{kind}")(*args, **kwargs)

    created = call("create", ns, WORKLOAD_BODIES[kind]())
    assert created.metadata.name == "web" and created.metadata.uid
    assert created.metadata.generation == 1
    assert created.spec.template.spec.containers[0].image == "nginx:1.25"
    assert [o.metadata.name for o in call("list", ns).items] == ["web"]

    got = call("read", "web", ns)
    got.metadata.labels = {"team": "a"}
    replaced = call("replace", "web", ns, got)
    assert replaced.metadata.labels == {"team": "a"}
    assert replaced.metadata.generation == 1, "a metadata change must not bump generation"

    if kind == "job":  # a job's pod template is immutable
        patched = call("patch", "web", ns, {"spec": {"parallelism": 2}})
        assert patched.spec.parallelism == 2
    else:
        patched = call("patch", "web", ns, {"spec": {"template": {"spec": {"containers": [
            {"name": "main", "image": "nginx:1.26"}]}}}})
        assert patched.spec.template.spec.containers[0].image == "nginx:1.26"
    assert patched.metadata.generation == 2, "a spec change bumps generation"

    status = getattr(api, f"read_namespaced_{kind}_status")("web", ns)
    assert status.metadata.name == "web" and status.spec.template is not None
    call("delete", "web", ns, propagation_policy="Background")
    expect_api_error(404, call, "read", "web", ns)


def test_job_with_restart_policy_always_is_invalid(batch: client.BatchV1Api, ns: str) -> None:
    body = WORKLOAD_BODIES["job"]()
    body["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    err = expect_api_error(422, batch.create_namespaced_job, ns, body)
    assert err["reason"] == "Invalid"
    assert "spec.template.spec.restartPolicy" in [c["field"] for c in err["details"]["causes"]]


def test_deployment_with_mismatched_selector_is_invalid(apps: client.AppsV1Api, ns: str) -> None:
    body = WORKLOAD_BODIES["deployment"]()
    body["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    err = expect_api_error(422, apps.create_namespaced_deployment, ns, body)
    assert any("template.metadata.labels" in (c.get("field") or "")
               for c in err["details"]["causes"]), err


# -- events ---------------------------------------------------------------------------------


def test_events_by_involved_object(core: client.CoreV1Api, ns: str) -> None:
    for i, target in enumerate(("a", "a", "b")):
        core.create_namespaced_event(ns, client.CoreV1Event(
            metadata=client.V1ObjectMeta(name=f"{target}.{i}"),
            involved_object=client.V1ObjectReference(kind="Pod", name=target, namespace=ns),
            reason="Started", message=f"started {target}", type="Normal",
            source=client.V1EventSource(component="kubelet"), count=1,
            first_timestamp=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            last_timestamp=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)))
    got = core.list_namespaced_event(ns, field_selector="involvedObject.name=a")
    assert isinstance(got, client.CoreV1EventList)
    assert sorted(e.metadata.name for e in got.items) == ["a.0", "a.1"]
    assert all(e.involved_object.name == "a" for e in got.items)
    assert got.items[0].last_timestamp == datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

    both = core.list_namespaced_event(
        ns, field_selector=f"involvedObject.name=b,involvedObject.namespace={ns}")
    assert [e.metadata.name for e in both.items] == ["b.2"]
    assert core.list_namespaced_event(ns, field_selector="involvedObject.name=c").items == []


# -- delete options -------------------------------------------------------------------------


def bound_pod(core: client.CoreV1Api, ns: str, name: str = "web") -> None:
    core.create_namespaced_pod(ns, pod(name))
    core.create_namespaced_pod_binding(name, ns, binding(name, "node-1"), _preload_content=False)


def test_delete_bound_pod_is_graceful(core: client.CoreV1Api, ns: str) -> None:
    bound_pod(core, ns)
    out = core.delete_namespaced_pod("web", ns)
    assert isinstance(out, client.V1Pod)
    assert out.metadata.deletion_timestamp is not None
    assert out.metadata.deletion_grace_period_seconds == 30
    assert core.read_namespaced_pod("web", ns).metadata.deletion_timestamp is not None

    core.delete_namespaced_pod("web", ns, grace_period_seconds=0)
    expect_api_error(404, core.read_namespaced_pod, "web", ns)


def test_delete_grace_period_in_query_and_body(core: client.CoreV1Api, ns: str) -> None:
    bound_pod(core, ns, "q")
    out = core.delete_namespaced_pod("q", ns, grace_period_seconds=5)
    assert out.metadata.deletion_grace_period_seconds == 5

    bound_pod(core, ns, "b")
    core.delete_namespaced_pod("b", ns, body=client.V1DeleteOptions(grace_period_seconds=0))
    expect_api_error(404, core.read_namespaced_pod, "b", ns)


@pytest.mark.parametrize("policy,finalizer", [("Foreground", "foregroundDeletion"),
                                              ("Orphan", "orphan")])
def test_delete_with_propagation_policy_adds_finalizer(core: client.CoreV1Api, ns: str,
                                                       policy: str, finalizer: str) -> None:
    make_rc(core, ns)
    core.delete_namespaced_replication_controller("web", ns, propagation_policy=policy)
    rc = core.read_namespaced_replication_controller("web", ns)
    assert rc.metadata.deletion_timestamp is not None
    assert finalizer in (rc.metadata.finalizers or [])

    # the garbage collector's part: clearing the finalizer completes the deletion
    core.patch_namespaced_replication_controller("web", ns, {"metadata": {"finalizers": None}})
    expect_api_error(404, core.read_namespaced_replication_controller, "web", ns)


def test_delete_background_is_immediate(core: client.CoreV1Api, ns: str) -> None:
    make_rc(core, ns)
    core.delete_namespaced_replication_controller("web", ns, propagation_policy="Background")
    expect_api_error(404, core.read_namespaced_replication_controller, "web", ns)


def test_delete_with_stale_precondition_is_conflict(core: client.CoreV1Api, ns: str) -> None:
    created = core.create_namespaced_pod(ns, pod("web"))
    core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"v": "1"}}})
    expect_api_error(409, core.delete_namespaced_pod, "web", ns, body=client.V1DeleteOptions(
        preconditions=client.V1Preconditions(resource_version=created.metadata.resource_version)))
    assert core.read_namespaced_pod("web", ns)


# -- dry run --------------------------------------------------------------------------------


def test_dry_run_create_patch_delete(core: client.CoreV1Api, ns: str) -> None:
    out = core.create_namespaced_pod(ns, pod("dry"), dry_run="All")
    assert isinstance(out, client.V1Pod) and out.metadata.name == "dry"
    assert out.spec.restart_policy == "Always", "a dry run still defaults"
    expect_api_error(404, core.read_namespaced_pod, "dry", ns)

    core.create_namespaced_pod(ns, pod("web", {"app": "web"}))
    before = core.read_namespaced_pod("web", ns).metadata.resource_version
    out = core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"app": "x"}}},
                                    dry_run="All")
    assert out.metadata.labels == {"app": "x"}
    after = core.read_namespaced_pod("web", ns)
    assert after.metadata.labels == {"app": "web"}
    assert after.metadata.resource_version == before

    core.delete_namespaced_pod("web", ns, dry_run="All")
    assert core.read_namespaced_pod("web", ns).metadata.resource_version == before


def test_dry_run_in_delete_options_body(core: client.CoreV1Api, ns: str) -> None:
    """client-go (kubectl delete --dry-run=server) sends dryRun inside DeleteOptions."""
    core.create_namespaced_pod(ns, pod("web"))
    core.delete_namespaced_pod("web", ns, body=client.V1DeleteOptions(dry_run=["All"]))
    assert core.read_namespaced_pod("web", ns).metadata.name == "web"


def test_dry_run_with_unknown_value_is_bad_request(core: client.CoreV1Api, ns: str) -> None:
    expect_api_error(400, core.create_namespaced_pod, ns, pod("web"), dry_run="Some")
    expect_api_error(404, core.read_namespaced_pod, "web", ns)


def test_dry_run_create_of_existing_name_is_already_exists(core: client.CoreV1Api,
                                                           ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    expect_api_error(409, core.create_namespaced_pod, ns, pod("web"), dry_run="All")


def test_no_op_update_keeps_resource_version(core: client.CoreV1Api, ns: str) -> None:
    """Kubernetes skips writes that change nothing: the resourceVersion stays and no
    watch event goes out (kubectl shows `patched (no change)`)."""
    created = core.create_namespaced_pod(ns, pod("web", {"app": "web"}))
    same = core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"app": "web"}}})
    assert same.metadata.resource_version == created.metadata.resource_version
    again = core.replace_namespaced_pod("web", ns, core.read_namespaced_pod("web", ns))
    assert again.metadata.resource_version == created.metadata.resource_version
