"""PriorityClasses through the API with the Priority admission plugin on: the system
classes exist from the start and cannot be deleted, a pod's class becomes its priority
(or the global default's), an unknown class or a contradicting priority is 403, only one
class may be the default, and kubectl's columns."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.kube import assert_status, pod
from tests.support.processes import ApiServerProcess

PCS = "/apis/scheduling.k8s.io/v1/priorityclasses"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("priority-apiserver"),
                            extra=["--enable-admission-plugins", "Priority"])
    proc.start()
    yield proc
    proc.stop()


def pclass(name: str, value: int, **extra: object) -> dict:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, **extra}


def test_system_classes_exist_and_stay(client: httpx.Client) -> None:
    got = client.get(f"{PCS}/system-node-critical").json()
    assert got["value"] == 2000001000 and got["preemptionPolicy"] == "PreemptLowerPriority"
    assert client.get(f"{PCS}/system-cluster-critical").json()["value"] == 2000000000
    r = client.delete(f"{PCS}/system-node-critical")
    assert_status(r, 403, "Forbidden")
    assert r.json()["message"] == ('priorityclasses.scheduling.k8s.io "system-node-critical" '
                                   'is forbidden: this is a system priority class and cannot '
                                   'be deleted')
    r = client.post(PCS, json=pclass("system-mine", 10))
    assert_status(r, 422, "Invalid")
    r = client.post(PCS, json=pclass("too-high", 1_000_000_001))
    assert_status(r, 422, "Invalid")
    assert "maximum allowed value of a user defined priority is 1000000000" in r.text


def test_pod_gets_its_class_priority(client: httpx.Client, ns: str) -> None:
    assert client.post(PCS, json=pclass(f"{ns}-high", 1000,
                                        preemptionPolicy="Never")).status_code == 201
    pods = f"/api/v1/namespaces/{ns}/pods"
    body = pod("hi")
    body["spec"]["priorityClassName"] = f"{ns}-high"
    spec = client.post(pods, json=body).json()["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (1000, "Never")

    body = pod("nope")
    body["spec"]["priorityClassName"] = "nope"
    r = client.post(pods, json=body)
    assert_status(r, 403, "Forbidden")
    assert r.json()["message"] == ('pods "nope" is forbidden: no PriorityClass with name nope '
                                   'was found')
    body = pod("liar")
    body["spec"].update(priorityClassName=f"{ns}-high", priority=5)
    r = client.post(pods, json=body)
    assert_status(r, 403, "Forbidden")
    assert "the integer value of priority (5) must not be provided in pod spec" in r.text

    spec = client.post(pods, json=pod("plain")).json()["spec"]
    assert spec["priority"] == 0 and "priorityClassName" not in spec


def test_one_global_default(client: httpx.Client, ns: str) -> None:
    assert client.post(PCS, json=pclass("the-default", 7, globalDefault=True)).status_code == 201
    try:
        r = client.post(PCS, json=pclass("another-default", 8, globalDefault=True))
        assert_status(r, 403, "Forbidden")
        assert "Only one default can exist" in r.json()["message"]
        spec = client.post(f"/api/v1/namespaces/{ns}/pods", json=pod("dflt")).json()["spec"]
        assert (spec["priority"], spec["priorityClassName"]) == (7, "the-default")
    finally:
        client.delete(f"{PCS}/the-default")


def test_kubectl_columns(client: httpx.Client) -> None:
    table = client.get(PCS, headers={"Accept": TABLE}).json()
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]
    row = next(r for r in table["rows"] if r["cells"][0] == "system-node-critical")
    assert row["cells"][1:3] == [2000001000, False]
