"""Server-side apply with real kubectl (1.32 and 1.37) and the Python client: managedFields
as kubectl shows them, conflicts printed as kubectl prints them, --force-conflicts, and the
move from client-side to server-side apply (kubectl rewrites managedFields for it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.compat.conftest import Kubectl, Rest, pod_template

DEPLOY = "/apis/apps/v1/namespaces/{ns}/deployments/web"


def deployment(replicas: int, image: str = "nginx:1.25") -> dict[str, Any]:
    tmpl = pod_template({"app": "web"})
    tmpl["spec"]["containers"][0]["image"] = image
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": tmpl}}


def managers(obj: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["manager"], e["operation"]): e for e in obj["metadata"].get("managedFields", [])}


def test_apply_server_side_creates_and_reapplies(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    f = kubectl.manifest("d.yaml", deployment(2))
    for _ in range(2):
        r = kubectl("apply", "--server-side", "-f", f)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "deployment.apps/web serverside-applied"
    obj = rest.get(DEPLOY.format(ns=ns))
    entry = managers(obj)["kubectl", "Apply"]
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert entry["apiVersion"] == "apps/v1"


def test_conflicts_fail_and_force_conflicts_takes_the_fields(kubectl: Kubectl, rest: Rest,
                                                             ns: str) -> None:
    kubectl.ok("create", "-f", kubectl.manifest("d.yaml", deployment(1)))
    f = kubectl.manifest("d2.yaml", deployment(3))
    r = kubectl("apply", "--server-side", "-f", f)
    assert r.returncode == 1
    assert ('Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: '
            '.spec.replicas') in r.stderr, r.stderr
    assert "--force-conflicts" in r.stderr  # kubectl's own advice follows the server's
    assert rest.get(DEPLOY.format(ns=ns))["spec"]["replicas"] == 1
    r = kubectl("apply", "--server-side", "--force-conflicts", "-f", f)
    assert r.returncode == 0, r.stderr
    obj = rest.get(DEPLOY.format(ns=ns))
    assert obj["spec"]["replicas"] == 3
    assert "f:replicas" not in managers(obj)["kubectl-create", "Update"]["fieldsV1"]["f:spec"]


def test_server_side_apply_after_client_side_apply(kubectl: Kubectl, rest: Rest,
                                                   ns: str) -> None:
    r = kubectl("apply", "-f", kubectl.manifest("d.yaml", deployment(1)))
    assert r.returncode == 0, r.stderr
    assert ("kubectl-client-side-apply", "Update") in managers(rest.get(DEPLOY.format(ns=ns)))
    r = kubectl("apply", "--server-side", "-f",
                kubectl.manifest("d2.yaml", deployment(2, "nginx:1.27")))
    assert r.returncode == 0, r.stderr
    obj = rest.get(DEPLOY.format(ns=ns))
    assert obj["spec"]["replicas"] == 2
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    got = managers(obj)
    # kubectl moved client-side apply's fields to its server-side manager
    assert ("kubectl", "Apply") in got
    assert ("kubectl-client-side-apply", "Update") not in got
    # and applying the same file server-side again changes nothing
    r = kubectl("apply", "--server-side", "-f", str(kubectl.workdir / "d2.yaml"))
    assert r.returncode == 0, r.stderr
    assert rest.get(DEPLOY.format(ns=ns))["metadata"]["resourceVersion"] == \
        obj["metadata"]["resourceVersion"]
    # the server kept the last-applied annotation in step with what kubectl applied (its
    # lastAppliedUpdater: the applied object in Go's JSON, keys sorted, a newline after)
    last = obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    applied = deployment(2, "nginx:1.27")
    applied["metadata"]["namespace"] = ns
    assert last == json.dumps(applied, sort_keys=True, separators=(",", ":")) + "\n"


def test_get_shows_managed_fields_only_when_asked(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("apply", "--server-side", "-f", kubectl.manifest("d.yaml", deployment(1)))
    plain = yaml.safe_load(kubectl.ok("get", "deployment", "web", "-o", "yaml"))
    assert "managedFields" not in plain["metadata"]
    shown = yaml.safe_load(kubectl.ok("get", "deployment", "web", "-o", "yaml",
                                      "--show-managed-fields"))
    (entry,) = shown["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsType"]) == \
        ("kubectl", "Apply", "FieldsV1")


@pytest.fixture
def apps(api_client: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api_client)


def test_python_client_apply_and_conflict(apps: client.AppsV1Api, rest: Rest, ns: str) -> None:
    body = deployment(1)
    got = apps.patch_namespaced_deployment("web", ns, body, field_manager="py-apply",
                                           _content_type="application/apply-patch+yaml")
    assert got.spec.replicas == 1
    assert [(m.manager, m.operation) for m in got.metadata.managed_fields] == \
        [("py-apply", "Apply")]
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("web", ns, deployment(5), field_manager="other",
                                         _content_type="application/apply-patch+yaml")
    assert e.value.status == 409
    status = json.loads(e.value.body)
    assert status["reason"] == "Conflict"
    assert status["message"] == \
        'Apply failed with 1 conflict: conflict with "py-apply": .spec.replicas'
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                            "message": 'conflict with "py-apply"',
                                            "field": ".spec.replicas"}]
    got = apps.patch_namespaced_deployment("web", ns, deployment(5), field_manager="other",
                                           force=True,
                                           _content_type="application/apply-patch+yaml")
    assert got.spec.replicas == 5
    # an update through the typed client is recorded under the client's user agent
    got.spec.replicas = 6
    got = apps.replace_namespaced_deployment("web", ns, got)
    assert ("OpenAPI-Generator", "Update") in {(m.manager, m.operation)
                                               for m in got.metadata.managed_fields}
