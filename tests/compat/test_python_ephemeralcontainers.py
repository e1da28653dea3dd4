"""The official Python client on pods/ephemeralcontainers: read it (a Pod), patch in a
debugging container as its typed models send it, and the refusal of a change to one
already there as an ApiException with Kubernetes' 422."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.compat.conftest import Rest, pod_manifest


def test_read_and_patch_ephemeral_containers(rest: Rest, core: client.CoreV1Api,
                                             ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("app"))
    pod = core.read_namespaced_pod_ephemeralcontainers("app", ns)
    assert pod.kind == "Pod" and not pod.spec.ephemeral_containers
    debugger = client.V1EphemeralContainer(name="debugger", image="busybox:1.35", stdin=True,
                                           target_container_name=pod.spec.containers[0].name)
    patched = core.patch_namespaced_pod_ephemeralcontainers(
        "app", ns, {"spec": {"ephemeralContainers": [
            client.ApiClient().sanitize_for_serialization(debugger)]}})
    added = patched.spec.ephemeral_containers
    assert [c.name for c in added] == ["debugger"]
    assert added[0].target_container_name == pod.spec.containers[0].name
    assert added[0].termination_message_policy == "File"

    patched.spec.ephemeral_containers[0].image = "busybox:1.36"
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_pod_ephemeralcontainers("app", ns, patched)
    assert e.value.status == 422
    assert 'existing ephemeral containers \\"debugger\\" may not be changed' in e.value.body
