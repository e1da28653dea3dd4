"""The LimitRanger and ResourceQuota admission plugins on a dict cache: defaults and
bounds with Kubernetes' messages; quota refusals; and in-flight charges, so creates
admitted before either is stored still count against the quota."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.admission.limitranger import LimitRanger
from tugboat.apiserver.admission.resourcequota import ResourceQuotaAdmission
from tugboat.apiserver.errors import ApiError

PODS = lookup("", "v1", "pods")
QUOTAS = lookup("", "v1", "resourcequotas")
LIMITS = lookup("", "v1", "limitranges")


class Cache(dict):
    rev = 10
    changes: list[Any] = []

    def list(self, prefix: str, match: Any = None) -> list[dict]:
        return [v for k, v in sorted(self.items()) if k.startswith(prefix)]


def pod(name: str, **resources: Any) -> dict:
    return {"metadata": {"name": name, "namespace": "ns"},
            "spec": {"containers": [{"name": "c", "image": "i", "resources": resources}]}}


def request(obj: dict, info: Any = PODS, **kw: Any) -> AdmissionRequest:
    return AdmissionRequest(info, Operation.CREATE, "ns", obj["metadata"]["name"], obj=obj, **kw)


def refusal(fn: Any, req: AdmissionRequest) -> str:
    with pytest.raises(ApiError) as e:
        fn(req)
    assert (e.value.code, e.value.reason) == (403, "Forbidden")
    return e.value.message


def limit_range(*items: dict) -> Cache:
    return Cache({LIMITS.key("ns", "lr"): {"metadata": {"name": "lr"},
                                           "spec": {"limits": list(items)}}})


def test_limit_ranger_defaults_containers_and_notes_it() -> None:
    cache = limit_range({"type": "Container", "default": {"cpu": "1", "memory": "1Gi"},
                         "defaultRequest": {"cpu": "500m", "memory": "1Gi"}})
    req = request(pod("p", limits={"memory": "512Mi"}))
    LimitRanger(cache).admit(req)
    assert req.obj["spec"]["containers"][0]["resources"] == {
        "limits": {"memory": "512Mi", "cpu": "1"},
        "requests": {"memory": "512Mi", "cpu": "500m"}}  # the limit is the request
    assert req.obj["metadata"]["annotations"] == {
        "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu request for container c; "
                                      "cpu limit for container c"}


@pytest.mark.parametrize(("item", "resources", "message"), [
    ({"type": "Container", "max": {"cpu": "500m"}}, {"limits": {"cpu": "1"}},
     "maximum cpu usage per Container is 500m, but limit is 1"),
    ({"type": "Container", "max": {"cpu": "500m"}}, {},
     "maximum cpu usage per Container is 500m.  No limit is specified"),
    ({"type": "Container", "min": {"memory": "64Mi"}}, {"requests": {"memory": "32Mi"}},
     "minimum memory usage per Container is 64Mi, but request is 32Mi"),
    ({"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}},
     {"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}},
     "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"),
    ({"type": "Pod", "max": {"cpu": "1"}}, {"limits": {"cpu": "2"}},
     "maximum cpu usage per Pod is 1, but limit is 2"),
])
def test_limit_ranger_bounds(item: dict, resources: dict, message: str) -> None:
    assert refusal(LimitRanger(limit_range(item)).admit, request(pod("p", **resources))) \
        == f'pods "p" is forbidden: {message}'


def test_limit_ranger_aggregates_several_violations() -> None:
    item = {"type": "Container", "max": {"cpu": "500m", "memory": "1Gi"}}
    msg = refusal(LimitRanger(limit_range(item)).admit, request(pod("p")))
    assert msg.startswith('pods "p" is forbidden: [maximum ')


def quota_cache(**hard: str) -> Cache:
    return Cache({QUOTAS.key("ns", "q"): {"metadata": {"name": "q", "namespace": "ns"},
                                          "spec": {"hard": hard}}})


def test_quota_counts_stored_and_in_flight_creates() -> None:
    cache = quota_cache(pods="2")
    cache[PODS.key("ns", "a")] = pod("a")
    plugin = ResourceQuotaAdmission(cache)
    plugin.validate(request(pod("b")))  # admitted, not yet stored
    assert refusal(plugin.validate, request(pod("c"))) == (
        'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, '
        "limited: pods=2")
    cache[PODS.key("ns", "b")] = pod("b")  # stored: counted once, not twice
    del cache[PODS.key("ns", "a")]
    plugin.validate(request(pod("c")))


def test_dry_runs_and_failed_writes_do_not_hold_a_slot() -> None:
    now = [0.0]
    cache = quota_cache(pods="1")
    plugin = ResourceQuotaAdmission(cache, clock=lambda: now[0])
    plugin.validate(request(pod("a"), dry_run=True))
    plugin.validate(request(pod("a")))
    refusal(plugin.validate, request(pod("b")))
    now[0] += 60  # the write never landed
    plugin.validate(request(pod("b")))


def test_quota_constraints_and_untracked_resources() -> None:
    plugin = ResourceQuotaAdmission(quota_cache(**{"requests.cpu": "1"}))
    assert refusal(plugin.validate, request(pod("p"))) == (
        'pods "p" is forbidden: failed quota: q: must specify requests.cpu for: c')
    plugin.validate(request(pod("p", requests={"cpu": "1"})))
    cm = {"metadata": {"name": "cm", "namespace": "ns"}}
    plugin.validate(request(cm, lookup("", "v1", "configmaps")))  # not tracked


def test_a_service_update_is_charged_for_its_growth_only() -> None:
    services = lookup("", "v1", "services")
    cache = quota_cache(**{"services.nodeports": "1", "services": "1"})
    old = {"metadata": {"name": "s", "namespace": "ns"},
           "spec": {"type": "ClusterIP", "ports": [{"port": 80}, {"port": 81}]}}
    cache[services.key("ns", "s")] = old
    new = {**old, "spec": {**old["spec"], "type": "NodePort"}}
    req = AdmissionRequest(services, Operation.UPDATE, "ns", "s", obj=new, old=old)
    assert refusal(ResourceQuotaAdmission(cache).validate, req) == (
        'services "s" is forbidden: exceeded quota: q, requested: services.nodeports=2, '
        "used: services.nodeports=0, limited: services.nodeports=1")
    relabeled = {**old, "metadata": {**old["metadata"], "labels": {"a": "b"}}}
    ResourceQuotaAdmission(cache).validate(  # no growth: services=1 of 1 is no problem
        AdmissionRequest(services, Operation.UPDATE, "ns", "s", obj=relabeled, old=old))
