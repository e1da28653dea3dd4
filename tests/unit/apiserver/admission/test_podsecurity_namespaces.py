"""Pod Security on namespaces: bad labels are refused with Kubernetes' 422, and tightening
enforce warns about the pods already there, grouped as `kubectl label` shows them."""

from __future__ import annotations

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.admission.podsecurity import PodSecurity
from tugboat.apiserver.errors import ApiError

PODS = lookup("", "v1", "pods")
NAMESPACES = lookup("", "v1", "namespaces")


class Cache:
    def __init__(self, pods: list[dict]):
        self.objects = {PODS.key("team", p["metadata"]["name"]): p for p in pods}

    def get(self, key: str) -> dict | None:
        return self.objects.get(key)

    def list(self, prefix: str) -> list[dict]:
        return [o for k, o in sorted(self.objects.items()) if k.startswith(prefix)]


def ns(**labels: str) -> dict:
    return {"metadata": {"name": "team", "labels": labels}}


def pod(name: str, **spec: object) -> dict:
    return {"metadata": {"name": name, "namespace": "team"},
            "spec": {"containers": [{"name": "c", "image": "i"}], **spec}}


def update(old: dict, new: dict, pods: list[dict]) -> AdmissionRequest:
    req = AdmissionRequest(NAMESPACES, Operation.UPDATE, None, "team", obj=new, old=old)
    PodSecurity(Cache(pods)).validate(req)
    return req


def test_bad_level_label_is_invalid() -> None:
    req = AdmissionRequest(NAMESPACES, Operation.CREATE, None, "team",
                           obj=ns(**{"pod-security.kubernetes.io/enforce": "strict"}))
    with pytest.raises(ApiError) as e:
        PodSecurity(Cache([])).validate(req)
    assert (e.value.code, e.value.reason) == (422, "Invalid")
    assert e.value.message == ('Namespace "team" is invalid: metadata.labels'
                               '[pod-security.kubernetes.io/enforce]: Invalid value: "strict": '
                               'must be one of privileged, baseline, restricted')


def test_bad_version_label_is_invalid() -> None:
    req = AdmissionRequest(NAMESPACES, Operation.CREATE, None, "team",
                           obj=ns(**{"pod-security.kubernetes.io/warn-version": "1.30"}))
    with pytest.raises(ApiError) as e:
        PodSecurity(Cache([])).validate(req)
    assert e.value.message.endswith('Invalid value: "1.30": must be "latest" or "v1.x"')


def test_tightening_enforce_warns_about_existing_pods() -> None:
    pods = [pod("web-b", hostNetwork=True), pod("web-a", hostNetwork=True),
            pod("web-c", hostNetwork=True), pod("agent", hostPID=True,
                                                volumes=[{"name": "v", "hostPath": {}}]),
            pod("fine")]
    req = update(ns(), ns(**{"pod-security.kubernetes.io/enforce": "baseline"}), pods)
    assert req.warnings == [
        'existing pods in namespace "team" violate the new PodSecurity enforce level '
        '"baseline:latest"',
        "agent: host namespaces, hostPath volumes",
        "web-a (and 2 other pods): host namespaces",
    ]


def test_relaxing_or_unchanged_enforce_does_not_check_pods() -> None:
    pods = [pod("p", hostNetwork=True)]
    strict = ns(**{"pod-security.kubernetes.io/enforce": "restricted"})
    assert update(strict, ns(**{"pod-security.kubernetes.io/enforce": "baseline"}),
                  pods).warnings == []
    assert update(strict, strict, pods).warnings == []
    assert update(strict, ns(**{"pod-security.kubernetes.io/enforce": "privileged"}),
                  pods).warnings == []
