"""Service environment variables in a real container: a Service created before the pod
shows up as WEB_SERVICE_HOST and friends with its ClusterIP; KUBERNETES_SERVICE_HOST is
the `kubernetes` Service's ClusterIP; enableServiceLinks: false hides the namespace's
Services but not `kubernetes`; the container's own env wins over a service variable."""

from __future__ import annotations

from typing import Any

from tests.e2e.cluster import IMAGE, Api
from tests.support.processes import wait_until


def env_pod(name: str, node: str, **spec: Any) -> dict[str, Any]:
    container = {"name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                 "command": ["env"], **spec.pop("container", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "restartPolicy": "Never",
                     "terminationGracePeriodSeconds": 1, "containers": [container], **spec}}


def env_of(api: Api, ns: str, name: str) -> dict[str, str]:
    api.wait_phase(ns, name, "Succeeded", timeout=60)
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{name}/log")
    assert r.status_code == 200, r.text
    return dict(line.split("=", 1) for line in r.text.splitlines() if "=" in line)


def test_service_variables(api: Api, node: str, ns: str) -> None:
    def kubernetes_service() -> bool:
        return api.http.get("/api/v1/namespaces/default/services/kubernetes").status_code == 200

    wait_until(kubernetes_service, 20, "the kubernetes Service")
    r = api.http.post(f"/api/v1/namespaces/{ns}/services", json={
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web-front"},
        "spec": {"selector": {"app": "web"}, "ports": [
            {"name": "http", "port": 80, "targetPort": 8080},
            {"name": "dns", "port": 53, "protocol": "UDP"}]}})
    assert r.status_code == 201, r.text
    ip = r.json()["spec"]["clusterIP"]
    api.create(ns, env_pod("linked", node))
    api.create(ns, env_pod("unlinked", node, enableServiceLinks=False))
    api.create(ns, env_pod("own", node, container={"env": [
        {"name": "WEB_FRONT_SERVICE_HOST", "value": "mine"},
        {"name": "URL", "value": "http://$(WEB_FRONT_SERVICE_HOST):$(WEB_FRONT_SERVICE_PORT)"}]}))

    env = env_of(api, ns, "linked")
    assert {k: v for k, v in env.items() if k.startswith("WEB_FRONT_")} == {
        "WEB_FRONT_SERVICE_HOST": ip,
        "WEB_FRONT_SERVICE_PORT": "80",
        "WEB_FRONT_SERVICE_PORT_HTTP": "80",
        "WEB_FRONT_SERVICE_PORT_DNS": "53",
        "WEB_FRONT_PORT": f"tcp://{ip}:80",
        "WEB_FRONT_PORT_80_TCP": f"tcp://{ip}:80",
        "WEB_FRONT_PORT_80_TCP_PROTO": "tcp",
        "WEB_FRONT_PORT_80_TCP_PORT": "80",
        "WEB_FRONT_PORT_80_TCP_ADDR": ip,
        "WEB_FRONT_PORT_53_UDP": f"udp://{ip}:53",
        "WEB_FRONT_PORT_53_UDP_PROTO": "udp",
        "WEB_FRONT_PORT_53_UDP_PORT": "53",
        "WEB_FRONT_PORT_53_UDP_ADDR": ip,
    }
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    assert env["KUBERNETES_SERVICE_PORT"] == "443"
    assert env["KUBERNETES_PORT"] == "tcp://10.96.0.1:443"

    unlinked = env_of(api, ns, "unlinked")
    assert not any(k.startswith("WEB_FRONT_") for k in unlinked)
    assert unlinked["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"

    own = env_of(api, ns, "own")
    assert own["WEB_FRONT_SERVICE_HOST"] == "mine"
    assert own["URL"] == "http://mine:80"
