"""Pod Security admission: what a user sees when a namespace enforces, warns or audits a
level — the 403 message, the Warning, the audit annotation — with Kubernetes' wording."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.admission.podsecurity import PodSecurity
from tugboat.apiserver.errors import ApiError

PODS = lookup("", "v1", "pods")
NAMESPACES = lookup("", "v1", "namespaces")
DEPLOYMENTS = lookup("apps", "v1", "deployments")


class Cache:
    """The watch cache's get/list over a dict of store keys."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}

    def namespace(self, name: str, **labels: str) -> None:
        self.objects[NAMESPACES.key(None, name)] = {"metadata": {"name": name,
                                                                 "labels": labels}}

    def pod(self, ns: str, pod: dict) -> None:
        self.objects[PODS.key(ns, pod["metadata"]["name"])] = pod

    def get(self, key: str) -> dict | None:
        return self.objects.get(key)

    def list(self, prefix: str) -> list[dict]:
        return [o for k, o in sorted(self.objects.items()) if k.startswith(prefix)]


def pod(name: str = "x", containers: list[dict] | None = None, **spec: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"containers": containers or [{"name": "c", "image": "busybox"}], **spec}}


RESTRICTED_SC = {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                 "capabilities": {"drop": ["ALL"]},
                 "seccompProfile": {"type": "RuntimeDefault"}}


def create(obj: dict, info: Any = PODS, ns: str = "ns") -> AdmissionRequest:
    return AdmissionRequest(info, Operation.CREATE, ns, obj["metadata"]["name"], obj=obj)


def admit(cache: Cache, req: AdmissionRequest) -> AdmissionRequest:
    PodSecurity(cache).validate(req)
    return req


def refusal(cache: Cache, req: AdmissionRequest) -> ApiError:
    with pytest.raises(ApiError) as e:
        PodSecurity(cache).validate(req)
    return e.value


@pytest.fixture
def cache() -> Cache:
    return Cache()


def test_unlabelled_namespace_is_privileged(cache: Cache) -> None:
    cache.namespace("ns")
    req = admit(cache, create(pod(hostNetwork=True, containers=[
        {"name": "c", "image": "i", "securityContext": {"privileged": True}}])))
    assert req.warnings == [] and req.annotations == {}


def test_enforce_restricted_refuses_a_plain_pod_with_kubernetes_message(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted"})
    err = refusal(cache, create(pod()))
    assert (err.code, err.reason) == (403, "Forbidden")
    assert err.message == (
        'pods "x" is forbidden: violates PodSecurity "restricted:latest": '
        'allowPrivilegeEscalation != false (container "c" must set '
        'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities '
        '(container "c" must set securityContext.capabilities.drop=["ALL"]), '
        'runAsNonRoot != true (pod or container "c" must set '
        'securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set '
        'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')


def test_restricted_pod_passes_restricted(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted"})
    req = admit(cache, create(pod(containers=[{"name": "c", "image": "i",
                                               "securityContext": RESTRICTED_SC}])))
    assert req.warnings == []
    assert req.annotations == {"pod-security.kubernetes.io/enforce-policy": "restricted:latest"}


def test_pod_level_settings_cover_containers(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted"})
    sc = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"],
                                                              "add": ["NET_BIND_SERVICE"]}}
    admit(cache, create(pod(containers=[{"name": "c", "image": "i", "securityContext": sc}],
                            securityContext={"runAsNonRoot": True, "runAsUser": 1000,
                                             "seccompProfile": {"type": "Localhost",
                                                                "localhostProfile": "p"}})))


def test_baseline_violations_in_kubernetes_order(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "baseline",
                             "pod-security.kubernetes.io/enforce-version": "v1.32"})
    bad = pod(containers=[
        {"name": "a", "image": "i", "ports": [{"containerPort": 80, "hostPort": 8080}],
         "securityContext": {"privileged": True, "capabilities": {"add": ["SYS_ADMIN",
                                                                          "CHOWN"]},
                             "procMount": "Unmasked"}},
        {"name": "b", "image": "i", "securityContext": {
            "privileged": True, "seccompProfile": {"type": "Unconfined"},
            "seLinuxOptions": {"type": "spc_t", "user": "u"}}}],
        hostNetwork=True, hostPID=True,
        volumes=[{"name": "root", "hostPath": {"path": "/"}}],
        securityContext={"sysctls": [{"name": "kernel.msgmax", "value": "1"},
                                     {"name": "net.ipv4.tcp_syncookies", "value": "1"}],
                         "windowsOptions": {"hostProcess": True}})
    err = refusal(cache, create(bad))
    assert err.message == (
        'pods "x" is forbidden: violates PodSecurity "baseline:v1.32": '
        'non-default capabilities (container "a" must not include "SYS_ADMIN" in '
        'securityContext.capabilities.add), '
        'host namespaces (hostNetwork, hostPID), '
        'hostPath volumes (volume "root"), '
        'hostPort (container "a" uses hostPort 8080), '
        'privileged (containers "a", "b" must not set securityContext.privileged=true), '
        'procMount (container "a" must not set securityContext.procMount to "Unmasked"), '
        'seLinuxOptions (container "b" set forbidden securityContext.seLinuxOptions: '
        'type "spc_t"; user may not be set), '
        'seccompProfile (container "b" must not set securityContext.seccompProfile.type to '
        '"Unconfined"), '
        'forbidden sysctls (kernel.msgmax), '
        'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)')


def test_restricted_replaces_overlapping_baseline_checks(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted"})
    sc = {**RESTRICTED_SC, "runAsUser": 0, "capabilities": {"drop": ["ALL"],
                                                            "add": ["SYS_TIME"]}}
    bad = pod(containers=[{"name": "c", "image": "i", "securityContext": sc}],
              volumes=[{"name": "h", "hostPath": {"path": "/"}},
                       {"name": "n", "nfs": {"server": "s", "path": "/"}},
                       {"name": "ok", "emptyDir": {}}])
    err = refusal(cache, create(bad))
    assert err.message == (
        'pods "x" is forbidden: violates PodSecurity "restricted:latest": '
        'unrestricted capabilities (container "c" must not include "SYS_TIME" in '
        'securityContext.capabilities.add), '
        'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", '
        '"nfs"), runAsUser=0 (container "c" must not set runAsUser=0)')


def test_apparmor_unconfined_is_baseline_violation(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "baseline"})
    err = refusal(cache, create(pod(securityContext={"appArmorProfile": {"type": "Unconfined"}})))
    assert err.message.endswith('forbidden AppArmor profile (pod must not set AppArmor '
                                'profile type to "Unconfined")')


def test_warn_mode_admits_with_a_warning(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "baseline",
                             "pod-security.kubernetes.io/warn": "restricted",
                             "pod-security.kubernetes.io/warn-version": "v1.31"})
    sc = {**RESTRICTED_SC, "allowPrivilegeEscalation": True}
    req = admit(cache, create(pod(containers=[{"name": "c", "image": "i",
                                               "securityContext": sc}])))
    assert req.warnings == ['would violate PodSecurity "restricted:v1.31": '
                            'allowPrivilegeEscalation != false (container "c" must set '
                            'securityContext.allowPrivilegeEscalation=false)']


def test_audit_mode_annotates(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/audit": "baseline"})
    req = admit(cache, create(pod(hostIPC=True)))
    assert req.warnings == []
    assert req.annotations == {
        "pod-security.kubernetes.io/enforce-policy": "privileged:latest",
        "pod-security.kubernetes.io/audit-violations":
            'would violate PodSecurity "baseline:latest": host namespaces (hostIPC)'}


def test_refused_pod_gets_no_warning_but_is_audited(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "baseline",
                             "pod-security.kubernetes.io/audit": "baseline"})
    req = create(pod(hostPID=True))
    refusal(cache, req)
    assert req.warnings == []
    assert "pod-security.kubernetes.io/audit-violations" in req.annotations


def test_workloads_are_warned_never_refused(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "baseline"})
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "d", "namespace": "ns"},
              "spec": {"template": {"metadata": {}, "spec": {
                  "containers": [{"name": "c", "image": "i",
                                  "securityContext": {"privileged": True}}],
                  "volumes": [{"name": "v", "hostPath": {"path": "/"}}]}}}}
    req = admit(cache, create(deploy, DEPLOYMENTS))
    # only enforce is set, so warn defaults to the enforce level, as in Kubernetes
    assert req.warnings == ['would violate PodSecurity "baseline:latest": hostPath volumes '
                            '(volume "v"), privileged (container "c" must not set '
                            'securityContext.privileged=true)']


def test_status_and_label_only_updates_are_not_evaluated(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted"})
    old = pod()
    new = pod()
    new["metadata"]["labels"] = {"a": "b"}
    PodSecurity(cache).validate(AdmissionRequest(PODS, Operation.UPDATE, "ns", "x", obj=new,
                                                 old=old))
    PodSecurity(cache).validate(AdmissionRequest(PODS, Operation.UPDATE, "ns", "x",
                                                 subresource="status", obj=new, old=old))
    image_change = pod(containers=[{"name": "c", "image": "other"}])
    with pytest.raises(ApiError):
        PodSecurity(cache).validate(AdmissionRequest(PODS, Operation.UPDATE, "ns", "x",
                                                     obj=image_change, old=old))


def test_older_policy_versions_skip_newer_checks(cache: Cache) -> None:
    cache.namespace("ns", **{"pod-security.kubernetes.io/enforce": "restricted",
                             "pod-security.kubernetes.io/enforce-version": "v1.21"})
    sc = {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 0,
          "seccompProfile": {"type": "RuntimeDefault"}}
    # capabilities drop=ALL arrived in v1.22 and runAsUser=0 in v1.23
    admit(cache, create(pod(containers=[{"name": "c", "image": "i", "securityContext": sc}])))
