"""Secrets and ConfigMaps through a real API server: stringData folded into data and never
stored, each Secret type's rules with Kubernetes' messages, `type` fixed once created, the
size and key rules, and what `immutable: true` freezes."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.integration.kube import assert_status

Obj = dict[str, Any]


def b64(s: str | bytes) -> str:
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def secrets(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/secrets"


def configmaps(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/configmaps"


def secret(name: str, **fields: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, **fields}


def causes(resp: httpx.Response, code: int = 422) -> dict[str, str]:
    body = assert_status(resp, code, "Invalid" if code == 422 else None)
    return {c["field"]: c["message"] for c in body["details"]["causes"]}


# -- stringData ------------------------------------------------------------------------


def test_string_data_is_folded_into_data_and_wins(client: httpx.Client, ns: str) -> None:
    r = client.post(secrets(ns), json=secret("s", data={"user": b64("old"), "keep": b64("k")},
                                             stringData={"user": "admin", "pass": "p@ss"}))
    assert r.status_code == 201, r.text
    created = r.json()
    assert "stringData" not in created
    assert created["type"] == "Opaque"
    assert created["data"] == {"user": b64("admin"), "pass": b64("p@ss"), "keep": b64("k")}
    got = client.get(f"{secrets(ns)}/s").json()
    assert "stringData" not in got and got["data"] == created["data"]


def test_string_data_on_update_and_patch(client: httpx.Client, ns: str) -> None:
    created = client.post(secrets(ns), json=secret("s", stringData={"a": "1"})).json()
    created["stringData"] = {"a": "2", "b": "3"}
    r = client.put(f"{secrets(ns)}/s", json=created)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"a": b64("2"), "b": b64("3")}
    assert "stringData" not in r.json()
    r = client.patch(f"{secrets(ns)}/s", json={"stringData": {"c": "4"}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"a": b64("2"), "b": b64("3"), "c": b64("4")}
    assert "stringData" not in client.get(f"{secrets(ns)}/s").json()


def test_string_data_keys_are_validated_as_data_keys(client: httpx.Client, ns: str) -> None:
    r = client.post(secrets(ns), json=secret("s", stringData={"bad key": "v"}))
    assert "a valid config key must consist of alphanumeric characters" in \
        causes(r)["data[bad key]"]


# -- Secret types -------------------------------------------------------------------------

CERT, KEY = b64("-----BEGIN CERTIFICATE-----"), b64("-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize(("kind", "fields", "want"), [
    ("kubernetes.io/tls", {"data": {"tls.crt": CERT}}, {"data[tls.key]": "Required value"}),
    ("kubernetes.io/tls", {}, {"data[tls.crt]": "Required value",
                               "data[tls.key]": "Required value"}),
    ("kubernetes.io/dockerconfigjson", {}, {"data[.dockerconfigjson]": "Required value"}),
    ("kubernetes.io/dockercfg", {}, {"data[.dockercfg]": "Required value"}),
    ("kubernetes.io/basic-auth", {"stringData": {"user": "x"}},
     {"data[username]": "Required value", "data[password]": "Required value"}),
    ("kubernetes.io/ssh-auth", {"stringData": {"ssh-privatekey": ""}},
     {"data[ssh-privatekey]": "Required value"}),
    ("kubernetes.io/service-account-token", {},
     {"metadata.annotations[kubernetes.io/service-account.name]": "Required value"}),
])
def test_secret_type_requires_its_keys(client: httpx.Client, ns: str, kind: str,
                                       fields: Obj, want: dict[str, str]) -> None:
    r = client.post(secrets(ns), json=secret("s", type=kind, **fields))
    assert causes(r) == want
    assert 'Secret "s" is invalid: ' in r.json()["message"]


@pytest.mark.parametrize(("kind", "fields"), [
    ("kubernetes.io/tls", {"data": {"tls.crt": CERT, "tls.key": KEY}}),
    ("kubernetes.io/dockerconfigjson",
     {"stringData": {".dockerconfigjson": json.dumps({"auths": {"reg.local": {}}})}}),
    ("kubernetes.io/dockercfg", {"stringData": {".dockercfg": "{}"}}),
    ("kubernetes.io/basic-auth", {"stringData": {"password": ""}}),
    ("kubernetes.io/ssh-auth", {"stringData": {"ssh-privatekey": "k"}}),
    ("kubernetes.io/service-account-token",
     {"metadata": {"name": "s", "annotations": {"kubernetes.io/service-account.name": "sa"}}}),
    ("example.com/custom", {"stringData": {"anything": "goes"}}),
])
def test_secret_type_accepts_what_it_needs(client: httpx.Client, ns: str, kind: str,
                                           fields: Obj) -> None:
    r = client.post(secrets(ns), json=secret("s", type=kind, **fields))
    assert r.status_code == 201, r.text
    assert r.json()["type"] == kind


@pytest.mark.parametrize("content", ["not json", "[1, 2]"])
def test_docker_config_must_be_a_json_object(client: httpx.Client, ns: str,
                                             content: str) -> None:
    r = client.post(secrets(ns), json=secret("s", type="kubernetes.io/dockerconfigjson",
                                             stringData={".dockerconfigjson": content}))
    msg = causes(r)["data[.dockerconfigjson]"]
    assert msg.startswith('Invalid value: "<secret contents redacted>": '), msg
    assert content not in msg  # the credentials are never echoed


def test_secret_type_is_immutable(client: httpx.Client, ns: str) -> None:
    created = client.post(secrets(ns), json=secret("s", stringData={"a": "1"})).json()
    created["type"] = "example.com/other"
    r = client.put(f"{secrets(ns)}/s", json=created)
    assert causes(r) == {"type": 'Invalid value: "example.com/other": field is immutable'}


def test_secret_size_limit(client: httpx.Client, ns: str) -> None:
    big = "x" * (512 * 1024 + 1)
    r = client.post(secrets(ns), json=secret("s", stringData={"a": big, "b": big}))
    assert causes(r) == {"data": "Too long: may not be more than 1048576 bytes"}
    r = client.post(secrets(ns), json=secret("ok", stringData={"a": big}))
    assert r.status_code == 201, r.text


# -- ConfigMaps ---------------------------------------------------------------------------


def test_configmap_keys_size_and_duplicates(client: httpx.Client, ns: str) -> None:
    r = client.post(configmaps(ns), json={"metadata": {"name": "c"}, "data": {"k": "v"},
                                          "binaryData": {"k": b64(b"\x00")}})
    assert causes(r) == {"data[k]": 'Invalid value: "k": duplicate of key present in binaryData',
                         "binaryData[k]": 'Invalid value: "k": duplicate of key present in data'}
    r = client.post(configmaps(ns), json={"metadata": {"name": "c"},
                                          "data": {"a/b": "v"}})
    assert "data[a/b]" in causes(r)
    half = "y" * (512 * 1024)
    r = client.post(configmaps(ns), json={"metadata": {"name": "c"},
                                          "data": {"a": half, "b": half + "y"}})
    assert causes(r) == {"": "Too long: may not be more than 1048576 bytes"}


# -- immutable ----------------------------------------------------------------------------

FROZEN = "Forbidden: field is immutable when `immutable` is set"


def test_immutable_configmap(client: httpx.Client, ns: str) -> None:
    r = client.post(configmaps(ns), json={"metadata": {"name": "c", "labels": {"a": "1"}},
                                          "data": {"k": "v"}, "immutable": True})
    assert r.status_code == 201, r.text
    cm = r.json()
    changed = {**cm, "data": {"k": "other"}, "binaryData": {"b": b64("x")}}
    assert causes(client.put(f"{configmaps(ns)}/c", json=changed)) == {
        "data": FROZEN, "binaryData": FROZEN}
    unset = {**cm, "immutable": False}
    assert causes(client.put(f"{configmaps(ns)}/c", json=unset)) == {"immutable": FROZEN}
    r = client.patch(f"{configmaps(ns)}/c", json={"data": {"k": "x"}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert causes(r) == {"data": FROZEN}
    # Metadata stays writable, and the object can still be deleted.
    r = client.patch(f"{configmaps(ns)}/c", json={"metadata": {"labels": {"a": "2"}}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"k": "v"}
    assert client.delete(f"{configmaps(ns)}/c").status_code == 200


def test_immutable_secret(client: httpx.Client, ns: str) -> None:
    r = client.post(secrets(ns), json=secret("s", stringData={"k": "v"}, immutable=True))
    assert r.status_code == 201, r.text
    s = r.json()
    assert causes(client.put(f"{secrets(ns)}/s", json={**s, "stringData": {"k": "w"}})) == {
        "data": FROZEN}
    assert causes(client.put(f"{secrets(ns)}/s", json={**s, "immutable": None})) == {
        "immutable": FROZEN}
    # stringData that says what data already holds changes nothing, so it is allowed.
    r = client.put(f"{secrets(ns)}/s", json={**s, "stringData": {"k": "v"}})
    assert r.status_code == 200, r.text


def test_mutable_can_become_immutable(client: httpx.Client, ns: str) -> None:
    created = client.post(configmaps(ns), json={"metadata": {"name": "c"},
                                                "data": {"k": "v"}}).json()
    r = client.put(f"{configmaps(ns)}/c", json={**created, "data": {"k": "w"},
                                                "immutable": True})
    assert r.status_code == 200, r.text
    assert r.json()["immutable"] is True and r.json()["data"] == {"k": "w"}
