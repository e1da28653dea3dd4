"""The ServiceAccount admission plugin, as a table: what it does to a new pod's spec."""

from __future__ import annotations

import copy

import pytest

from tests.unit.apiserver.serviceaccount.fakes import Objects
from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.errors import ApiError
from tugboat.apiserver.serviceaccount.admission import ServiceAccountAdmission

PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def admit(spec: dict, annotations: dict | None = None, sa: dict | None = None,
          operation: Operation = Operation.CREATE) -> dict:
    objects = Objects()
    objects.put("serviceaccounts", "ns1", "default", "u1", **(sa or {}))
    objects.put("serviceaccounts", "ns1", "builder", "u2")
    pod = {"metadata": {"name": "p", "namespace": "ns1", "annotations": annotations or {}},
           "spec": copy.deepcopy(spec)}
    req = AdmissionRequest(lookup("", "v1", "pods"), operation, "ns1", "p", obj=pod)
    ServiceAccountAdmission(objects).admit(req)
    return pod["spec"]


def one_container(**extra) -> dict:
    return {"containers": [{"name": "c", "image": "busybox"}], **extra}


def test_a_plain_pod_gets_default_and_the_api_access_volume() -> None:
    spec = admit(one_container(initContainers=[{"name": "i", "image": "busybox"}]))
    assert spec["serviceAccountName"] == spec["serviceAccount"] == "default"
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == 21
    assert volume["projected"] == {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt",
                                                              "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}
    mount = {"name": volume["name"], "readOnly": True, "mountPath": PATH}
    assert spec["containers"][0]["volumeMounts"] == [mount]
    assert spec["initContainers"][0]["volumeMounts"] == [mount]


@pytest.mark.parametrize(("spec", "sa", "mounted"), [
    (one_container(automountServiceAccountToken=False), {}, False),
    (one_container(), {"automountServiceAccountToken": False}, False),
    (one_container(automountServiceAccountToken=True),
     {"automountServiceAccountToken": False}, True),
    (one_container(serviceAccountName="builder"), {}, True),
])
def test_automount_switches(spec: dict, sa: dict, mounted: bool) -> None:
    out = admit(spec, sa=sa)
    assert bool(out.get("volumes")) is mounted
    assert bool(out["containers"][0].get("volumeMounts")) is mounted


def test_a_container_with_its_own_mount_there_keeps_it() -> None:
    own = {"name": "mine", "mountPath": PATH}
    spec = admit({"containers": [{"name": "c", "volumeMounts": [own]}],
                  "volumes": [{"name": "mine", "emptyDir": {}}]})
    assert spec["containers"][0]["volumeMounts"] == [own]
    assert [v["name"] for v in spec["volumes"]] == ["mine"]


def test_a_missing_service_account_is_forbidden() -> None:
    with pytest.raises(ApiError) as e:
        admit(one_container(serviceAccountName="ghost"))
    assert e.value.code == 403
    assert e.value.message == ('pods "p" is forbidden: error looking up service account '
                               'ns1/ghost: serviceaccount "ghost" not found')


def test_mirror_pods_are_left_alone() -> None:
    mirror = {"kubernetes.io/config.mirror": "abc"}
    assert admit(one_container(), mirror) == one_container()
    with pytest.raises(ApiError, match="a mirror pod may not reference service accounts"):
        admit(one_container(serviceAccountName="default"), mirror)


def test_updates_are_not_touched() -> None:
    assert admit(one_container(), operation=Operation.UPDATE) == one_container()


def test_image_pull_secrets_come_from_the_service_account() -> None:
    spec = admit(one_container(), sa={"imagePullSecrets": [{"name": "reg"}]})
    assert spec["imagePullSecrets"] == [{"name": "reg"}]
