"""The served OpenAPI v3 documents: Kubernetes' operationIds and parameters, schemas from
the models in OpenAPI 3.0 form, every $ref resolving inside its own document, and what
kubectl reads (fieldValidation on PATCH, group-version-kinds, patch merge keys)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tugboat.api.resources import RESOURCES, groups
from tugboat.apiserver import openapi, openapiserving

CORE = openapi.group_version("", "v1")
APPS = openapi.group_version("apps", "v1")
POD = "io.k8s.api.core.v1.Pod"
POD_PATH = "/api/v1/namespaces/{namespace}/pods/{name}"


def _docs() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for g, versions in groups().items():
        for v in versions:
            doc = openapi.group_version(g, v)
            assert doc is not None
            out.append((f"{g or 'core'}/{v}", doc))
    return out


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_the_index_names_every_group_version() -> None:
    paths = json.loads(openapiserving.index().body)["paths"]
    core, apps = openapiserving.document("", "v1"), openapiserving.document("apps", "v1")
    assert core is not None and apps is not None
    assert paths["api/v1"] == {"serverRelativeURL": f"/openapi/v3/api/v1?hash={core.etag}"}
    assert paths["apis/apps/v1"] == {
        "serverRelativeURL": f"/openapi/v3/apis/apps/v1?hash={apps.etag}"}
    assert set(paths) == set(openapi.group_versions())
    assert openapi.group_version("nosuch", "v1") is None


@pytest.mark.parametrize("gv,doc", _docs(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_ref_resolves_within_its_document(gv: str, doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for node in _walk(doc):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.removeprefix("#/components/schemas/") in schemas, (gv, ref)


@pytest.mark.parametrize("gv,doc", _docs(), ids=lambda x: x if isinstance(x, str) else "")
def test_schemas_are_openapi_3_0(gv: str, doc: dict[str, Any]) -> None:
    """No JSON Schema 2020-12 keywords 3.0 does not know, no null types, no $ref siblings."""
    text = json.dumps(doc)
    for word in ('"$defs"', '"const"', '"prefixItems"', '"type": "null"'):
        assert word not in text, (gv, word)
    for node in _walk(doc):
        if "$ref" in node:
            assert set(node) == {"$ref"}, (gv, node)
        if isinstance(node.get("type"), list):
            pytest.fail(f"{gv}: a list of types {node}")


def test_operation_ids_and_actions_are_kubernetes() -> None:
    item = CORE["paths"][POD_PATH]
    assert {m: op["operationId"] for m, op in item.items() if m != "parameters"} == {
        "get": "readCoreV1NamespacedPod", "put": "replaceCoreV1NamespacedPod",
        "patch": "patchCoreV1NamespacedPod", "delete": "deleteCoreV1NamespacedPod"}
    assert item["put"]["x-kubernetes-action"] == "put"
    coll = CORE["paths"]["/api/v1/namespaces/{namespace}/pods"]
    assert coll["get"]["operationId"] == "listCoreV1NamespacedPod"
    assert coll["post"]["operationId"] == "createCoreV1NamespacedPod"
    assert coll["delete"]["operationId"] == "deleteCollectionCoreV1NamespacedPod"
    assert CORE["paths"]["/api/v1/pods"]["get"]["operationId"] == \
        "listCoreV1PodForAllNamespaces"
    assert CORE["paths"]["/api/v1/nodes"]["get"]["operationId"] == "listCoreV1Node"
    assert APPS["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"][
        "put"]["operationId"] == "replaceAppsV1NamespacedDeploymentScale"
    rbac = openapi.group_version("rbac.authorization.k8s.io", "v1")
    assert rbac is not None
    assert rbac["paths"]["/apis/rbac.authorization.k8s.io/v1/clusterroles"]["post"][
        "operationId"] == "createRbacAuthorizationV1ClusterRole"


def test_path_and_query_parameters() -> None:
    item = CORE["paths"][POD_PATH]
    assert [(p["name"], p["in"], p.get("required")) for p in item["parameters"]] == [
        ("name", "path", True), ("namespace", "path", True), ("pretty", "query", None)]
    listed = {p["name"]: p["schema"]["type"] for p in
              CORE["paths"]["/api/v1/namespaces/{namespace}/pods"]["get"]["parameters"]}
    assert listed["limit"] == "integer" and listed["watch"] == "boolean"
    assert {"labelSelector", "fieldSelector", "continue", "resourceVersion",
            "resourceVersionMatch", "timeoutSeconds"} <= set(listed)
    deleted = {p["name"] for p in item["delete"]["parameters"]}
    assert {"gracePeriodSeconds", "propagationPolicy", "dryRun"} <= deleted
    patched = {p["name"] for p in item["patch"]["parameters"]}
    assert {"dryRun", "fieldManager", "fieldValidation", "force"} <= patched


def test_bodies_and_responses_are_the_kinds() -> None:
    item = CORE["paths"][POD_PATH]
    ref = {"$ref": f"#/components/schemas/{POD}"}
    assert item["put"]["requestBody"]["content"]["*/*"]["schema"] == ref
    assert item["get"]["responses"]["200"]["content"]["application/json"]["schema"] == ref
    assert set(item["patch"]["requestBody"]["content"]) == {
        "application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json"}
    listed = CORE["paths"]["/api/v1/namespaces/{namespace}/pods"]["get"]
    assert listed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/io.k8s.api.core.v1.PodList"}


def test_subresources_are_documented() -> None:
    base = "/api/v1/namespaces/{namespace}/pods/{name}"
    assert set(CORE["paths"][base + "/status"]) >= {"get", "put", "patch"}
    binding = CORE["paths"][base + "/binding"]["post"]
    assert binding["requestBody"]["content"]["*/*"]["schema"] == {
        "$ref": "#/components/schemas/io.k8s.api.core.v1.Binding"}
    eviction = CORE["paths"][base + "/eviction"]["post"]
    assert eviction["x-kubernetes-group-version-kind"] == {"group": "policy", "version": "v1",
                                                          "kind": "Eviction"}
    assert "put" in CORE["paths"]["/api/v1/namespaces/{name}/finalize"]
    token = CORE["paths"]["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"]
    assert token["post"]["operationId"] == "createCoreV1NamespacedServiceAccountToken"
    assert CORE["paths"][base + "/log"]["get"]["operationId"] == "readCoreV1NamespacedPodLog"
    assert CORE["paths"][base + "/exec"]["get"]["x-kubernetes-action"] == "connect"
    assert "post" in CORE["paths"]["/api/v1/namespaces/{namespace}/bindings"]
    scale = CORE["paths"]["/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale"]
    assert scale["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"}


def test_kinds_carry_their_group_version_kind() -> None:
    for r in RESOURCES:
        doc = openapi.group_version(r.group, r.version)
        assert doc is not None
        gvks = [s.get("x-kubernetes-group-version-kind", []) for s in
                doc["components"]["schemas"].values()]
        want = {"group": r.group, "version": r.version, "kind": r.kind}
        assert any(want in g for g in gvks), want


def test_schemas_type_the_fields() -> None:
    schemas = CORE["components"]["schemas"]
    pod = schemas[POD]
    assert pod["properties"]["metadata"]["allOf"] == [{
        "$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    container = schemas["io.k8s.api.core.v1.Container"]
    assert "name" in container.get("required", []) or \
        container["properties"]["name"]["type"] == "string"
    meta = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]
    assert meta["labels"]["type"] == "object"
    assert meta["labels"]["additionalProperties"] == {"type": "string"}
    port = schemas["io.k8s.api.core.v1.HTTPGetAction"]["properties"]["port"]
    assert port["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]
    limits = schemas["io.k8s.api.core.v1.ResourceRequirements"]["properties"]["limits"]
    assert limits["additionalProperties"] == {
        "$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}
    assert schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == \
        "int-or-string"


def test_lists_merged_by_key_carry_patch_metadata() -> None:
    """kubectl's client-side apply computes its strategic merge patch from these."""
    schemas = CORE["components"]["schemas"]
    spec = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]
    assert spec["containers"]["x-kubernetes-patch-merge-key"] == "name"
    assert spec["containers"]["x-kubernetes-patch-strategy"] == "merge"
    assert spec["volumes"]["x-kubernetes-patch-strategy"] == "merge,retainKeys"
    ports = schemas["io.k8s.api.core.v1.Container"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    service_ports = schemas["io.k8s.api.core.v1.ServiceSpec"]["properties"]["ports"]
    assert service_ports["x-kubernetes-patch-merge-key"] == "port"
    assert "x-kubernetes-patch-merge-key" not in \
        schemas["io.k8s.api.core.v1.EndpointSubset"]["properties"]["ports"]
