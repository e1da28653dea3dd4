"""Services: addresses allocated on create against the stored Services; an update that
leaves them out keeps them."""

from __future__ import annotations

import pytest

from tests.unit.apiserver.strategies.objects import SERVICES, Obj, stored
from tugboat.apiserver import errors
from tugboat.apiserver.strategies import strategy_for


def service(spec: Obj) -> Obj:
    return {"metadata": {"name": "web"}, "spec": spec}


def test_create_allocates_a_free_cluster_ip_and_node_ports() -> None:
    taken = [stored("Service", spec={"clusterIP": "10.96.0.10", "ports": [{"nodePort": 30001}]})]
    body = service({"type": "NodePort", "ports": [{"port": 80}]})
    strategy_for(SERVICES).prepare_for_create(body, "default", lambda: taken)
    spec = body["spec"]
    assert spec["clusterIP"] != "10.96.0.10" and spec["clusterIPs"] == [spec["clusterIP"]]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec["ports"][0]["nodePort"] != 30001


def test_a_taken_cluster_ip_is_invalid() -> None:
    taken = [stored("Service", spec={"clusterIP": "10.96.0.10"})]
    with pytest.raises(errors.ApiError) as e:
        strategy_for(SERVICES).prepare_for_create(service({"clusterIP": "10.96.0.10"}),
                                                  "default", lambda: taken)
    assert (e.value.code, e.value.reason) == (422, "Invalid")
    assert "provided IP is already allocated" in e.value.message


@pytest.mark.parametrize(("new_spec", "kept"), [
    ({"type": "NodePort", "ports": [{"port": 80}]},
     {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"], "nodePort": 30080}),
    ({"type": "ClusterIP", "ports": [{"port": 80}]},
     {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"], "nodePort": None}),
    ({"type": "NodePort", "clusterIP": "10.96.0.20", "ports": [{"port": 80, "nodePort": 30099}]},
     {"clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.9"], "nodePort": 30099}),
])
def test_update_keeps_allocated_values(new_spec: Obj, kept: Obj) -> None:
    old = stored("Service", spec={"type": "NodePort", "clusterIP": "10.96.0.9",
                                  "clusterIPs": ["10.96.0.9"],
                                  "ports": [{"port": 80, "nodePort": 30080}]})
    out = strategy_for(SERVICES).prepare_for_update(service(new_spec), old)["spec"]
    assert out["clusterIP"] == kept["clusterIP"] and out["clusterIPs"] == kept["clusterIPs"]
    assert out["ports"][0].get("nodePort") == kept["nodePort"]
