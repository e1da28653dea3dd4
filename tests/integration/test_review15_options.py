"""Issue 15 review: what a write's options and body type say before anything is stored, as
kube-apiserver answers them — a fieldManager Kubernetes refuses is a 422 about
CreateOptions/UpdateOptions (not an object written without its managedFields), and a body
of another served version of the kind (autoscaling/v2 at an autoscaling/v1 URL), in JSON or
protobuf, is the 400 Kubernetes' create and update handlers give."""

from __future__ import annotations

import httpx

from tests.integration.kube import assert_status
from tugboat.api.proto import codec

CONFIGMAPS = "/api/v1/namespaces/{ns}/configmaps"
V1 = "/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers"
PROTOBUF = {"Content-Type": "application/vnd.kubernetes.protobuf", "Accept": "application/json"}
LONG = "m" * 129


def configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"a": "1"}}


def test_create_with_a_too_long_field_manager_is_invalid(client: httpx.Client, ns: str) -> None:
    r = client.post(CONFIGMAPS.format(ns=ns), params={"fieldManager": LONG},
                    json=configmap("long"))
    body = assert_status(r, 422, "Invalid")
    assert body["message"] == ('CreateOptions.meta.k8s.io "" is invalid: fieldManager: '
                               'Too long: may not be more than 128 bytes')
    assert body["details"]["kind"] == "CreateOptions"
    assert body["details"]["group"] == "meta.k8s.io"
    assert body["details"]["causes"][0]["reason"] == "FieldValueTooLong"
    assert client.get(CONFIGMAPS.format(ns=ns) + "/long").status_code == 404


def test_128_bytes_is_the_limit(client: httpx.Client, ns: str) -> None:
    r = client.post(CONFIGMAPS.format(ns=ns), params={"fieldManager": LONG[:128]},
                    json=configmap("exact"))
    assert r.status_code == 201, r.text
    assert [e["manager"] for e in r.json()["metadata"]["managedFields"]] == [LONG[:128]]


def test_update_with_a_bad_field_manager_is_invalid(client: httpx.Client, ns: str) -> None:
    made = client.post(CONFIGMAPS.format(ns=ns), json=configmap("upd")).json()
    made["data"] = {"a": "2"}
    path = CONFIGMAPS.format(ns=ns) + "/upd"
    body = assert_status(client.put(path, params={"fieldManager": LONG}, json=made), 422,
                         "Invalid")
    assert body["message"].startswith('UpdateOptions.meta.k8s.io "" is invalid: fieldManager: '
                                      'Too long')
    body = assert_status(client.put(path, params={"fieldManager": "a\x07"}, json=made), 422,
                         "Invalid")
    assert "invalid character U+0007 (at position 1)" in body["message"]
    assert client.get(path).json()["data"] == {"a": "1"}


def test_patch_options_keep_their_own_kind(client: httpx.Client, ns: str) -> None:
    client.post(CONFIGMAPS.format(ns=ns), json=configmap("p"))
    r = client.patch(CONFIGMAPS.format(ns=ns) + "/p", params={"fieldManager": LONG},
                     json={"data": {"b": "2"}},
                     headers={"Content-Type": "application/merge-patch+json"})
    body = assert_status(r, 422, "Invalid")
    assert body["message"].startswith('PatchOptions.meta.k8s.io "" is invalid: fieldManager:')


def _v2_hpa(name: str) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": "web"}, "maxReplicas": 3}}


def test_another_version_of_the_kind_is_refused(client: httpx.Client, ns: str) -> None:
    want = ("the API version in the data (autoscaling/v2) does not match the expected API "
            "version (autoscaling/v1)")
    hpa = _v2_hpa("h")
    assert assert_status(client.post(V1.format(ns=ns), json=hpa), 400, "BadRequest")["message"] == want
    r = client.post(V1.format(ns=ns), content=codec.encode(hpa), headers=PROTOBUF)
    assert assert_status(r, 400, "BadRequest")["message"] == want
    r = client.put(V1.format(ns=ns) + "/h", content=codec.encode(hpa), headers=PROTOBUF)
    assert assert_status(r, 400, "BadRequest")["message"] == want
    r = client.patch(V1.format(ns=ns) + "/h", params={"fieldManager": "m"}, json=hpa,
                     headers={"Content-Type": "application/apply-patch+yaml"})
    assert assert_status(r, 400, "BadRequest")["message"] == (
        "Incorrect version specified in apply patch. Specified patch version: "
        "autoscaling/v2, expected: autoscaling/v1")
    assert client.get(V1.format(ns=ns) + "/h").status_code == 404


def test_another_kind_is_refused(client: httpx.Client, ns: str) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    r = client.post(CONFIGMAPS.format(ns=ns), content=codec.encode(secret), headers=PROTOBUF)
    message = assert_status(r, 400, "BadRequest")["message"]
    assert message.startswith('Secret in version "v1" cannot be handled as a ConfigMap')


def test_a_user_agent_always_names_a_valid_manager(client: httpx.Client, ns: str) -> None:
    """With no fieldManager the user agent's product names the manager: its unprintable
    characters dropped and cut to 128 bytes (not characters), so the write keeps its
    managedFields whatever the agent sends."""
    for name, agent, want in [("tab", "my\ttool/1.0", "mytool"),
                              ("wide", "é" * 100 + "/1.0", "é" * 64)]:
        r = client.post(CONFIGMAPS.format(ns=ns), json=configmap(name),
                        headers={"User-Agent": agent.encode()})
        assert r.status_code == 201, r.text
        assert [e["manager"] for e in r.json()["metadata"].get("managedFields", [])] == [want]
