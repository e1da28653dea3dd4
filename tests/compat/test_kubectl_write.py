"""Real kubectl writing to the server: create, client- and server-side apply, label,
annotate, the three patch types, dry runs, scale, validation errors and delete (graceful
for bound pods) (COMPAT.md §6, §7, §10). Each test runs once per kubectl binary; the
outcome is checked through the API, not through kubectl's own say-so."""

from __future__ import annotations

import json

import pytest

from tests.compat.conftest import Kubectl, Rest, pod_manifest, pod_template

POD = "/api/v1/namespaces/{ns}/pods/{name}"


def deployment(containers: list[dict], labels: dict[str, str]) -> dict:
    tmpl = pod_template({"app": "web"})
    tmpl["spec"]["containers"] = containers
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": tmpl}}


# -- create ---------------------------------------------------------------------------------


def test_create_then_create_again_is_already_exists(kubectl: Kubectl, rest: Rest,
                                                    ns: str) -> None:
    f = kubectl.manifest("pod.yaml", pod_manifest("web", {"app": "web"}))
    r = kubectl("create", "-f", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web created"
    pod = rest.get(POD.format(ns=ns, name="web"))
    assert pod["metadata"]["labels"] == {"app": "web"}
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.25"

    r = kubectl("create", "-f", f)
    assert r.returncode == 1
    assert "Error from server (AlreadyExists)" in r.stderr
    assert 'pods "web" already exists' in r.stderr


def test_create_from_stdin(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    r = kubectl("create", "-f", "-", input=json.dumps(pod_manifest("piped")))
    assert r.returncode == 0, r.stderr
    assert rest.status_of(POD.format(ns=ns, name="piped")) == 200


def test_create_job_with_restart_policy_always_is_invalid(kubectl: Kubectl, rest: Rest,
                                                          ns: str) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": pod_template({"job": "once"}, restart_policy="Always")}}
    r = kubectl("create", "-f", kubectl.manifest("job.yaml", job))
    assert r.returncode == 1
    assert 'The Job "once" is invalid' in r.stderr, r.stderr
    assert "spec.template.spec.restartPolicy" in r.stderr, r.stderr
    assert rest.status_of(f"/apis/batch/v1/namespaces/{ns}/jobs/once") == 404


def test_create_with_unknown_field_is_rejected_strictly(kubectl: Kubectl, rest: Rest,
                                                        ns: str) -> None:
    pod = pod_manifest("typo")
    pod["spec"]["containers"][0]["imagee"] = "nginx"
    r = kubectl("create", "-f", kubectl.manifest("typo.yaml", pod))
    assert r.returncode == 1
    assert "imagee" in r.stderr, r.stderr
    assert rest.status_of(POD.format(ns=ns, name="typo")) == 404


def test_create_dry_run_server_does_not_persist(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    f = kubectl.manifest("pod.yaml", pod_manifest("dry"))
    r = kubectl("create", "-f", f, "--dry-run=server")
    assert r.returncode == 0, r.stderr
    assert "pod/dry created (server dry run)" in r.stdout
    assert rest.status_of(POD.format(ns=ns, name="dry")) == 404


# -- client-side apply ----------------------------------------------------------------------


def test_apply_twice_is_unchanged(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    f = kubectl.manifest("pod.yaml", pod_manifest("web", {"app": "web"}))
    r = kubectl("apply", "-f", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web created"
    before = rest.get(POD.format(ns=ns, name="web"))
    assert "kubectl.kubernetes.io/last-applied-configuration" in before["metadata"]["annotations"]

    r = kubectl("apply", "-f", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web unchanged"
    after = rest.get(POD.format(ns=ns, name="web"))
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_apply_changed_file_patches(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    kubectl.ok("apply", "-f", kubectl.manifest(
        "v1.yaml", pod_manifest("web", {"app": "web", "tier": "front"})))
    r = kubectl("apply", "-f", kubectl.manifest(
        "v2.yaml", pod_manifest("web", {"app": "shop"}, image="nginx:1.26")))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web configured"
    pod = rest.get(POD.format(ns=ns, name="web"))
    assert pod["metadata"]["labels"] == {"app": "shop"}, "label not changed or not removed"
    assert [c["image"] for c in pod["spec"]["containers"]] == ["nginx:1.26"]
    applied = json.loads(pod["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["metadata"]["labels"] == {"app": "shop"}


def test_apply_merges_lists_by_key(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    """Strategic merge: removing a container and an env var, changing another container's
    image; the server must merge containers by name and honour `$patch: delete`."""
    v1 = deployment([
        {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"},
                                                  {"name": "B", "value": "2"}]},
        {"name": "sidecar", "image": "proxy:1"}], {"team": "a"})
    v2 = deployment([{"name": "app", "image": "app:2", "env": [{"name": "A", "value": "1"}]}],
                    {"team": "a"})
    kubectl.ok("apply", "-f", kubectl.manifest("v1.yaml", v1))
    r = kubectl("apply", "-f", kubectl.manifest("v2.yaml", v2))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "deployment.apps/web configured"
    dep = rest.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    containers = dep["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("app", "app:2")]
    assert containers[0]["env"] == [{"name": "A", "value": "1"}]
    stored = json.dumps(dep)
    assert "$setElementOrder" not in stored and "$patch" not in stored, "directives stored"


def test_apply_keeps_fields_set_by_others(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    f = kubectl.manifest("pod.yaml", pod_manifest("web", {"app": "web"}))
    kubectl.ok("apply", "-f", f)
    rest.merge_patch(POD.format(ns=ns, name="web"), {"metadata": {"labels": {"owner": "ops"}}})
    r = kubectl("apply", "-f", kubectl.manifest(
        "v2.yaml", pod_manifest("web", {"app": "web", "v": "2"})))
    assert r.returncode == 0, r.stderr
    labels = rest.get(POD.format(ns=ns, name="web"))["metadata"]["labels"]
    assert labels == {"app": "web", "v": "2", "owner": "ops"}


def test_apply_dry_run_server_does_not_persist(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    kubectl.ok("apply", "-f", kubectl.manifest("v1.yaml", pod_manifest("web", {"app": "web"})))
    r = kubectl("apply", "--dry-run=server", "-f", kubectl.manifest(
        "v2.yaml", pod_manifest("web", {"app": "other"})))
    assert r.returncode == 0, r.stderr
    assert "(server dry run)" in r.stdout
    assert rest.get(POD.format(ns=ns, name="web"))["metadata"]["labels"] == {"app": "web"}


# -- server-side apply ----------------------------------------------------------------------


def configmap(data: dict[str, str], labels: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cfg", "labels": labels}, "data": data}


def test_server_side_apply_creates_then_patches(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/cfg"
    r = kubectl("apply", "--server-side", "-f", kubectl.manifest(
        "v1.yaml", configmap({"k": "v1"}, {"a": "1"})))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "configmap/cfg serverside-applied"
    assert rest.get(path)["data"] == {"k": "v1"}

    r = kubectl("apply", "--server-side", "-f", kubectl.manifest(
        "v2.yaml", configmap({"k": "v2", "extra": "x"}, {"a": "1"})))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "configmap/cfg serverside-applied"
    cm = rest.get(path)
    assert cm["data"] == {"k": "v2", "extra": "x"}
    assert cm["metadata"]["labels"] == {"a": "1"}


def test_server_side_apply_patches_existing_object(kubectl: Kubectl, rest: Rest,
                                                   ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps"
    created = rest.create(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "cfg", "labels": {"owner": "ops"}}, "data": {"k": "old"}})
    # data.k is its creator's field: taking it needs --force-conflicts (test_kubectl_ssa)
    r = kubectl("apply", "--server-side", "--force-conflicts", "-f", kubectl.manifest(
        "cm.yaml", configmap({"k": "new"}, {"a": "1"})))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "configmap/cfg serverside-applied"
    cm = rest.get(f"{path}/cfg")
    assert cm["metadata"]["uid"] == created["metadata"]["uid"], "object was replaced"
    assert cm["data"] == {"k": "new"}
    assert cm["metadata"]["labels"] == {"owner": "ops", "a": "1"}


# -- label, annotate, patch -----------------------------------------------------------------


def test_label_and_annotate(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web", {"app": "web",
                                                                     "tier": "front"}))
    path = POD.format(ns=ns, name="web")
    assert kubectl.ok("label", "pod", "web", "env=prod").strip() == "pod/web labeled"
    assert kubectl.ok("label", "pod", "web", "tier-").strip() == "pod/web unlabeled"
    assert rest.get(path)["metadata"]["labels"] == {"app": "web", "env": "prod"}

    r = kubectl("label", "pod", "web", "env=dev")
    assert r.returncode == 1
    assert "already has a value (prod)" in r.stderr, r.stderr
    kubectl.ok("label", "pod", "web", "env=dev", "--overwrite")
    assert rest.get(path)["metadata"]["labels"]["env"] == "dev"

    assert kubectl.ok("annotate", "pod", "web", "note=hello world").strip() == \
        "pod/web annotated"
    assert rest.get(path)["metadata"]["annotations"] == {"note": "hello world"}
    kubectl.ok("annotate", "pod", "web", "note-")
    assert not rest.get(path)["metadata"].get("annotations")


def test_label_dry_run_server_does_not_persist(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web", {"app": "web"}))
    r = kubectl("label", "pod", "web", "env=prod", "--dry-run=server")
    assert r.returncode == 0, r.stderr
    assert "(server dry run)" in r.stdout
    assert rest.get(POD.format(ns=ns, name="web"))["metadata"]["labels"] == {"app": "web"}


def two_container_pod(rest: Rest, ns: str) -> str:
    pod = pod_manifest("web", {"app": "web", "tier": "front"})
    pod["spec"]["containers"].append({"name": "sidecar", "image": "proxy:1"})
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod)
    return POD.format(ns=ns, name="web")


def test_patch_merge(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    path = two_container_pod(rest, ns)
    r = kubectl("patch", "pod", "web", "--type=merge",
                "-p", '{"metadata":{"labels":{"tier":null,"env":"prod"}}}')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web patched"
    assert rest.get(path)["metadata"]["labels"] == {"app": "web", "env": "prod"}


def test_patch_json(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    path = two_container_pod(rest, ns)
    r = kubectl("patch", "pod", "web", "--type=json", "-p", json.dumps([
        {"op": "replace", "path": "/metadata/labels/app", "value": "shop"},
        {"op": "remove", "path": "/metadata/labels/tier"},
        {"op": "replace", "path": "/spec/containers/1/image", "value": "proxy:2"}]))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web patched"
    pod = rest.get(path)
    assert pod["metadata"]["labels"] == {"app": "shop"}
    assert [c["image"] for c in pod["spec"]["containers"]] == ["nginx:1.25", "proxy:2"]


def test_patch_json_failed_test_op_changes_nothing(kubectl: Kubectl, rest: Rest,
                                                   ns: str) -> None:
    path = two_container_pod(rest, ns)
    before = rest.get(path)["metadata"]["resourceVersion"]
    r = kubectl("patch", "pod", "web", "--type=json", "-p", json.dumps([
        {"op": "replace", "path": "/metadata/labels/app", "value": "shop"},
        {"op": "test", "path": "/metadata/labels/tier", "value": "back"}]))
    assert r.returncode == 1
    assert "invalid" in r.stderr.lower(), r.stderr
    pod = rest.get(path)
    assert pod["metadata"]["resourceVersion"] == before
    assert pod["metadata"]["labels"]["app"] == "web", "the patch was half applied"


@pytest.mark.parametrize("type_flag", [["--type=strategic"], []], ids=["explicit", "default"])
def test_patch_strategic_merges_containers_by_name(kubectl: Kubectl, rest: Rest, ns: str,
                                                   type_flag: list[str]) -> None:
    path = two_container_pod(rest, ns)
    r = kubectl("patch", "pod", "web", *type_flag,
                "-p", '{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web patched"
    pod = rest.get(path)
    assert [(c["name"], c["image"]) for c in pod["spec"]["containers"]] == [
        ("main", "nginx:1.25"), ("sidecar", "proxy:2")]


def test_patch_that_changes_nothing_says_so(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    two_container_pod(rest, ns)
    r = kubectl("patch", "pod", "web", "--type=merge", "-p", '{"metadata":{"labels":{"app":"web"}}}')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/web patched (no change)"


# -- scale ----------------------------------------------------------------------------------


def make_rc(rest: Rest, ns: str, replicas: int = 1) -> str:
    rest.create(f"/api/v1/namespaces/{ns}/replicationcontrollers", {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
        "spec": {"replicas": replicas, "selector": {"app": "web"},
                 "template": pod_template({"app": "web"})}})
    return f"/api/v1/namespaces/{ns}/replicationcontrollers/web"


def test_scale_rc(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    path = make_rc(rest, ns)
    r = kubectl("scale", "rc", "web", "--replicas=3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "replicationcontroller/web scaled"
    assert rest.get(path)["spec"]["replicas"] == 3
    assert rest.get(path + "/scale")["spec"]["replicas"] == 3


def test_scale_with_current_replicas_precondition(kubectl: Kubectl, rest: Rest,
                                                  ns: str) -> None:
    """--current-replicas reads the Scale and PUTs it back (COMPAT.md §10)."""
    path = make_rc(rest, ns, replicas=2)
    r = kubectl("scale", "rc", "web", "--current-replicas=5", "--replicas=4")
    assert r.returncode == 1
    assert rest.get(path)["spec"]["replicas"] == 2
    r = kubectl("scale", "rc", "web", "--current-replicas=2", "--replicas=4")
    assert r.returncode == 0, r.stderr
    assert rest.get(path)["spec"]["replicas"] == 4


def test_scale_deployment(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/apis/apps/v1/namespaces/{ns}/deployments",
                deployment([{"name": "app", "image": "app:1"}], {}))
    r = kubectl("scale", "deploy", "web", "--replicas=5")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "deployment.apps/web scaled"
    assert rest.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")["spec"]["replicas"] == 5


# -- delete ---------------------------------------------------------------------------------


def test_delete_unbound_pod_is_immediate(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    r = kubectl("delete", "pod", "web", "--wait=false")
    assert r.returncode == 0, r.stderr
    assert 'pod "web" deleted' in r.stdout
    assert rest.status_of(POD.format(ns=ns, name="web")) == 404


def test_delete_waits_and_returns(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    r = kubectl("delete", "pod", "web", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert rest.status_of(POD.format(ns=ns, name="web")) == 404
    r = kubectl("delete", "pod", "web")
    assert r.returncode == 1
    assert 'Error from server (NotFound): pods "web" not found' in r.stderr


def test_delete_bound_pod_is_graceful_until_forced(kubectl: Kubectl, rest: Rest,
                                                    ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    rest.bind(ns, "web", "node-1")
    path = POD.format(ns=ns, name="web")

    r = kubectl("delete", "pod", "web", "--wait=false")
    assert r.returncode == 0, r.stderr
    assert 'pod "web" deleted' in r.stdout
    pod = rest.get(path)  # still there: the kubelet has to stop it first
    assert pod["metadata"]["deletionTimestamp"]
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    r = kubectl("get", "pod", "web", "-o", "jsonpath={.metadata.deletionTimestamp}")
    assert r.returncode == 0 and r.stdout == pod["metadata"]["deletionTimestamp"], r

    r = kubectl("delete", "pod", "web", "--grace-period=0", "--force")
    assert r.returncode == 0, r.stderr
    assert 'pod "web" force deleted' in r.stdout
    assert rest.status_of(path) == 404


def test_delete_by_label(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    for name, app in (("a", "x"), ("b", "x"), ("c", "y")):
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest(name, {"app": app}))
    r = kubectl("delete", "pods", "-l", "app=x")
    assert r.returncode == 0, r.stderr
    remaining = rest.get(f"/api/v1/namespaces/{ns}/pods")["items"]
    assert [p["metadata"]["name"] for p in remaining] == ["c"]


def test_delete_dry_run_server_keeps_the_object(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    r = kubectl("delete", "pod", "web", "--dry-run=server")
    assert r.returncode == 0, r.stderr
    assert "(server dry run)" in r.stdout
    assert rest.status_of(POD.format(ns=ns, name="web")) == 200
