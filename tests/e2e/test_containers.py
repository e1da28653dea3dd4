"""What a pod's containers get on real Docker: command/args semantics, env (values, $(VAR),
fieldRef), workingDir, one network namespace per pod (containers talk over localhost),
emptyDir shared between containers, hostPath, hostPort published on the sandbox, CPU and
memory limits."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.e2e.cluster import IMAGE, Api, inspect, node_containers
from tests.support.processes import free_port, wait_until


def _logs(api: Api, ns: str, name: str, container: str) -> str:
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{name}/log",
                     params={"container": container})
    assert r.status_code == 200, r.text
    return r.text


def test_pod_spec_on_docker(api: Api, node: str, ns: str, tmp_path: Path) -> None:
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    (host_dir / "greeting").write_text("from the host\n")
    host_port = free_port()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "spec", "labels": {"a": "b"}},
           "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1,
                    "volumes": [{"name": "shared", "emptyDir": {}},
                                {"name": "host", "hostPath": {"path": str(host_dir)}}],
                    "containers": [
        {"name": "server", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
         "command": ["sh", "-c"],
         "args": ["echo $(GREETING) from $(POD_NAME) > /shared/msg; pwd >> /shared/msg; "
                  "cat /host/greeting >> /shared/msg; cp /shared/msg /w/index.html; "
                  "httpd -f -p 80 -h /w"],
         "workingDir": "/w",
         "env": [{"name": "GREETING", "value": "hello"},
                 {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
         "ports": [{"containerPort": 80, "hostPort": host_port}],
         "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}},
         "volumeMounts": [{"name": "shared", "mountPath": "/shared"},
                          {"name": "host", "mountPath": "/host", "readOnly": True}]},
        {"name": "client", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
         "args": ["sh", "-c", "sleep 1; wget -qO- http://localhost:80/ && sleep 3600"],
         "volumeMounts": [{"name": "shared", "mountPath": "/data"}]},
    ]}}
    created = api.create(ns, pod)
    api.wait_phase(ns, "spec", "Running")
    wait_until(lambda: "hello" in _logs(api, ns, "spec", "client"), 15, "client output")
    assert _logs(api, ns, "spec", "client").splitlines()[:3] == [
        "hello from spec", "/w", "from the host"]  # localhost, env, workingDir, volumes
    body = httpx.get(f"http://127.0.0.1:{host_port}/", timeout=5).text
    assert body.startswith("hello from spec")  # hostPort on the sandbox
    ids = node_containers(node, f"label=io.tugboat.pod.uid={created['metadata']['uid']}")
    by_name = {inspect(c)["Config"]["Labels"]["io.tugboat.container.name"]: inspect(c)
               for c in ids}
    server = by_name["server"]
    assert server["HostConfig"]["Memory"] == 64 << 20
    assert server["HostConfig"]["NanoCpus"] == 500_000_000
    assert server["HostConfig"]["NetworkMode"] == f"container:{by_name['POD']['Id']}"
    assert by_name["POD"]["HostConfig"]["PortBindings"] == {
        "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(host_port)}]}
    assert by_name["client"]["Config"]["Entrypoint"] is None  # args only: image entrypoint
    with socket.create_connection(("127.0.0.1", host_port), timeout=5):
        pass
