"""`tug describe`: kubectl's page, with the object's Events."""

from __future__ import annotations

import re
import subprocess

import httpx

from tests.integration.cli.conftest import Tug, create, pod

KUBECTL = "/usr/bin/kubectl"  # the version tug mimics (1.32), whatever is first on PATH


def _event(ns: str, obj: dict, reason: str, message: str, count: int = 1) -> dict:
    meta = obj["metadata"]
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{reason.lower()}", "namespace": ns},
            "involvedObject": {"kind": "Pod", "name": meta["name"], "namespace": ns,
                               "uid": meta["uid"], "apiVersion": "v1"},
            "reason": reason, "message": message, "type": "Normal", "count": count,
            "source": {"component": "default-scheduler"},
            "firstTimestamp": meta["creationTimestamp"], "lastTimestamp":
                meta["creationTimestamp"]}


def test_pod_page_with_events(tug: Tug, api: httpx.Client, ns: str) -> None:
    web = create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", {"app": "web"}))
    create(api, f"/api/v1/namespaces/{ns}/events",
           _event(ns, web, "Scheduled", f"Successfully assigned {ns}/web to n1"))
    create(api, f"/api/v1/namespaces/{ns}/events", _event(ns, web, "Pulled", "Pulled", 3))
    page = tug.ok("describe", "pod", "web")
    assert page.startswith(f"Name:         web\nNamespace:    {ns}\nNode:         <none>\n")
    assert "Containers:\n  c:\n    Image:      busybox:1.35\n" in page
    events = page[page.index("Events:"):].splitlines()
    assert events[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert events[2].split() == ["----", "------", "----", "----", "-------"]
    scheduled = next(line for line in events if "Scheduled" in line)
    pulled = next(line for line in events if "Pulled" in line)
    assert re.match(r"  Normal  Scheduled +\d+s +default-scheduler  Successfully assigned",
                    scheduled)
    assert re.match(r"  Normal  Pulled +\d+s \(x3 over \d+s\) +default-scheduler  Pulled$",
                    pulled)


def test_prefix_names_missing_objects_and_several(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web-1"))
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web-2"))
    both = tug.ok("describe", "pod", "web")
    assert both.count("\nNamespace:") == 2 and "\n\n\nName:         web-2" in both
    r = tug("describe", "pod", "zzz")
    assert r.code == 1 and r.err == 'Error from server (NotFound): pods "zzz" not found\n'


def _mask(text: str) -> str:
    return re.sub(r"\b\d+s\b", "AGE", text)


def test_same_page_as_real_kubectl(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", volumes=[
        {"name": "d", "emptyDir": {}}], containers=[{
            "name": "c", "image": "busybox:1.35", "command": ["httpd", "-f"],
            "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "b"}],
            "volumeMounts": [{"name": "d", "mountPath": "/d"}],
            "livenessProbe": {"httpGet": {"path": "/", "port": 80}},
            "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}}]))
    create(api, f"/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "name": "http"}]}})
    for args in (["describe", "pod", "web"], ["describe", "svc", "web"]):
        ours = tug.ok(*args)
        theirs = subprocess.run([KUBECTL, *args, "--server", tug.server, "-n", tug.namespace],
                                capture_output=True, text=True, timeout=60, env=tug.env).stdout
        assert _mask(ours) == _mask(theirs), args


def _slice(ns: str, name: str, ips: list[tuple[str, bool]]) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "namespace": ns, "labels": {
                "kubernetes.io/service-name": "web",
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}}
                          for ip, ready in ips],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"},
                      {"name": "metrics", "port": 9090, "protocol": "TCP"}]}


def test_service_endpoints_from_slices_as_real_kubectl(tug: Tug, api: httpx.Client,
                                                       ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [
            {"port": 80, "name": "http", "targetPort": 8080},
            {"port": 9090, "name": "metrics"}]}})
    create(api, f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
           _slice(ns, "web-a", [("10.1.0.1", True), ("10.1.0.2", False)]))
    create(api, f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
           _slice(ns, "web-b", [("10.1.0.3", True)]))
    ours = tug.ok("describe", "svc", "web")
    assert re.search(r"^Endpoints:\s+10.1.0.1:8080,10.1.0.3:8080$", ours, re.M), ours
    theirs = subprocess.run([KUBECTL, "describe", "svc", "web", "--server", tug.server, "-n",
                             tug.namespace], capture_output=True, text=True, timeout=60,
                            env=tug.env).stdout
    assert _mask(ours) == _mask(theirs)
    create(api, f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
           _slice(ns, "web-c", [(f"10.1.1.{i}", True) for i in range(1, 5)]))
    ours = tug.ok("describe", "svc", "web")
    assert "more..." in ours
    theirs = subprocess.run([KUBECTL, "describe", "svc", "web", "--server", tug.server, "-n",
                             tug.namespace], capture_output=True, text=True, timeout=60,
                            env=tug.env).stdout
    assert _mask(ours) == _mask(theirs)


def test_pod_page_lists_ephemeral_containers(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("app"))
    r = api.patch(f"/api/v1/namespaces/{ns}/pods/app/ephemeralcontainers",
                  headers={"Content-Type": "application/strategic-merge-patch+json"},
                  json={"spec": {"ephemeralContainers": [{
                      "name": "debugger", "image": "busybox:1.35",
                      "imagePullPolicy": "IfNotPresent", "targetContainerName": "c"}]}})
    assert r.status_code == 200, r.text
    page = tug.ok("describe", "pod", "app")
    assert re.search(r"\nEphemeral Containers:\n  debugger:\n    Image: +busybox:1\.35\n", page), page
    assert page.index("Containers:\n  c:") < page.index("Ephemeral Containers:")
