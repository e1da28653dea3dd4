"""The official Python client with CustomResourceDefinitions: ApiextensionsV1Api creates and
reads a CRD (its typed models decode our status), CustomObjectsApi creates, lists, merge-
patches the status of and watches custom objects, and the dynamic client discovers the
new kind — what operator frameworks (kopf) built on these calls need."""

from __future__ import annotations

import secrets
from typing import Any

from kubernetes import client, dynamic, watch
from kubernetes.client.exceptions import ApiException

from tests.compat.test_kubectl_customresources import crd
from tests.support.processes import wait_until


def test_python_client_custom_objects(api_client: client.ApiClient, ns: str) -> None:
    group = f"p{secrets.token_hex(3)}.example.com"
    ext = client.ApiextensionsV1Api(api_client)
    ext.create_custom_resource_definition(crd(group))

    def established() -> bool:
        got = ext.read_custom_resource_definition(f"gadgets.{group}")
        return any(c.type == "Established" and c.status == "True"
                   for c in got.status.conditions or [])

    wait_until(established, 10, "the CRD to be established")
    objs = client.CustomObjectsApi(api_client)
    body: dict[str, Any] = {"apiVersion": f"{group}/v1", "kind": "Gadget",
                            "metadata": {"name": "g1"}, "spec": {"replicas": 2}}
    made = objs.create_namespaced_custom_object(group, "v1", ns, "gadgets", body)
    assert made["spec"] == {"replicas": 2, "image": "busybox"}
    objs.patch_namespaced_custom_object_status(group, "v1", ns, "gadgets", "g1",
                                               {"status": {"ready": 2}})
    got = objs.get_namespaced_custom_object(group, "v1", ns, "gadgets", "g1")
    assert got["status"] == {"ready": 2}
    objs.patch_namespaced_custom_object(group, "v1", ns, "gadgets", "g1",
                                        {"metadata": {"finalizers": ["example.com/f"]}})
    listed = objs.list_namespaced_custom_object(group, "v1", ns, "gadgets")
    rv = listed["metadata"]["resourceVersion"]
    assert [i["metadata"]["name"] for i in listed["items"]] == ["g1"]
    try:
        objs.create_namespaced_custom_object(group, "v1", ns, "gadgets", {
            **body, "metadata": {"name": "g2"}, "spec": {"replicas": -1}})
        raise AssertionError("a negative replicas was accepted")
    except ApiException as e:
        assert e.status == 422 and "spec.replicas" in e.body
    objs.delete_namespaced_custom_object(group, "v1", ns, "gadgets", "g1")
    w = watch.Watch()
    events = []
    for ev in w.stream(objs.list_namespaced_custom_object, group, "v1", ns, "gadgets",
                       resource_version=rv, timeout_seconds=5):
        events.append((ev["type"], ev["object"]["metadata"].get("deletionTimestamp")))
        if ev["object"]["metadata"].get("deletionTimestamp"):
            w.stop()
    assert events[-1][0] == "MODIFIED" and events[-1][1]
    dyn = dynamic.DynamicClient(api_client)
    res = dyn.resources.get(api_version=f"{group}/v1", kind="Gadget")
    assert res.namespaced and res.name == "gadgets"
    ext.delete_custom_resource_definition(f"gadgets.{group}")
