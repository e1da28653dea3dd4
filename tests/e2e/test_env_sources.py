"""A container's environment from the API, in a real container: a ConfigMap and a Secret
through valueFrom and envFrom (with a prefix), the downward API's fieldRef (pod name, IP,
node name) and resourceFieldRef (limits.memory in Mi), `$(VAR)` in args; a missing key
holds the container in CreateContainerConfigError with Kubernetes' message until the
ConfigMap has it; optional sources that are missing are skipped and the pod runs."""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

from tests.e2e.cluster import IMAGE, Api, container_status, waiting_reason

Obj = dict[str, Any]


def create(api: Api, ns: str, resource: str, body: Obj) -> Obj:
    r = api.http.post(f"/api/v1/namespaces/{ns}/{resource}", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def config_map(api: Api, ns: str, name: str, data: dict[str, str]) -> None:
    create(api, ns, "configmaps", {"metadata": {"name": name}, "data": data})


def secret(api: Api, ns: str, name: str, data: dict[str, str]) -> None:
    create(api, ns, "secrets", {"metadata": {"name": name}, "data": {
        k: base64.b64encode(v.encode()).decode() for k, v in data.items()}})


def env_pod(name: str, node: str, **container: Any) -> Obj:
    c = {"name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
         "command": ["env"], **container}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "restartPolicy": "Never",
                     "terminationGracePeriodSeconds": 1, "containers": [c]}}


def output(api: Api, ns: str, name: str) -> tuple[dict[str, str], Obj]:
    pod = api.wait_phase(ns, name, "Succeeded", timeout=60)
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{name}/log")
    assert r.status_code == 200, r.text
    return dict(line.split("=", 1) for line in r.text.splitlines() if "=" in line), pod


def key_ref(kind: str, name: str, key: str, optional: bool | None = None) -> Obj:
    selector: Obj = {"name": name, "key": key}
    if optional is not None:
        selector["optional"] = optional
    return {kind: selector}


def field(path: str) -> Obj:
    return {"fieldRef": {"fieldPath": path}}


def test_env_from_config_map_secret_and_the_downward_api(api: Api, node: str, ns: str) -> None:
    config_map(api, ns, "settings", {"MODE": "fast", "LEVEL": "3", "1ST": "x"})
    secret(api, ns, "creds", {"USER": "admin", "PASSWORD": "s3cret"})
    api.create(ns, env_pod(
        "sources", node,
        command=["sh", "-c", 'env; echo "EXPANDED=$0 $1"'],
        args=["$(POD_NAME)/$(DB_USER)/$(MODE)", "$$(POD_NAME)$(UNDEFINED)"],
        envFrom=[{"configMapRef": {"name": "settings"}},
                 {"prefix": "DB_", "secretRef": {"name": "creds"}}],
        env=[{"name": "MODE", "value": "explicit-wins"},
             {"name": "THE_LEVEL", "valueFrom": key_ref("configMapKeyRef", "settings", "LEVEL")},
             {"name": "PASS", "valueFrom": key_ref("secretKeyRef", "creds", "PASSWORD")},
             {"name": "POD_NAME", "valueFrom": field("metadata.name")},
             {"name": "POD_IP", "valueFrom": field("status.podIP")},
             {"name": "NODE_NAME", "valueFrom": field("spec.nodeName")},
             {"name": "MEMORY_MI", "valueFrom": {"resourceFieldRef": {
                 "resource": "limits.memory", "divisor": "1Mi"}}},
             {"name": "GREETING", "value": "$(POD_NAME) on $(NODE_NAME)"}],
        resources={"limits": {"memory": "64Mi"}}))

    env, pod = output(api, ns, "sources")
    assert {k: env.get(k) for k in ("MODE", "LEVEL", "DB_USER", "DB_PASSWORD", "THE_LEVEL",
                                    "PASS", "POD_NAME", "NODE_NAME", "MEMORY_MI",
                                    "GREETING")} == {
        "MODE": "explicit-wins", "LEVEL": "3", "DB_USER": "admin", "DB_PASSWORD": "s3cret",
        "THE_LEVEL": "3", "PASS": "s3cret", "POD_NAME": "sources", "NODE_NAME": node,
        "MEMORY_MI": "64", "GREETING": f"sources on {node}"}
    assert "1ST" not in env
    ipaddress.ip_address(env["POD_IP"])
    if pod["status"].get("podIP"):
        assert env["POD_IP"] == pod["status"]["podIP"]
    assert env["EXPANDED"] == "sources/admin/explicit-wins $(POD_NAME)$(UNDEFINED)"
    skipped = [e for e in api.events(ns, "sources")
               if e["reason"] == "InvalidEnvironmentVariableNames"]
    assert [(e["type"], e["message"]) for e in skipped] == [(
        "Warning", f"Keys [1ST] from the EnvFrom configMap {ns}/settings were skipped "
                   "since they are considered invalid environment variable names.")]


def _config_error(api: Api, ns: str, name: str, message: str) -> None:
    def waiting_with_message(pod: Obj) -> bool:
        waiting = (container_status(pod).get("state") or {}).get("waiting") or {}
        return waiting.get("message") == message

    pod = api.wait_pod(ns, name, waiting_with_message, timeout=30,
                       what=f"{name} waiting with {message!r}")
    assert waiting_reason(pod) == "CreateContainerConfigError"
    assert pod["status"]["phase"] == "Pending"
    failed = [e["message"] for e in api.events(ns, name) if e["reason"] == "Failed"]
    assert f"Error: {message}" in failed


def test_a_missing_key_or_object_is_a_config_error_until_it_exists(api: Api, node: str,
                                                                   ns: str) -> None:
    config_map(api, ns, "settings", {"OTHER": "x"})
    api.create(ns, env_pod("missing-key", node, env=[
        {"name": "MODE", "valueFrom": key_ref("configMapKeyRef", "settings", "MODE")}]))
    api.create(ns, env_pod("missing-secret", node, envFrom=[{"secretRef": {"name": "absent"}}]))

    _config_error(api, ns, "missing-key", f"couldn't find key MODE in ConfigMap {ns}/settings")
    _config_error(api, ns, "missing-secret", 'secret "absent" not found')

    r = api.http.patch(f"/api/v1/namespaces/{ns}/configmaps/settings",
                       json={"data": {"MODE": "late"}},
                       headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    env, _ = output(api, ns, "missing-key")
    assert env["MODE"] == "late"


def test_optional_sources_that_are_missing_are_skipped(api: Api, node: str, ns: str) -> None:
    config_map(api, ns, "settings", {"MODE": "fast"})
    api.create(ns, env_pod("optional", node, envFrom=[
        {"secretRef": {"name": "absent", "optional": True}},
        {"configMapRef": {"name": "absent", "optional": True}}], env=[
        {"name": "A", "valueFrom": key_ref("configMapKeyRef", "absent", "k", optional=True)},
        {"name": "B", "valueFrom": key_ref("configMapKeyRef", "settings", "nokey", True)},
        {"name": "C", "valueFrom": key_ref("secretKeyRef", "absent", "k", optional=True)},
        {"name": "MODE_TOO", "valueFrom": key_ref("configMapKeyRef", "settings", "MODE")}]))
    env, _ = output(api, ns, "optional")
    assert env["MODE_TOO"] == "fast"
    assert not {"A", "B", "C"} & set(env)
